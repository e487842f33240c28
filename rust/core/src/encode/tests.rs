//! Each target's bytes read back by that family's own decoder (the Python tests check them
//! against the providers' official clients).

use std::sync::Arc;

use super::{Encoder, Target};
use crate::events::{Event, FinishReason, Usage};
use crate::families::Family;
use crate::parser::{parse, Options};

fn id(s: &str) -> Arc<str> {
    Arc::from(s)
}

fn sample() -> Vec<Event> {
    vec![
        Event::StreamStart {
            id: Some("resp_1".into()),
            model: Some("m-1".into()),
            created: None,
        },
        Event::ReasoningStart { id: id("r"), choice: 0 },
        Event::ReasoningDelta {
            id: id("r"),
            text: "think \"hard\"\n".into(),
        },
        Event::ReasoningEnd {
            id: id("r"),
            signature: Some("c2lnbg==".into()),
            redacted: false,
        },
        Event::TextStart { id: id("t"), choice: 0 },
        Event::TextDelta {
            id: id("t"),
            text: "Hé".into(),
            logprobs: None,
        },
        Event::TextDelta {
            id: id("t"),
            text: "llo\u{1}".into(),
            logprobs: None,
        },
        Event::TextEnd { id: id("t") },
        Event::ToolInputStart {
            id: id("call_9"),
            name: "get".into(),
            choice: 0,
            provider_executed: false,
        },
        Event::ToolInputDelta {
            id: id("call_9"),
            delta: "{\"a\":".into(),
        },
        Event::ToolInputDelta {
            id: id("call_9"),
            delta: " 1}".into(),
        },
        Event::ToolInputEnd { id: id("call_9") },
        Event::ToolCall {
            id: id("call_9"),
            name: "get".into(),
            arguments: "{\"a\": 1}".into(),
            provider_executed: false,
            call_type: None,
        },
        Event::Finish {
            reason: FinishReason::ToolCalls,
            raw_reason: None,
            usage: Usage {
                input_tokens: 10,
                output_tokens: 7,
                total_tokens: 17,
                reasoning_tokens: 3,
                cache_read_tokens: 4,
                cache_write_tokens: 0,
                cost: None,
            },
            provider_metadata_json: None,
        },
    ]
}

fn encode(target: Target, events: &[Event]) -> Vec<u8> {
    let mut encoder = Encoder::new(target);
    let mut out = Vec::new();
    for event in events {
        encoder.event(event, &mut out);
    }
    encoder.close(&mut out);
    out
}

fn round_trip(target: Target, family: Family) -> crate::message::Message {
    read_back(target, family, &sample())
}

#[test]
fn every_target_reads_back_the_same_message() {
    for (target, family) in [
        (Target::OpenAiChat, Family::OpenAiChat),
        (Target::Anthropic, Family::Anthropic),
        (Target::OpenAiResponses, Family::OpenAiResponses),
        (Target::Gemini { json_array: false }, Family::Gemini),
        (Target::Gemini { json_array: true }, Family::Gemini),
        (Target::Bedrock, Family::Bedrock),
    ] {
        let m = round_trip(target, family);
        assert_eq!(m.text, "Héllo\u{1}", "{target:?}");
        assert_eq!(m.reasoning, "think \"hard\"\n", "{target:?}");
        assert_eq!(m.reasoning_signatures, ["c2lnbg=="], "{target:?}");
        assert_eq!(m.tool_calls.len(), 1, "{target:?}");
        assert_eq!(m.tool_calls[0].name, "get");
        assert_eq!(m.finish_reason, Some(FinishReason::ToolCalls), "{target:?}");
        let usage = m.usage.unwrap();
        assert_eq!((usage.input_tokens, usage.output_tokens), (10, 7), "{target:?}");
        assert_eq!(usage.cache_read_tokens, 4, "{target:?}");
        if !matches!(target, Target::Anthropic | Target::Bedrock) {
            assert_eq!(usage.reasoning_tokens, 3, "{target:?}");
        }
        if target != Target::Bedrock {
            assert_eq!(m.id.as_deref(), Some("resp_1"), "{target:?}");
            assert_eq!(m.model.as_deref(), Some("m-1"), "{target:?}");
        }
    }
}

#[test]
fn a_cut_stream_stays_cut() {
    let mut events = sample();
    events.truncate(6);
    events.push(Event::Error {
        message: "cut".into(),
        kind: crate::events::error_kind::INCOMPLETE_STREAM.into(),
        raw: None,
    });
    events.push(Event::Finish {
        reason: FinishReason::Error,
        raw_reason: None,
        usage: Usage::default(),
        provider_metadata_json: None,
    });
    let body = encode(Target::OpenAiChat, &events);
    assert!(!String::from_utf8(body).unwrap().contains("[DONE]"));
}

fn read_back(target: Target, family: Family, events: &[Event]) -> crate::message::Message {
    let body = encode(target, events);
    let mut parsed = Vec::new();
    parse(&body, Some(family), Options::default(), &mut parsed).unwrap();
    let mut message = crate::message::Message::default();
    for event in &parsed {
        message.apply(event);
    }
    message
}

fn call(call_id: &str, name: &str, arguments: &str, provider_executed: bool, call_type: Option<&str>) -> [Event; 2] {
    [
        Event::ToolInputStart {
            id: id(call_id),
            name: name.into(),
            choice: 0,
            provider_executed,
        },
        Event::ToolCall {
            id: id(call_id),
            name: name.into(),
            arguments: arguments.into(),
            provider_executed,
            call_type: call_type.map(Into::into),
        },
    ]
}

fn finish() -> Event {
    Event::Finish {
        reason: FinishReason::Stop,
        raw_reason: None,
        usage: Usage::default(),
        provider_metadata_json: None,
    }
}

#[test]
fn refusals_and_built_in_calls_read_back_where_the_target_has_a_place() {
    let mut events = vec![
        Event::RefusalStart {
            id: id("msg_1:0"),
            choice: 0,
        },
        Event::RefusalDelta {
            id: id("msg_1:0"),
            text: "No.".into(),
            logprobs: None,
        },
        Event::RefusalEnd { id: id("msg_1:0") },
    ];
    events.extend(call("c1", "sql", "SELECT 1", false, Some("custom_tool_call")));
    events.extend(call(
        "c2",
        "apply_patch",
        "{\"type\":\"delete_file\"}",
        false,
        Some("apply_patch_call"),
    ));
    // Arguments that are not an object cannot be an `apply_patch_call`: a function call.
    events.extend(call("c3", "apply_patch", "[1]", false, Some("apply_patch_call")));
    events.push(finish());
    let m = read_back(Target::OpenAiResponses, Family::OpenAiResponses, &events);
    assert_eq!(m.refusal, "No.");
    let calls: Vec<_> = m
        .tool_calls
        .iter()
        .map(|c| (c.id.as_str(), c.arguments.as_str(), c.call_type.as_deref()))
        .collect();
    assert_eq!(
        calls,
        [
            ("c1", "SELECT 1", Some("custom_tool_call")),
            ("c2", "{\"type\":\"delete_file\"}", Some("apply_patch_call")),
            ("c3", "[1]", None)
        ]
    );
    assert_eq!(
        read_back(Target::OpenAiChat, Family::OpenAiChat, &events).refusal,
        "No."
    );
    assert_eq!(read_back(Target::Anthropic, Family::Anthropic, &events).refusal, "");
}

#[test]
fn a_server_tool_result_goes_in_its_anthropic_block_when_it_has_that_shape() {
    let result = |call_id: &str, result: &str| Event::ToolResult {
        id: id(call_id),
        name: "web_search".into(),
        result: result.into(),
        is_error: false,
        provider_executed: true,
    };
    let mut events = Vec::new();
    events.extend(call("srv_1", "web_search", "{\"query\":\"x\"}", true, None));
    events.push(result(
        "srv_1",
        "[{\"type\":\"web_search_result\",\"url\":\"https://a.example\"}]",
    ));
    // A Responses web search's action has another shape: not Anthropic content, dropped.
    events.extend(call(
        "ws_2",
        "web_search",
        "{\"type\":\"search\"}",
        true,
        Some("web_search_call"),
    ));
    events.push(result("ws_2", "{\"type\":\"search\"}"));
    events.push(finish());
    let m = read_back(Target::Anthropic, Family::Anthropic, &events);
    let results: Vec<_> = m
        .tool_results
        .iter()
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(results, [("srv_1", "web_search")]);
    assert_eq!(m.tool_calls.len(), 2);
}
