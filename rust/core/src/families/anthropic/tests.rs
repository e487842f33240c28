use super::*;
use crate::events::Usage;
use crate::families::scan::test_support::scanned;
use crate::families::test_support::types;

const START: &str = r#"{"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":10,"cache_read_input_tokens":3,"cache_creation_input_tokens":2,"output_tokens":1}}}"#;
const STOP: &str = r#"{"type":"message_stop"}"#;

fn run(payloads: &[&str]) -> Vec<Event> {
    let mut dec = Decoder::default();
    let mut out = Vec::new();
    for p in payloads {
        dec.payload("message", p, &mut out).unwrap();
    }
    dec.end(&mut out);
    out
}

fn finish(events: &[Event]) -> (FinishReason, Option<String>, Usage) {
    match events.last() {
        Some(Event::Finish {
            reason,
            raw_reason,
            usage,
            ..
        }) => (*reason, raw_reason.clone(), usage.clone()),
        other => panic!("no finish: {other:?}"),
    }
}

#[test]
fn text_with_padding_and_usage() {
    let events = run(&[
        START,
        r#"{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}   "#,
        r#"{"type": "ping"}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}      "#,
        r#"{"type":"content_block_stop","index":0 }"#,
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}}"#,
        STOP,
    ]);
    assert_eq!(
        types(&events),
        ["stream_start", "text_start", "text_delta", "text_end", "finish"]
    );
    let (reason, raw, usage) = finish(&events);
    assert_eq!((reason, raw.as_deref()), (FinishReason::Stop, Some("end_turn")));
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (15, 7, 22)
    );
    assert_eq!((usage.cache_read_tokens, usage.cache_write_tokens), (3, 2));
}

#[test]
fn thinking_signature_and_redacted() {
    let events = run(&[
        START,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"SIG"}}"#,
        r#"{"type":"content_block_stop","index":0}"#,
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"OPAQUE"}}"#,
        r#"{"type":"content_block_stop","index":1}"#,
        STOP,
    ]);
    assert_eq!(
        events[3],
        Event::ReasoningEnd {
            id: "0".into(),
            signature: Some("SIG".into()),
            redacted: false
        }
    );
    assert_eq!(
        events[5],
        Event::ReasoningEnd {
            id: "1".into(),
            signature: Some("OPAQUE".into()),
            redacted: true
        }
    );
}

#[test]
fn tool_inputs() {
    let tool = |index: u64, input: &str| {
        format!(
            r#"{{"type":"content_block_start","index":{index},"content_block":{{"type":"tool_use","id":"toolu_{index}","name":"f","input":{input}}}}}"#
        )
    };
    let delta = |index: u64, json: &str| {
        format!(
            r#"{{"type":"content_block_delta","index":{index},"delta":{{"type":"input_json_delta","partial_json":{}}}}}"#,
            serde_json::to_string(json).unwrap()
        )
    };
    let stop = |index: u64| format!(r#"{{"type":"content_block_stop","index":{index}}}"#);
    let cases: [(&str, Vec<String>, &str); 4] = [
        (
            "streamed",
            vec![
                tool(0, "{}"),
                delta(0, ""),
                delta(0, "{\"a\""),
                delta(0, ": 1}"),
                stop(0),
            ],
            "{\"a\": 1}",
        ),
        ("no input at all", vec![tool(0, "{ }"), stop(0)], "{}"),
        (
            "complete in start",
            vec![tool(0, r#"{"a": [1, 2]}"#), stop(0)],
            r#"{"a": [1, 2]}"#,
        ),
        (
            "fragments supersede the start",
            vec![tool(0, r#"{"a": 0}"#), delta(0, "{\"b\":2}"), stop(0)],
            "{\"b\":2}",
        ),
    ];
    for (name, payloads, arguments) in cases {
        let mut all = vec![START.to_owned()];
        all.extend(payloads);
        all.push(STOP.to_owned());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let events = run(&refs);
        let deltas: String = events
            .iter()
            .filter_map(|e| match e {
                Event::ToolInputDelta { delta, .. } => Some(delta.as_str()),
                _ => None,
            })
            .collect();
        let call = events.iter().find(|e| matches!(e, Event::ToolCall { .. })).unwrap();
        assert_eq!(
            call,
            &Event::ToolCall {
                id: "toolu_0".into(),
                name: "f".into(),
                arguments: arguments.into(),
                provider_executed: false,
                call_type: None
            },
            "{name}"
        );
        if arguments != "{}" {
            assert_eq!(deltas, arguments, "{name}: the fragments add up to the arguments");
        }
    }
}

#[test]
fn server_tool_and_sources() {
    let events = run(&[
        START,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}}"#,
        r#"{"type":"content_block_stop","index":0}"#,
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://a.example","title":"A"},{"type":"web_search_result","url":"https://b.example","title":null}]}}"#,
        r#"{"type":"content_block_stop","index":1}"#,
        r#"{"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_2","content":{"type":"web_search_tool_result_error","error_code":"unavailable"}}}"#,
        r#"{"type":"content_block_stop","index":2}"#,
        r#"{"type":"content_block_start","index":3,"content_block":{"citations":[],"type":"text","text":""}}"#,
        r#"{"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","cited_text":"c","url":"https://a.example","title":"A"}}}"#,
        r#"{"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"char_location","cited_text":"c","document_index":0}}}"#,
        r#"{"type":"content_block_stop","index":3}"#,
        STOP,
    ]);
    assert!(events.contains(&Event::ToolCall {
        id: "srvtoolu_1".into(),
        name: "web_search".into(),
        arguments: "{\"query\":\"x\"}".into(),
        provider_executed: true,
        call_type: None
    }));
    let sources: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Source(s) => Some((s.id.as_str(), s.url.as_deref()?, s.title.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("1:0", "https://a.example", Some("A")),
            ("1:1", "https://b.example", None),
            ("3:0", "https://a.example", Some("A"))
        ]
    );
}

#[test]
fn stop_reasons() {
    let cases = [
        ("end_turn", FinishReason::Stop),
        ("stop_sequence", FinishReason::Stop),
        ("pause_turn", FinishReason::Stop),
        ("max_tokens", FinishReason::Length),
        ("tool_use", FinishReason::ToolCalls),
        ("refusal", FinishReason::ContentFilter),
        ("model_context_window_exceeded", FinishReason::Other),
    ];
    for (raw, expected) in cases {
        let delta = format!(r#"{{"type":"message_delta","delta":{{"stop_reason":"{raw}"}}}}"#);
        let (reason, raw_reason, _) = finish(&run(&[START, &delta, STOP]));
        assert_eq!((reason, raw_reason.as_deref()), (expected, Some(raw)));
    }
}

#[test]
fn bedrock_metrics_fill_only_what_usage_left_out() {
    let stop = r#"{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":99,"outputTokenCount":98,"cacheReadInputTokenCount":4}}"#;
    let (_, _, usage) = finish(&run(&[
        r#"{"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}}"#,
        r#"{"type":"message_delta","delta":{},"usage":{"output_tokens":5}}"#,
        stop,
    ]));
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens),
        (14, 5, 4)
    );
    let (_, _, usage) = finish(&run(&[r#"{"type":"message_start","message":{}}"#, stop]));
    assert_eq!((usage.input_tokens, usage.output_tokens), (103, 98));
}

#[test]
fn provider_error_then_finish() {
    let events = run(&[
        START,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
        r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#,
    ]);
    assert_eq!(
        types(&events),
        [
            "stream_start",
            "text_start",
            "text_delta",
            "text_end",
            "error",
            "finish"
        ]
    );
    assert_eq!(
        events[4],
        Event::Error {
            message: "Overloaded".into(),
            kind: "overloaded_error".into(),
            raw: Some(r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#.into())
        }
    );
    assert_eq!(finish(&events).0, FinishReason::Error);
}

#[test]
fn cut_stream_is_incomplete() {
    let events = run(&[
        START,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    ]);
    assert_eq!(
        types(&events),
        ["stream_start", "text_start", "text_end", "error", "finish"]
    );
    let (reason, _, usage) = finish(&events);
    assert_eq!((reason, usage.input_tokens), (FinishReason::Error, 15));
}

/// serde's derived structs would take an array of their fields in order; the wire never does. An
/// object field sent as an array is passed over (tolerant reader), not read that way.
#[test]
fn arrays_are_not_structs() {
    let events = run(&[START, r#"{"type":"error","error":["overloaded_error","x"]}"#]);
    assert_eq!(
        events[1],
        Event::Error {
            message: "error".into(),
            kind: "error".into(),
            raw: Some(r#"{"type":"error","error":["overloaded_error","x"]}"#.into())
        }
    );
}

#[test]
fn bad_payloads() {
    let block = r#"{"type":"content_block_start","index":0,"content_block":{"type":"text"}}"#;
    let cases: [(&[&str], &str); 13] = [
        (&["not json"], "invalid JSON payload: not valid JSON"),
        // A payload that is not an object is not the format (the tolerant reader passes over fields).
        (&["[1]"], "unexpected payload: JSON of the wrong shape"),
        // A required container of another JSON type reads as absent: the error names it.
        (
            &[r#"{"type":"message_start","message":["m"]}"#],
            "unexpected payload: `message_start` without `message`",
        ),
        (
            &[
                START,
                r#"{"type":"content_block_start","index":0,"content_block":"text"}"#,
            ],
            "unexpected payload: `content_block_start` without `content_block`",
        ),
        (&[r#"{"type":1}"#], "unexpected payload: `payload` without `type`"),
        (&[r#"{"index":"0",}"#], "invalid JSON payload: not valid JSON"),
        // An index of another type (a negative integer is one) reads as absent: the error names it.
        (
            &[START, r#"{"type":"content_block_stop","index":-1}"#],
            "unexpected payload: `content_block_stop` without `index`",
        ),
        (&[r#"{"index":0}"#], "unexpected payload: `payload` without `type`"),
        (
            &[r#"{"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":"x"}}"#],
            "unexpected payload: `text_delta` for content block 4, which is not open",
        ),
        (&[block, block], "unexpected payload: content block 0 started twice"),
        (
            &[
                block,
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"x"}}"#,
            ],
            "unexpected payload: `input_json_delta` does not fit content block 0",
        ),
        (
            &[STOP, block],
            "unexpected payload: `content_block_start` after the end of the message",
        ),
        (
            &[r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","name":"f"}}"#],
            "unexpected payload: `tool_use` without `id`",
        ),
    ];
    for (payloads, message) in cases {
        let mut dec = Decoder::default();
        let mut out = Vec::new();
        let (last, first) = payloads.split_last().unwrap();
        for p in first {
            dec.payload("message", p, &mut out).unwrap();
        }
        let err = dec.payload("message", last, &mut out).unwrap_err();
        assert_eq!(err.to_string(), message, "{payloads:?}");
    }
}

const SCAN_SEEDS: [&str; 10] = [
    r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \"x\"\n\u00e9"}}"#,
    r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1"}}"#,
    r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","citations":[]}}"#,
    r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://x","title":null,"cited_text":"y"}}}"#,
    r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}"#,
    r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}"#,
    r#"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1}}}"#,
    r#"{"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"s","content":[{"type":"web_search_result","title":"T","url":"https://a","encrypted_content":"E\u0041==","page_age":null},{"url":"https://b"}]}}"#,
    r#"{"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"s","content":{"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"}}}"#,
    r#"{"type":"error","error":{"type":"overloaded_error","message":"x"}}"#,
];

/// The scan's payload and serde's agree; a `content` list the scan read as citations is what serde
/// reads from the raw text (serde's path leaves that field empty, so it is compared apart).
fn assert_scan_agrees(data: &str) {
    let scan = |d| {
        let mut payload = scanned(d, Payload::scan)?;
        if let Some(Obj(block)) = &mut payload.content_block {
            if let Some(scanned) = block.scanned_content.take() {
                let raw = block.content.expect("a scanned content list keeps its raw text");
                let from_serde: Vec<Obj<SearchResultWire<'_>>> = parse_json(raw.get()).expect("serde reads the list");
                assert_eq!(format!("{scanned:?}"), format!("{from_serde:?}"), "{d}");
            }
        }
        Some(payload)
    };
    crate::families::scan::test_support::assert_agrees(data, scan, |d| parse_json::<Obj<Payload<'_>>>(d).map(|p| p.0));
}

#[test]
fn scan_reads_common_payloads_and_agrees_with_serde() {
    crate::families::scan::test_support::check_seeds(&SCAN_SEEDS, 9, assert_scan_agrees, |d| {
        scanned(d, Payload::scan).is_some()
    });
}

proptest::proptest! {
    #[test]
    fn scan_is_sound_under_mutation(data in crate::families::scan::test_support::mutated(&SCAN_SEEDS)) {
        assert_scan_agrees(&data);
    }
}
