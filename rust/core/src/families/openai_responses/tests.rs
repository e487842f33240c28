use super::*;
use crate::families::test_support::{server_results, types};
use crate::families::Family;
use proptest::prelude::*;

fn events(body: &str) -> Vec<Event> {
    crate::families::test_support::events(Family::OpenAiResponses, body)
}

const REASON_CALL: &str = concat!(
    "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp\",\"model\":\"m\"}}\n\n",
    "data: {\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs\",\"summary_index\":0,\"delta\":\"a\"}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"reasoning\",\"id\":\"rs\",\"encrypted_content\":\"E\"}}\n\n",
    "data: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"function_call\",\"id\":\"fc\",\"call_id\":\"call_1\",\"name\":\"f\"}}\n\n",
    "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc\",\"delta\":\"{}\"}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"function_call\",\"id\":\"fc\",\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"}}\n\n",
    "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":{\"input_tokens\":5,",
    "\"input_tokens_details\":{\"cached_tokens\":2},\"output_tokens\":7,\"output_tokens_details\":{\"reasoning_tokens\":3}}}}\n\n",
);

#[test]
fn table() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "reasoning then call",
            REASON_CALL,
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
            "encrypted reasoning without summary",
            "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"reasoning\",\"id\":\"rs\",\"encrypted_content\":\"E\"}}\n\ndata: {\"type\":\"response.completed\"}\n\n",
            &["reasoning_start", "reasoning_end", "finish"],
        ),
        (
            "error",
            "data: {\"type\":\"error\",\"code\":\"c\",\"message\":\"m\"}\n\n",
            &["error", "finish"],
        ),
        (
            "cut",
            "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"x\"}\n\n",
            &["text_start", "text_delta", "text_end", "error", "finish"],
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(types(&events(body)), expected, "{name}");
    }
}

#[test]
fn usage_signature_and_call_id() {
    let out = events(REASON_CALL);
    assert!(
        matches!(out.get(3), Some(Event::ReasoningEnd { id, signature: Some(s), .. }) if &**id == "rs:0" && s == "E")
    );
    assert!(matches!(out.get(7), Some(Event::ToolCall { id, .. }) if &**id == "call_1"));
    let Some(Event::Finish {
        reason,
        usage,
        raw_reason,
        ..
    }) = out.last()
    else {
        panic!("no finish")
    };
    assert_eq!(*reason, FinishReason::ToolCalls);
    assert_eq!(raw_reason.as_deref(), Some("completed"));
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (5, 7, 12)
    );
    assert_eq!((usage.reasoning_tokens, usage.cache_read_tokens), (3, 2));
}

#[test]
fn incomplete_reasons() {
    for (reason, expected) in [
        ("max_output_tokens", FinishReason::Length),
        ("content_filter", FinishReason::ContentFilter),
        ("x", FinishReason::Other),
    ] {
        let body = format!(
            "data: {{\"type\":\"response.incomplete\",\"response\":{{\"incomplete_details\":{{\"reason\":\"{reason}\"}}}}}}\n\n"
        );
        assert!(
            matches!(events(&body).last(), Some(Event::Finish { reason: r, .. }) if *r == expected),
            "{reason}"
        );
    }
}

proptest! {
    #[test]
    fn any_split_gives_same_events(cuts in proptest::collection::vec(0..REASON_CALL.len(), 0..12)) {
        let out = crate::families::test_support::events_split(Family::OpenAiResponses, REASON_CALL, cuts);
        prop_assert_eq!(out, events(REASON_CALL));
    }
}

const SCAN_SEEDS: [&str; 6] = [
    r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi \"x\"\n\u00e9","logprobs":[],"obfuscation":"abc"}"#,
    r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-5","output":[],"usage":null,"metadata":{}}}"#,
    r#"{"type":"response.completed","response":{"id":"r","status":"completed","usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":1},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":12}}}"#,
    r#"{"type":"response.output_item.added","item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"","status":"in_progress","action":{"type":"search"}}}"#,
    r#"{"type":"response.output_text.annotation.added","annotation":{"type":"url_citation","url":"https://x"}}"#,
    r#"{"type":"error","code":"x","message":"m","code":"y"}"#,
];

crate::families::scan::scan_soundness_tests!(scan_reads_common_payloads_and_agrees_with_serde, SCAN_SEEDS, 4, Payload);

/// A hosted code interpreter whose code streams, a failed MCP call, a server tool search and its
/// output (no `call_id`: the latest search's), and an image with a preview: calls, results, files.
const HOSTED: &str = concat!(
    "data: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"code_interpreter_call\",\"id\":\"ci\",\"code\":\"\"}}\n\n",
    "data: {\"type\":\"response.code_interpreter_call_code.delta\",\"item_id\":\"ci\",\"delta\":\"1+\"}\n\n",
    "data: {\"type\":\"response.code_interpreter_call_code.delta\",\"item_id\":\"ci\",\"delta\":\"1\"}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"code_interpreter_call\",\"id\":\"ci\",\"status\":\"completed\",\"code\":\"1+1\",\"outputs\":[{\"type\":\"logs\",\"logs\":\"2\"}]}}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"mcp_call\",\"id\":\"mcp\",\"name\":\"roll\",\"arguments\":\"{\\\"n\\\":2}\",\"output\":null,\"error\":{\"message\":\"boom\"}}}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"tool_search_call\",\"id\":\"tsc\",\"call_id\":null,\"execution\":\"server\",\"arguments\":{}}}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"tool_search_output\",\"id\":\"tso\",\"call_id\":null,\"execution\":\"server\",\"tools\":[]}}\n\n",
    "data: {\"type\":\"response.image_generation_call.partial_image\",\"item_id\":\"ig\",\"partial_image_b64\":\"Zm9v\",\"output_format\":\"webp\"}\n\n",
    "data: {\"type\":\"response.image_generation_call.partial_image\",\"item_id\":\"ig\",\"partial_image_b64\":\"Z...\"}\n\n",
    "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"image_generation_call\",\"id\":\"ig\",\"result\":\"YmFy\"}}\n\n",
    "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n",
);

#[test]
fn hosted_tools() {
    let got = events(HOSTED);
    assert_eq!(
        types(&got),
        [
            "tool_input_start",
            "tool_input_delta",
            "tool_input_delta",
            "tool_input_end",
            "tool_call",
            "tool_result",
            "tool_input_start",
            "tool_input_end",
            "tool_call",
            "tool_result",
            "tool_input_start",
            "tool_input_end",
            "tool_call",
            "tool_result",
            "file",
            "unknown",
            "tool_input_start",
            "tool_input_end",
            "tool_call",
            "tool_result",
            "file",
            "finish",
        ]
    );
    let mut calls = got.iter().filter_map(|e| match e {
        Event::ToolCall {
            id,
            name,
            arguments,
            provider_executed,
            call_type,
        } => Some((
            &**id,
            name.as_str(),
            arguments.as_str(),
            *provider_executed,
            call_type.as_deref(),
        )),
        _ => None,
    });
    let ci = ("ci", "code_interpreter", "1+1", true, Some("code_interpreter_call"));
    assert_eq!(calls.next(), Some(ci));
    assert_eq!(calls.next(), Some(("mcp", "roll", "{\"n\":2}", true, Some("mcp_call"))));
    let tsc = ("tsc", "tool_search", "{}", true, Some("tool_search_call"));
    assert_eq!(calls.next(), Some(tsc));
    let ig = ("ig", "image_generation", "{}", true, Some("image_generation_call"));
    assert_eq!(calls.next(), Some(ig));
    assert_eq!(
        server_results(&got),
        [
            ("ci", "code_interpreter", "[{\"type\":\"logs\",\"logs\":\"2\"}]", false),
            ("mcp", "roll", "{\"message\":\"boom\"}", true),
            ("tsc", "tool_search", "[]", false),
            ("ig", "image_generation", "\"YmFy\"", false),
        ]
    );
    let files: Vec<_> = got
        .iter()
        .filter_map(|e| match e {
            Event::File {
                id,
                media_type,
                data,
                partial,
            } => Some((id.as_str(), media_type.as_str(), data.as_slice(), *partial)),
            _ => None,
        })
        .collect();
    assert_eq!(
        files,
        [
            ("ig", "image/webp", &b"foo"[..], true),
            ("ig", "image/png", &b"bar"[..], false)
        ]
    );
    assert!(matches!(
        got.last(),
        Some(Event::Finish {
            reason: FinishReason::Stop,
            ..
        })
    ));
}

#[test]
fn file_citations_are_document_sources() {
    let body = concat!(
        "data: {\"type\":\"response.output_text.annotation.added\",\"annotation\":{\"type\":\"file_citation\",",
        "\"file_id\":\"file-1\",\"filename\":\"a.pdf\",\"index\": 12}}\n\n",
        "data: {\"type\":\"response.output_text.annotation.added\",\"annotation\":{\"type\":\"container_file_citation\",",
        "\"container_id\":\"cntr_1\",\"end_index\":9,\"file_id\":\"cfile_1\",\"filename\":\"b.csv\",\"start_index\":2}}\n\n",
        "data: {\"type\":\"response.output_text.annotation.added\",\"annotation\":{\"type\":\"file_citation\"}}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n",
    );
    assert_eq!(
        crate::families::test_support::sources(&events(body)),
        [
            (
                "src_0",
                "document",
                None,
                None,
                Some("a.pdf"),
                Some("{\"file_id\":\"file-1\",\"index\":12}")
            ),
            (
                "src_1",
                "document",
                None,
                None,
                Some("b.csv"),
                Some("{\"file_id\":\"cfile_1\",\"container_id\":\"cntr_1\",\"start_index\":2,\"end_index\":9}")
            ),
        ]
    );
}
