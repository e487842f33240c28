//! Lines built from Ollama's API reference (docs/api.md: "Generate a chat completion", "Generate a
//! completion"); no recording of Ollama's native API exists in the corpora.

use super::super::test_support::{events, events_split, types};
use super::super::Family;
use crate::events::{Event, FinishReason};

const CHAT: &str = concat!(
    "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.836222Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Let me\"},\"done\":false}\n",
    "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:56.9Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\" think\"},\"done\":false}\n",
    "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:57Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n",
    "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:57Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\": \"Tokyo\"}}}]},\"done\":false}\n",
    "{\"model\":\"qwen3\",\"created_at\":\"2025-05-29T09:35:58Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"total_duration\":1,\"prompt_eval_count\":26,\"eval_count\":259}\n",
);

#[test]
fn chat_thinking_text_tool_call_and_usage() {
    let got = events(Family::Ollama, CHAT);
    assert_eq!(
        types(&got),
        [
            "stream_start",
            "reasoning_start",
            "reasoning_delta",
            "reasoning_delta",
            "reasoning_end",
            "text_start",
            "text_delta",
            "text_end",
            "tool_input_start",
            "tool_input_delta",
            "tool_input_end",
            "tool_call",
            "finish"
        ]
    );
    assert!(matches!(&got[11], Event::ToolCall { id, name, arguments, .. }
        if &**id == "call_0" && name == "get_weather" && arguments == "{\"city\": \"Tokyo\"}"));
    assert!(
        matches!(&got[12], Event::Finish { reason: FinishReason::ToolCalls, usage, .. }
        if usage.input_tokens == 26 && usage.output_tokens == 259 && usage.total_tokens == 285)
    );
    for cut in 0..=CHAT.len() {
        assert_eq!(events_split(Family::Ollama, CHAT, vec![cut]), got, "cut {cut}");
    }
}

#[test]
fn generate_error_line_and_cut_stream() {
    let generate = "{\"model\":\"llama3.2\",\"created_at\":\"x\",\"response\":\"The\",\"done\":false}\n{\"model\":\"llama3.2\",\"created_at\":\"x\",\"response\":\"\",\"done\":true,\"done_reason\":\"length\",\"prompt_eval_count\":3,\"eval_count\":1}\n";
    let got = events(Family::Ollama, generate);
    assert!(matches!(
        got.last(),
        Some(Event::Finish {
            reason: FinishReason::Length,
            ..
        })
    ));
    let errored = events(
        Family::Ollama,
        "{\"model\":\"m\",\"created_at\":\"x\",\"response\":\"a\",\"done\":false}\n{\"error\":\"out of memory\"}\n",
    );
    assert_eq!(
        types(&errored),
        [
            "stream_start",
            "text_start",
            "text_delta",
            "text_end",
            "error",
            "finish"
        ]
    );
    let cut = events(
        Family::Ollama,
        "{\"model\":\"m\",\"created_at\":\"x\",\"response\":\"a\",\"done\":false}\n",
    );
    assert!(matches!(&cut[4], Event::Error { kind, .. } if kind == "incomplete_stream"));
}

#[test]
fn an_error_that_is_not_a_string_is_passed_over() {
    // Tolerant reader: `error` is a string field, so a value of another JSON type reads as absent.
    let got = events(
        Family::Ollama,
        "{\"error\":[],\"model\":\"m\",\"response\":\"a\",\"done\":true}\n",
    );
    assert_eq!(
        types(&got),
        ["stream_start", "text_start", "text_delta", "text_end", "finish"]
    );
}
