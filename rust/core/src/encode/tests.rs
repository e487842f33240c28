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
            signature: Some("sig==".into()),
            redacted: false,
        },
        Event::TextStart { id: id("t"), choice: 0 },
        Event::TextDelta {
            id: id("t"),
            text: "Hé".into(),
        },
        Event::TextDelta {
            id: id("t"),
            text: "llo\u{1}".into(),
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
    let body = encode(target, &sample());
    let mut events = Vec::new();
    parse(&body, Some(family), Options::default(), &mut events).unwrap();
    let mut message = crate::message::Message::default();
    for event in &events {
        message.apply(event);
    }
    message
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
        assert_eq!(m.reasoning_signatures, ["sig=="], "{target:?}");
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
