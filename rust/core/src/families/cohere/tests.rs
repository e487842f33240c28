use crate::events::{Event, FinishReason};
use crate::families::test_support::{events, events_split, types};
use crate::families::{detect, Family};

fn sse(payloads: &[&str]) -> String {
    payloads
        .iter()
        .fold(String::new(), |body, p| body + "data: " + p + "\n\n")
}

/// A RAG answer with a citation, in the shape of Cohere's v2 chat-stream reference (the RAG
/// streaming example).
fn cited() -> String {
    sse(&[
        r#"{"id":"m1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"#,
        r#"{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}"#,
        r#"{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Emperor penguins."}}}}"#,
        r#"{"type":"citation-start","index":0,"delta":{"message":{"citations":{"start":0,"end":16,"text":"Emperor penguins","sources":[{"type":"document","id":"doc:0","document":{"id":"doc:0","title":"Penguins","url":"https://example.com/p"}},{"type":"tool","id":"t:0","tool_output":{"url":"https://example.com/p"}}],"type":"TEXT_CONTENT"}}}}"#,
        r#"{"type":"citation-end","index":0}"#,
        r#"{"type":"content-end","index":0}"#,
        r#"{"type":"message-end","delta":{"finish_reason":"MAX_TOKENS","usage":{"billed_units":{"input_tokens":2,"output_tokens":3},"tokens":{"input_tokens":20,"output_tokens":3},"cached_tokens":8}}}"#,
    ])
}

#[test]
fn text_citation_usage() {
    let out = events(Family::Cohere, &cited());
    assert_eq!(
        types(&out),
        [
            "stream_start",
            "text_start",
            "text_delta",
            "source",
            "text_end",
            "finish"
        ]
    );
    assert_eq!(
        out[3],
        Event::url_source(
            "src_0".to_owned(),
            "https://example.com/p".to_owned(),
            Some("Penguins".to_owned())
        )
    );
    let Some(Event::Finish { reason, usage, .. }) = out.last() else {
        panic!("{out:?}");
    };
    assert_eq!(*reason, FinishReason::Length);
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens),
        (20, 3, 8)
    );
}

#[test]
fn plan_then_tool_call() {
    let body = sse(&[
        r#"{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will"}}}"#,
        r#"{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"c1","type":"function","function":{"name":"f","arguments":""}}}}}"#,
        r#"{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{}"}}}}}"#,
        r#"{"type":"tool-call-end","index":0}"#,
        r#"{"type":"message-end","delta":{"finish_reason":"TOOL_CALL"}}"#,
    ]);
    let out = events(Family::Cohere, &body);
    assert_eq!(
        types(&out),
        [
            "reasoning_start",
            "reasoning_delta",
            "reasoning_end",
            "tool_input_start",
            "tool_input_delta",
            "tool_input_end",
            "tool_call",
            "finish"
        ]
    );
    for cut in 0..=body.len() {
        assert_eq!(events_split(Family::Cohere, &body, vec![cut]), out, "{cut}");
    }
}

#[test]
fn impossible_orders_are_faults() {
    for payload in [
        r#"{"type":"content-delta","index":3,"delta":{"message":{"content":{"text":"x"}}}}"#,
        r#"{"type":"tool-call-end","index":0}"#,
        r#"{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"function":{"name":"f"}}}}}"#,
    ] {
        let mut out = Vec::new();
        let result = crate::parser::parse(
            sse(&[payload]).as_bytes(),
            Some(Family::Cohere),
            crate::parser::Options::default(),
            &mut out,
        );
        assert!(result.is_err(), "{payload}");
    }
}

#[test]
fn detection() {
    assert_eq!(
        detect("message-start", r#"{"type":"message-start","id":"x"}"#),
        Some(Family::Cohere)
    );
    assert_eq!(
        detect("message", r#"{"type":"content-delta","index":0}"#),
        Some(Family::Cohere)
    );
}

mod payload_scan {
    use crate::families::cohere::wire::Payload;

    const SCAN_SEEDS: [&str; 4] = [
        r#"{"id":"m","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"#,
        r#"{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hi \"x\"\n\u00e9"}}},"logprobs":null}"#,
        r#"{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":1.5},"tokens":{"input_tokens":3,"output_tokens":4},"cached_tokens":0}}}"#,
        r#"{"type":"tool-call-end","index":1,"index":2}"#,
    ];

    crate::families::scan::scan_soundness_tests!(
        scan_reads_common_payloads_and_agrees_with_serde,
        SCAN_SEEDS,
        3,
        Payload
    );
}

mod citation_scan {
    use crate::families::cohere::wire::Citation;

    const SCAN_SEEDS: [&str; 3] = [
        r#"{"start":0,"end":3,"text":"abc","sources":[{"type":"document","id":"doc:0","document":{"id":"doc:0","title":"T","url":"https://a"}}],"type":"TEXT_CONTENT"}"#,
        r#"{"sources":[{"type":"tool","id":"t","tool_output":{"url":null,"x":[1,{"y":2}]}}],"content_index":0}"#,
        r#"{"sources":null}"#,
    ];

    crate::families::scan::scan_soundness_tests!(
        scan_reads_common_citations_and_agrees_with_serde,
        SCAN_SEEDS,
        3,
        Citation
    );
}
