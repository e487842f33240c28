//! `anthropic`: the Messages stream (`message_start`, content blocks, `message_delta`,
//! `message_stop`), one block per part, numbered in order.
//!
//! A reasoning part is a `thinking` block with its signature as a `signature_delta`, or, redacted
//! and without text, a `redacted_thinking` block whose `data` is the signature; its block opens
//! with its first text (or at its end), when it is known which. Usage is all reported in
//! `message_delta` (`message_start` says 0), input tokens split as Anthropic counts them
//! (uncached, cache reads, cache writes); reasoning tokens have no field. An `error` event ends
//! the stream: Anthropic's decoder accepts nothing after it. The result of a server tool goes in
//! that tool's result block (`web_search_tool_result`, ...: `result_block`), its content as sent,
//! when it is that block's content (`is_content_of`: another provider's tool of the same name
//! sends its own shape); other results, and a refusal (Anthropic has no refusal text), are dropped.

use super::json::{raw, string, uint};
use super::{Blocks, Call, Reasons, Writer};
use crate::events::{Event, FinishReason, PartId, Usage};

const KNOWN: &[&str] = &[
    "end_turn",
    "stop_sequence",
    "pause_turn",
    "max_tokens",
    "tool_use",
    "refusal",
];

/// How the `anthropic` decoder reads a stop reason (`families::anthropic`).
fn read(raw: &str) -> FinishReason {
    match raw {
        "end_turn" | "stop_sequence" | "pause_turn" => FinishReason::Stop,
        "max_tokens" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        _ => FinishReason::Other,
    }
}

/// The word for a class.
fn word(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop | FinishReason::Error => "end_turn",
        FinishReason::Length => "max_tokens",
        FinishReason::ToolCalls => "tool_use",
        FinishReason::ContentFilter => "refusal",
        FinishReason::Other => "other",
    }
}

const REASONS: Reasons = Reasons::new(KNOWN, read, word);

#[derive(Debug, Default)]
pub(super) struct Encoder {
    started: bool,
    /// Open text and reasoning parts and their block (`None`: a reasoning block not opened yet).
    blocks: Blocks<Option<u64>>,
}

impl Encoder {
    /// Starts an SSE event named `name`, its data written straight into `out` (a copy from a
    /// buffer cost a fifth of the encoder's time); `end` closes it.
    fn begin(out: &mut Vec<u8>, name: &str) {
        raw(out, "event: ");
        raw(out, name);
        raw(out, "\ndata: ");
    }

    fn end(out: &mut Vec<u8>) {
        raw(out, "\n\n");
    }

    fn start(&mut self, id: Option<&str>, model: Option<&str>, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        Self::begin(out, "message_start");
        raw(out, "{\"type\":\"message_start\",\"message\":{");
        if let Some(id) = id {
            raw(out, "\"id\":");
            string(out, id);
            raw(out, ",");
        }
        raw(out, "\"type\":\"message\",\"role\":\"assistant\",");
        if let Some(model) = model {
            raw(out, "\"model\":");
            string(out, model);
            raw(out, ",");
        }
        raw(
            out,
            "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}",
        );
        Self::end(out);
    }

    /// `content_block_start` of a new block whose `content_block` object is written by `block`.
    fn open_block(&mut self, out: &mut Vec<u8>, block: impl FnOnce(&mut Vec<u8>)) -> u64 {
        self.start(None, None, out);
        let index = self.blocks.next();
        Self::begin(out, "content_block_start");
        raw(out, "{\"type\":\"content_block_start\",\"index\":");
        uint(out, index);
        raw(out, ",\"content_block\":");
        block(out);
        raw(out, "}");
        Self::end(out);
        index
    }

    fn delta(out: &mut Vec<u8>, index: u64, delta: impl FnOnce(&mut Vec<u8>)) {
        Self::begin(out, "content_block_delta");
        raw(out, "{\"type\":\"content_block_delta\",\"index\":");
        uint(out, index);
        raw(out, ",\"delta\":");
        delta(out);
        raw(out, "}");
        Self::end(out);
    }

    fn stop_block(out: &mut Vec<u8>, index: u64) {
        Self::begin(out, "content_block_stop");
        raw(out, "{\"type\":\"content_block_stop\",\"index\":");
        uint(out, index);
        raw(out, "}");
        Self::end(out);
    }

    fn thinking_block(&mut self, out: &mut Vec<u8>) -> u64 {
        self.open_block(out, |b| {
            raw(b, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
        })
    }

    /// The block of an open part, opened now if it is a reasoning part not opened yet.
    fn block_of(&mut self, id: &PartId, out: &mut Vec<u8>) -> Option<u64> {
        if let Some(index) = *self.blocks.get(id)? {
            return Some(index);
        }
        let index = self.thinking_block(out);
        if let Some(block) = self.blocks.get_mut(id) {
            *block = Some(index);
        }
        Some(index)
    }

    fn end_reasoning(&mut self, index: Option<u64>, signature: Option<&str>, redacted: bool, out: &mut Vec<u8>) {
        let signature = signature.filter(|s| !s.is_empty());
        let index = match (index, signature) {
            (None, Some(data)) if redacted => {
                let index = self.open_block(out, |b| {
                    raw(b, "{\"type\":\"redacted_thinking\",\"data\":");
                    string(b, data);
                    raw(b, "}");
                });
                Self::stop_block(out, index);
                return;
            }
            (Some(index), _) => index,
            (None, _) => self.thinking_block(out),
        };
        if let Some(signature) = signature {
            Self::delta(out, index, |b| {
                raw(b, "{\"type\":\"signature_delta\",\"signature\":");
                string(b, signature);
                raw(b, "}");
            });
        }
        Self::stop_block(out, index);
    }

    fn error(&mut self, message: &str, kind: &str, out: &mut Vec<u8>) {
        self.start(None, None, out);
        Self::begin(out, "error");
        raw(out, "{\"type\":\"error\",\"error\":{\"type\":");
        string(out, kind);
        raw(out, ",\"message\":");
        string(out, message);
        raw(out, "}}");
        Self::end(out);
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        match event {
            Event::StreamStart { id, model, .. } => self.start(id.as_deref(), model.as_deref(), out),
            Event::TextStart { id, .. } => {
                let index = self.open_block(out, |b| raw(b, "{\"type\":\"text\",\"text\":\"\"}"));
                self.blocks.open_part(id, Some(index));
            }
            Event::ReasoningStart { id, .. } => {
                self.start(None, None, out);
                self.blocks.open_part(id, None);
            }
            Event::TextDelta { id, text, .. } => {
                if let Some(index) = self.block_of(id, out) {
                    Self::delta(out, index, |b| {
                        raw(b, "{\"type\":\"text_delta\",\"text\":");
                        string(b, text);
                        raw(b, "}");
                    });
                }
            }
            Event::ReasoningDelta { id, text } => {
                if let Some(index) = self.block_of(id, out) {
                    Self::delta(out, index, |b| {
                        raw(b, "{\"type\":\"thinking_delta\",\"thinking\":");
                        string(b, text);
                        raw(b, "}");
                    });
                }
            }
            Event::TextEnd { id } => {
                if let Some(Some(index)) = self.blocks.end_part(id) {
                    Self::stop_block(out, index);
                }
            }
            Event::ReasoningEnd {
                id,
                signature,
                redacted,
            } => {
                if let Some(index) = self.blocks.end_part(id) {
                    self.end_reasoning(index, signature.as_deref(), *redacted, out);
                }
            }
            Event::Error { message, kind, .. } => self.error(message, kind, out),
            Event::ToolResult {
                id,
                name,
                result,
                provider_executed: true,
                ..
            } => {
                if let Some(block_type) = result_block(name).filter(|t| is_content_of(t, result)) {
                    let index = self.open_block(out, |b| {
                        raw(b, "{\"type\":");
                        string(b, block_type);
                        raw(b, ",\"tool_use_id\":");
                        string(b, id);
                        raw(b, ",\"content\":");
                        raw(b, result);
                        raw(b, "}");
                    });
                    Self::stop_block(out, index);
                }
            }
            _ => {}
        }
    }

    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        let (id, name, provider_executed) = (call.id, call.name, call.provider_executed);
        // A call with no arguments: no `input_json_delta`, the block's `input` says `{}`.
        let fragments = call.fragments_for(&[]);
        let index = self.open_block(out, |b| {
            raw(
                b,
                if provider_executed {
                    "{\"type\":\"server_tool_use\",\"id\":"
                } else {
                    "{\"type\":\"tool_use\",\"id\":"
                },
            );
            string(b, id);
            raw(b, ",\"name\":");
            string(b, name);
            raw(b, ",\"input\":{}}");
        });
        for fragment in &fragments {
            Self::delta(out, index, |b| {
                raw(b, "{\"type\":\"input_json_delta\",\"partial_json\":");
                string(b, fragment);
                raw(b, "}");
            });
        }
        Self::stop_block(out, index);
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        if reason == FinishReason::Error {
            // Anthropic ends a failed stream with an `error` event, never a stop reason.
            return self.error("the response failed", "api_error", out);
        }
        self.start(None, None, out);
        for index in self.blocks.take_open() {
            match index {
                Some(index) => Self::stop_block(out, index),
                None => self.end_reasoning(None, None, false, out),
            }
        }
        let cached = usage.cache_read_tokens.saturating_add(usage.cache_write_tokens);
        Self::begin(out, "message_delta");
        raw(out, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":");
        string(out, REASONS.word(reason, raw_reason));
        raw(out, ",\"stop_sequence\":null},\"usage\":{\"input_tokens\":");
        uint(out, usage.input_tokens.saturating_sub(cached));
        raw(out, ",\"cache_creation_input_tokens\":");
        uint(out, usage.cache_write_tokens);
        raw(out, ",\"cache_read_input_tokens\":");
        uint(out, usage.cache_read_tokens);
        raw(out, ",\"output_tokens\":");
        uint(out, usage.output_tokens);
        raw(out, "}}");
        Self::end(out);
        Self::begin(out, "message_stop");
        raw(out, "{\"type\":\"message_stop\"}");
        Self::end(out);
    }

    fn provider_calls(&self) -> bool {
        true
    }
}

/// The result block of an Anthropic server tool, by the tool's name (`server_tool_use.name`).
fn result_block(name: &str) -> Option<&'static str> {
    Some(match name {
        "web_search" => "web_search_tool_result",
        "web_fetch" => "web_fetch_tool_result",
        "code_execution" => "code_execution_tool_result",
        "bash_code_execution" => "bash_code_execution_tool_result",
        "text_editor_code_execution" => "text_editor_code_execution_tool_result",
        "tool_search_tool_regex" | "tool_search_tool_bm25" => "tool_search_tool_result",
        "advisor" => "advisor_tool_result",
        _ => return None,
    })
}

/// Whether `result` is content of a `block_type` block as Anthropic sends it: a list (web search
/// results), or an object whose `type` is the tool's own (`web_fetch_result`,
/// `code_execution_tool_result_error`, ...).
fn is_content_of(block_type: &str, result: &str) -> bool {
    let stem = block_type.strip_suffix("_tool_result").unwrap_or(block_type);
    match serde_json::from_str::<serde_json::Value>(result) {
        Ok(serde_json::Value::Array(_)) => true,
        Ok(serde_json::Value::Object(fields)) => fields
            .get("type")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|t| t.starts_with(stem)),
        _ => false,
    }
}
