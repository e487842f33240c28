//! `bedrock`: `ConverseStream` events, one AWS event-stream frame each (string headers, both
//! CRCs), as the service sends them: `messageStart`, content blocks numbered in order (a tool
//! use block opens with `contentBlockStart`, text and reasoning with their first delta),
//! `messageStop`, then `metadata` with the usage.
//!
//! Converse has no response id or model, and no field for reasoning tokens: dropped. Input tokens
//! are split as Bedrock counts them (uncached, cache reads, cache writes). A signature is a
//! `reasoningContent.signature` delta; redacted data a `redactedContent` one. An error is an
//! `exception` frame, after which the decoder accepts nothing. Provider-run calls are dropped.

use super::json::{raw, string, uint};
use super::{Blocks, Call, Reasons, Writer};
use crate::events::{Event, FinishReason, Usage};
use crate::eventstream::write_frame;

const KNOWN: &[&str] = &[
    "end_turn",
    "stop_sequence",
    "max_tokens",
    "tool_use",
    "guardrail_intervened",
    "content_filtered",
];

/// How the `bedrock` decoder reads a Converse stop reason (`families::bedrock::finish_reason`).
fn read(raw: &str) -> FinishReason {
    crate::families::bedrock::finish_reason(Some(raw))
}

/// The word for a class.
fn word(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop | FinishReason::Error => "end_turn",
        FinishReason::Length => "max_tokens",
        FinishReason::ToolCalls => "tool_use",
        FinishReason::ContentFilter => "content_filtered",
        FinishReason::Other => "other",
    }
}

const REASONS: Reasons = Reasons::new(KNOWN, read, word);

#[derive(Debug, Default)]
pub(super) struct Encoder {
    started: bool,
    /// Open text and reasoning parts and their block index.
    blocks: Blocks<u64>,
    buf: Vec<u8>,
}

impl Encoder {
    fn frame(&mut self, out: &mut Vec<u8>, event_type: &str) {
        let headers = [
            (":event-type", event_type),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ];
        write_frame(out, &headers, &self.buf);
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.buf.clear();
        raw(&mut self.buf, "{\"role\":\"assistant\"}");
        self.frame(out, "messageStart");
    }

    fn block(&mut self, out: &mut Vec<u8>) -> u64 {
        self.start(out);
        self.blocks.next()
    }

    /// A `contentBlockDelta` whose `delta` object is written by `delta`.
    fn delta(&mut self, out: &mut Vec<u8>, index: u64, delta: impl FnOnce(&mut Vec<u8>)) {
        self.buf.clear();
        raw(&mut self.buf, "{\"contentBlockIndex\":");
        uint(&mut self.buf, index);
        raw(&mut self.buf, ",\"delta\":");
        delta(&mut self.buf);
        raw(&mut self.buf, "}");
        self.frame(out, "contentBlockDelta");
    }

    fn stop_block(&mut self, out: &mut Vec<u8>, index: u64) {
        self.buf.clear();
        raw(&mut self.buf, "{\"contentBlockIndex\":");
        uint(&mut self.buf, index);
        raw(&mut self.buf, "}");
        self.frame(out, "contentBlockStop");
    }

    fn error(&mut self, message: &str, kind: &str, out: &mut Vec<u8>) {
        self.start(out);
        self.buf.clear();
        raw(&mut self.buf, "{\"message\":");
        string(&mut self.buf, message);
        raw(&mut self.buf, "}");
        let headers = [
            (":exception-type", kind),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ];
        write_frame(out, &headers, &self.buf);
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        match event {
            Event::StreamStart { .. } => self.start(out),
            Event::TextStart { id, .. } | Event::ReasoningStart { id, .. } => {
                let index = self.block(out);
                self.blocks.open_part(id, index);
            }
            Event::TextDelta { id, text, .. } => {
                if let Some(index) = self.blocks.get(id).copied().filter(|_| !text.is_empty()) {
                    self.delta(out, index, |b| {
                        raw(b, "{\"text\":");
                        string(b, text);
                        raw(b, "}");
                    });
                }
            }
            Event::ReasoningDelta { id, text } => {
                if let Some(index) = self.blocks.get(id).copied().filter(|_| !text.is_empty()) {
                    self.delta(out, index, |b| {
                        raw(b, "{\"reasoningContent\":{\"text\":");
                        string(b, text);
                        raw(b, "}}");
                    });
                }
            }
            Event::TextEnd { id } => {
                if let Some(index) = self.blocks.end_part(id) {
                    self.stop_block(out, index);
                }
            }
            Event::ReasoningEnd {
                id,
                signature,
                redacted,
            } => {
                if let Some(index) = self.blocks.end_part(id) {
                    if let Some(signature) = signature.as_ref().filter(|s| !s.is_empty()) {
                        self.delta(out, index, |b| {
                            raw(
                                b,
                                if *redacted {
                                    "{\"reasoningContent\":{\"redactedContent\":"
                                } else {
                                    "{\"reasoningContent\":{\"signature\":"
                                },
                            );
                            string(b, signature);
                            raw(b, "}}");
                        });
                    }
                    self.stop_block(out, index);
                }
            }
            Event::Error { message, kind, .. } => self.error(message, kind, out),
            _ => {}
        }
    }

    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        let (id, name) = (call.id, call.name);
        let fragments = call.fragments_for(&[]);
        let index = self.block(out);
        self.buf.clear();
        raw(&mut self.buf, "{\"contentBlockIndex\":");
        uint(&mut self.buf, index);
        raw(&mut self.buf, ",\"start\":{\"toolUse\":{\"toolUseId\":");
        string(&mut self.buf, id);
        raw(&mut self.buf, ",\"name\":");
        string(&mut self.buf, name);
        raw(&mut self.buf, "}}}");
        self.frame(out, "contentBlockStart");
        for fragment in &fragments {
            self.delta(out, index, |b| {
                raw(b, "{\"toolUse\":{\"input\":");
                string(b, fragment);
                raw(b, "}}");
            });
        }
        self.stop_block(out, index);
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        if reason == FinishReason::Error {
            return self.error("the response failed", "internalServerException", out);
        }
        self.start(out);
        for index in self.blocks.take_open() {
            self.stop_block(out, index);
        }
        self.buf.clear();
        raw(&mut self.buf, "{\"stopReason\":");
        string(&mut self.buf, REASONS.word(reason, raw_reason));
        raw(&mut self.buf, "}");
        self.frame(out, "messageStop");
        let cached = usage.cache_read_tokens.saturating_add(usage.cache_write_tokens);
        self.buf.clear();
        raw(&mut self.buf, "{\"usage\":{\"inputTokens\":");
        uint(&mut self.buf, usage.input_tokens.saturating_sub(cached));
        raw(&mut self.buf, ",\"outputTokens\":");
        uint(&mut self.buf, usage.output_tokens);
        raw(&mut self.buf, ",\"totalTokens\":");
        uint(&mut self.buf, usage.total_tokens);
        raw(&mut self.buf, ",\"cacheReadInputTokens\":");
        uint(&mut self.buf, usage.cache_read_tokens);
        raw(&mut self.buf, ",\"cacheWriteInputTokens\":");
        uint(&mut self.buf, usage.cache_write_tokens);
        raw(&mut self.buf, "},\"metrics\":{\"latencyMs\":0}}");
        self.frame(out, "metadata");
    }
}
