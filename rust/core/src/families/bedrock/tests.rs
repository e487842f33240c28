use super::*;

#[test]
fn base64_table() {
    let cases: [(&str, Option<&[u8]>); 12] = [
        ("", Some(b"")),
        ("YQ==", Some(b"a")),
        ("YWI=", Some(b"ab")),
        ("YWJj", Some(b"abc")),
        ("YR==", Some(b"a")), // leftover bits ignored
        ("YWJjZA==", Some(b"abcd")),
        ("YQ", None),
        ("YQ=a", None),
        ("YQ==YQ==", None),
        ("Y===", None),
        ("YW J", None),
        ("-_==", None),
    ];
    for (text, expected) in cases {
        assert_eq!(base64_decode(text.as_bytes()).as_deref(), expected, "{text}");
    }
}

use crate::events::{Event, FinishReason};
use crate::eventstream::encode_frame;
use crate::families::test_support::{events, server_results, types};
use crate::families::Family;
use crate::parser::{parse, Options};

fn converse(name: &str, json: &str) -> Vec<u8> {
    encode_frame(
        &[
            (":event-type", name),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        json.as_bytes(),
    )
}

fn run(body: &[u8]) -> Vec<Event> {
    let mut out = Vec::new();
    parse(body, Some(Family::Bedrock), Options::default(), &mut out).unwrap();
    // Auto-detection reads the same body the same way.
    let mut auto = Vec::new();
    parse(body, None, Options::default(), &mut auto).unwrap();
    assert_eq!(auto, out);
    out
}

#[test]
fn converse_text_reasoning_and_tool_use() {
    let mut body = converse("messageStart", r#"{"role":"assistant"}"#);
    body.extend(converse(
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hm"}}}"#,
    ));
    body.extend(converse(
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig"}}}"#,
    ));
    body.extend(converse("contentBlockStop", r#"{"contentBlockIndex":0}"#));
    body.extend(converse(
        "contentBlockStart",
        r#"{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"t1","name":"f"}}}"#,
    ));
    body.extend(converse(
        "contentBlockDelta",
        r#"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"a\":1}"}}}"#,
    ));
    body.extend(converse("contentBlockStop", r#"{"contentBlockIndex":1}"#));
    body.extend(converse(
        "metadata",
        r#"{"usage":{"inputTokens":3,"outputTokens":4,"cacheReadInputTokens":5}}"#,
    ));
    body.extend(converse("messageStop", r#"{"stopReason":"tool_use"}"#));
    let out = run(&body);
    assert_eq!(
        types(&out),
        [
            "stream_start",
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
    assert!(matches!(&out[3], Event::ReasoningEnd { signature: Some(s), redacted: false, .. } if s == "sig"));
    assert!(matches!(&out[7], Event::ToolCall { id, arguments, .. } if &**id == "t1" && arguments == "{\"a\":1}"));
    let Event::Finish { reason, usage, .. } = &out[8] else {
        panic!("no finish")
    };
    assert_eq!(*reason, FinishReason::ToolCalls);
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens),
        (8, 4, 5)
    );
}

#[test]
fn converse_tool_results_answer_server_tool_use() {
    let mut body = converse("messageStart", r#"{"role":"assistant"}"#);
    for (name, json) in [
        (
            "contentBlockStart",
            r#"{"contentBlockIndex":0,"start":{"toolUse":{"name":"nova_code_interpreter","toolUseId":"t1","type":"server_tool_use"}}}"#,
        ),
        ("contentBlockStop", r#"{"contentBlockIndex":0}"#),
        (
            "contentBlockStart",
            r#"{"contentBlockIndex":1,"start":{"toolResult":{"status":"error","toolUseId":"t1","type":"r"}}}"#,
        ),
        // Two deltas: their items joined into one array, each as sent.
        (
            "contentBlockDelta",
            r#"{"contentBlockIndex":1,"delta":{"toolResult":[{"json":{"a": 1}}]}}"#,
        ),
        (
            "contentBlockDelta",
            r#"{"contentBlockIndex":1,"delta":{"toolResult":[ ]}}"#,
        ),
        (
            "contentBlockDelta",
            r#"{"contentBlockIndex":1,"delta":{"toolResult":[ {"text":"x"} ]}}"#,
        ),
        ("contentBlockStop", r#"{"contentBlockIndex":1}"#),
        // A result of a call of an earlier turn, never stopped: given at the finish, unnamed.
        (
            "contentBlockStart",
            r#"{"contentBlockIndex":2,"start":{"toolResult":{"toolUseId":"t0"}}}"#,
        ),
        (
            "contentBlockDelta",
            r#"{"contentBlockIndex":2,"delta":{"toolResult":{"text":"y"}}}"#,
        ),
        // No toolUseId: no result.
        (
            "contentBlockStart",
            r#"{"contentBlockIndex":3,"start":{"toolResult":{}}}"#,
        ),
        ("contentBlockStop", r#"{"contentBlockIndex":3}"#),
        ("messageStop", r#"{"stopReason":"end_turn"}"#),
        ("metadata", r#"{"usage":{}}"#),
    ] {
        body.extend(converse(name, json));
    }
    let out = run(&body);
    assert_eq!(
        server_results(&out),
        [
            (
                "t1",
                "nova_code_interpreter",
                r#"[{"json":{"a": 1}},{"text":"x"}]"#,
                true
            ),
            ("t0", "", r#"[{"text":"y"}]"#, false),
        ]
    );
    assert!(matches!(
        &out[3],
        Event::ToolCall {
            provider_executed: true,
            ..
        }
    ));
    assert!(matches!(out.last(), Some(Event::Finish { .. })));
}

#[test]
fn invoke_vendors_are_told_apart() {
    fn chunk(json: &str) -> Vec<u8> {
        let mut b64 = String::new();
        // A tiny encoder for the test: the decoder under test is not its own oracle.
        let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for group in json.as_bytes().chunks(3) {
            let n = group.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - group.len()));
            for i in 0..=group.len() {
                b64.push(char::from(table[(n >> (18 - 6 * i) & 63) as usize]));
            }
            b64.extend(std::iter::repeat_n('=', 3 - group.len()));
        }
        encode_frame(
            &[(":event-type", "chunk"), (":message-type", "event")],
            format!(r#"{{"bytes":"{b64}"}}"#).as_bytes(),
        )
    }
    let llama = [
        chunk(r#"{"generation":"Hi","prompt_token_count":2,"generation_token_count":1,"stop_reason":null}"#),
        chunk(r#"{"generation":"!","generation_token_count":2,"stop_reason":"length"}"#),
    ]
    .concat();
    let out = run(&llama);
    assert_eq!(
        types(&out),
        ["text_start", "text_delta", "text_delta", "text_end", "finish"]
    );
    assert!(matches!(&out[4], Event::Finish { reason: FinishReason::Length, usage, .. } if usage.total_tokens == 4));
    let nova = [
        chunk(r#"{"contentBlockDelta":{"delta":{"text":"Hi"},"contentBlockIndex":0}}"#),
        chunk(r#"{"messageStop":{"stopReason":"end_turn"}}"#),
        chunk(r#"{"metadata":{"usage":{}},"amazon-bedrock-invocationMetrics":{"inputTokenCount":7}}"#),
    ]
    .concat();
    let out = run(&nova);
    assert!(matches!(&out[3], Event::Finish { reason: FinishReason::Stop, usage, .. } if usage.input_tokens == 7));
    assert!(events(Family::Bedrock, "")
        .iter()
        .any(|e| matches!(e, Event::Error { .. })));
}

/// The scan reads Converse events as serde does (or gives up).
mod converse_scan {
    use super::super::wire::ConverseWire;

    const SCAN_SEEDS: [&str; 6] = [
        r#"{"contentBlockIndex":0,"delta":{"text":"Hi \"x\"\n\u00e9"},"p":"abcdefgh"}"#,
        r#"{"contentBlockIndex":1,"start":{"toolUse":{"name":"f","toolUseId":"t","type":"server_tool_use"}},"p":"ab"}"#,
        r#"{"delta":{"reasoningContent":{"signature":"c2ln","redactedContent":null}},"metrics":{"latencyMs":3},"usage":{"inputTokens":1}}"#,
        r#"{"contentBlockIndex":0,"delta":{"citation":{"title":"t","location":{"web":{"url":"u"}}},"toolUse":{"input":"{}"}}}"#,
        r#"{"contentBlockIndex":1,"delta":{"toolResult":[{"json":{"a":[1]}},{"text":"x"}]},"p":"abc"}"#,
        r#"{"contentBlockIndex":0,"contentBlockIndex":1}"#,
    ];

    crate::families::scan::scan_soundness_tests!(
        scan_reads_common_events_and_agrees_with_serde,
        SCAN_SEEDS,
        5,
        ConverseWire
    );
}

/// The scan reads the text vendors' Invoke chunks as serde does (or gives up).
mod vendor_scan {
    use super::super::wire::TextChunkWire;

    const SCAN_SEEDS: [&str; 4] = [
        r#"{"generation":"Hi","prompt_token_count":3,"generation_token_count":1,"stop_reason":null}"#,
        r#"{"outputs":[{"text":"a","stop_reason":"stop"}],"amazon-bedrock-invocationMetrics":{"inputTokenCount":1}}"#,
        r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"x"},"stop_reason":null}],"outputText":"y"}"#,
        r#"{"text":"a","text":"b"}"#,
    ];

    crate::families::scan::scan_soundness_tests!(
        scan_reads_common_chunks_and_agrees_with_serde,
        SCAN_SEEDS,
        3,
        TextChunkWire
    );
}
