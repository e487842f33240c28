use super::*;
use crate::families::test_support::{server_results, types};
use crate::families::Family;
use proptest::prelude::*;

fn events(body: &str) -> Vec<Event> {
    crate::families::test_support::events(Family::Gemini, body)
}

const THINK_CALL: &str = concat!(
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hm\",\"thought\":true}]}}],",
    "\"responseId\":\"r\",\"modelVersion\":\"m\",\"usageMetadata\":{\"promptTokenCount\":3,\"thoughtsTokenCount\":9}}\r\n\r\n",
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\": 1.50}},",
    "\"thoughtSignature\":\"SIG\"}]},\"finishReason\":\"STOP\"}],",
    "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4,\"thoughtsTokenCount\":9}}\r\n\r\n",
);

#[test]
fn table() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "thought then signed call",
            THINK_CALL,
            &[
                "stream_start",
                "reasoning_start",
                "reasoning_delta",
                "reasoning_end",
                "tool_input_start",
                "tool_input_delta",
                "tool_input_end",
                "tool_call",
                "finish",
            ],
        ),
        (
            "signature alone on empty text",
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"S\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
            &["stream_start", "reasoning_start", "reasoning_end", "finish"],
        ),
        (
            "no finish reason",
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]}}]}\r\n\r\n",
            &["stream_start", "text_start", "text_delta", "text_end", "error", "finish"],
        ),
        (
            "error body",
            "data: {\"error\":{\"code\":500,\"message\":\"m\",\"status\":\"INTERNAL\"}}\r\n\r\n",
            &["error", "finish"],
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(types(&events(body)), expected, "{name}");
    }
}

#[test]
fn usage_is_latest_and_arguments_raw() {
    let out = events(THINK_CALL);
    assert_eq!(
        out.get(3),
        Some(&Event::ReasoningEnd {
            id: "0".into(),
            signature: Some("SIG".into()),
            redacted: false
        })
    );
    assert!(
        matches!(out.get(7), Some(Event::ToolCall { id, arguments, .. }) if &**id == "call_0" && arguments == "{\"a\": 1.50}")
    );
    let Some(Event::Finish { reason, usage, .. }) = out.last() else {
        panic!("no finish")
    };
    assert_eq!(*reason, FinishReason::ToolCalls);
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens),
        (3, 13, 9)
    );
}

#[test]
fn finish_reasons() {
    let table = [
        ("STOP", false, FinishReason::Stop),
        ("STOP", true, FinishReason::ToolCalls),
        ("MAX_TOKENS", false, FinishReason::Length),
        ("SPII", false, FinishReason::ContentFilter),
        ("MALFORMED_FUNCTION_CALL", true, FinishReason::Error),
        ("OTHER", false, FinishReason::Other),
    ];
    for (raw, called, expected) in table {
        assert_eq!(finish_reason(raw, called), expected, "{raw}");
    }
}

/// serde's derived structs would take `[null]` as a one-field struct; the wire never means that.
/// An object field sent as an array is passed over (tolerant reader), the rest of the chunk kept.
#[test]
fn arrays_are_not_structs() {
    let events = events("data: {\"promptFeedback\": [\"SAFETY\"], \"modelVersion\": \"m\"}\r\n\r\n");
    assert_eq!(types(&events), ["stream_start", "error", "finish"]);
    assert!(matches!(&events[0], Event::StreamStart { model: Some(m), .. } if m == "m"));
}

proptest! {
    #[test]
    fn any_split_gives_same_events(cuts in proptest::collection::vec(0..THINK_CALL.len(), 0..12)) {
        let out = crate::families::test_support::events_split(Family::Gemini, THINK_CALL, cuts);
        prop_assert_eq!(out, events(THINK_CALL));
    }
}

const SCAN_SEEDS: [&str; 6] = [
    r#"{"candidates": [{"content": {"parts": [{"text": "Hi \"there\"\n\u00e9","thought": true,"thoughtSignature": "c2ln"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 2,"totalTokenCount": 11,"thoughtsTokenCount": 4,"cachedContentTokenCount": 0,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 9}]},"modelVersion": "gemini-2.5-flash","responseId": "abc"}"#,
    r#"{"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"probability": 1e-3}]}],"modelVersion": null,"responseId": null,"promptFeedback": null,"error": null}"#,
    r#"{"candidates": [], "usageMetadata": null, "thought": false}"#,
    r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]}}]}"#,
    r#"{"candidates": [{"content": {"parts": [{"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}}, {"toolResponse": {"toolType": "FILE_SEARCH", "response": [1]}}]}}]}"#,
    r#"{"candidates": [{"groundingMetadata": {}}], "promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 1, "promptTokenCount": 2}}"#,
];

crate::families::scan::scan_soundness_tests!(scan_reads_common_chunks_and_agrees_with_serde, SCAN_SEEDS, 5, Chunk);

fn chunk(parts: &str) -> String {
    format!("data: {{\"candidates\":[{{\"content\":{{\"parts\":[{parts}]}}}}]}}\r\n\r\n")
}

#[test]
fn code_execution_results_answer_their_call() {
    // Gemini 2 sends no ids: the result answers the call right before it.
    let body = [
        chunk(r#"{"executableCode":{"language":"PYTHON","code":"1/0"}}"#),
        chunk(r#"{"codeExecutionResult":{"outcome":"OUTCOME_FAILED","output":"ZeroDivisionError"}}"#),
        chunk(r#"{"executableCode":{"language":"PYTHON","code":"1"},"id":"x"}"#),
        chunk(r#"{"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}}"#),
    ]
    .concat();
    let out = events(&body);
    assert_eq!(
        server_results(&out),
        [
            (
                "call_0",
                "code_execution",
                r#"{"outcome":"OUTCOME_FAILED","output":"ZeroDivisionError"}"#,
                true
            ),
            (
                "call_1",
                "code_execution",
                r#"{"outcome": "OUTCOME_OK", "output": "1\n"}"#,
                false
            ),
        ]
    );
    let kinds = types(&out);
    let first_result = kinds.iter().position(|t| *t == "tool_result");
    assert_eq!(first_result.and_then(|i| kinds.get(i - 1)), Some(&"tool_call"));
}

#[test]
fn tool_responses_keep_their_response_as_sent() {
    let body = [
        chunk(r#"{"toolCall":{"toolType":"GOOGLE_SEARCH_WEB","args":{"q":[1]},"id":"a"}}"#),
        chunk(r#"{"text":"hm","thought":true}"#),
        chunk(r#"{"toolResponse":{"id":"a","response":{"n": 2}},"thoughtSignature":"S"}"#),
        chunk(r#"{"toolResponse":{"toolType":"FILE_SEARCH","id":"b"}}"#),
        chunk(r#"{"codeExecutionResult":7}"#),
    ]
    .concat();
    let out = events(&body);
    assert_eq!(
        server_results(&out),
        [
            // No toolType: the name of the call it answers.
            ("a", "GOOGLE_SEARCH_WEB", r#"{"n": 2}"#, false),
            // Answering no call of this response (an earlier turn's): its id as sent.
            ("b", "FILE_SEARCH", "null", false),
            // Not an object: nothing read from it, the latest call answered.
            ("a", "code_execution", "7", false),
        ]
    );
    // The thought closes, signed, before the result.
    let kinds = types(&out);
    let end = kinds.iter().position(|t| *t == "reasoning_end");
    let result = kinds.iter().position(|t| *t == "tool_result");
    assert!(end.is_some() && end < result, "{kinds:?}");
}

#[test]
fn a_result_without_a_call_gets_an_id_of_its_own() {
    let body = [
        chunk(r#"{"codeExecutionResult":{"outcome":"OUTCOME_DEADLINE_EXCEEDED"}}"#),
        chunk(r#"{"functionCall":{"name":"f"}}"#),
    ]
    .concat();
    let out = events(&body);
    assert_eq!(
        server_results(&out),
        [(
            "call_0",
            "code_execution",
            r#"{"outcome":"OUTCOME_DEADLINE_EXCEEDED"}"#,
            true
        )]
    );
    assert!(out
        .iter()
        .any(|e| matches!(e, Event::ToolCall { id, .. } if &**id == "call_1")));
}

#[test]
fn a_retrieved_document_is_a_source_once() {
    let grounded = concat!(
        "data: {\"candidates\":[{\"index\":1,\"groundingMetadata\":{\"groundingChunks\":[{\"retrievedContext\":{\"text\":\"o\"}}]}},",
        "{\"content\":{\"parts\":[{\"text\":\"x\"}]},\"groundingMetadata\":{\"groundingChunks\":[",
        "{\"web\":{\"uri\":\"https://a\"}},{\"retrievedContext\":{\"text\": \"t\", \"title\":\"T\"}}]}}]}\n\n",
    );
    let body = format!("{grounded}{grounded}data: {{\"candidates\":[{{\"finishReason\":\"STOP\"}}]}}\n\n");
    assert_eq!(
        crate::families::test_support::sources(&events(&body)),
        [
            ("src_0", "url", Some("https://a"), None, None, None),
            (
                "src_1",
                "document",
                None,
                Some("T"),
                None,
                Some("{\"text\": \"t\", \"title\":\"T\"}")
            ),
        ]
    );
}
