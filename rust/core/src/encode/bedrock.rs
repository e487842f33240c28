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
use crate::eventstream::Frame;

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
}

/// The headers of an event frame of type `event_type`.
fn event_headers(event_type: &str) -> [(&str, &str); 3] {
    [
        (":event-type", event_type),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ]
}

/// The headers of the frames written most, encoded (`event_headers`, as `encode_headers` writes
/// them; a test holds them to it): each name and value after its length.
macro_rules! encoded_event_headers {
    ($event_type:literal, $len:literal) => {
        concat!(
            "\x0b:event-type\x07\x00",
            $len,
            $event_type,
            "\x0d:content-type\x07\x00\x10application/json\x0d:message-type\x07\x00\x05event"
        )
        .as_bytes()
    };
}
const DELTA_HEADERS: &[u8] = encoded_event_headers!("contentBlockDelta", '\x11');
const STOP_HEADERS: &[u8] = encoded_event_headers!("contentBlockStop", '\x10');

impl Encoder {
    /// An event frame of type `event_type` whose payload is written by `payload`, straight into
    /// `out`.
    fn frame(out: &mut Vec<u8>, event_type: &str, payload: impl FnOnce(&mut Vec<u8>)) {
        let frame = Frame::begin_with(out, &event_headers(event_type));
        payload(out);
        frame.end(out);
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        Self::frame(out, "messageStart", |b| raw(b, "{\"role\":\"assistant\"}"));
    }

    fn block(&mut self, out: &mut Vec<u8>) -> u64 {
        self.start(out);
        self.blocks.next()
    }

    /// A `contentBlockDelta` whose `delta` object is written by `delta`, straight into `out`, the
    /// most frequent frame (with its headers encoded once and `crc32`'s hasher made once, the
    /// corpus into Bedrock went from 49.5M to 48.4M instructions, callgrind).
    fn delta(out: &mut Vec<u8>, index: u64, delta: impl FnOnce(&mut Vec<u8>)) {
        let frame = Frame::begin(out, DELTA_HEADERS);
        raw(out, "{\"contentBlockIndex\":");
        uint(out, index);
        raw(out, ",\"delta\":");
        delta(out);
        raw(out, "}");
        frame.end(out);
    }

    fn stop_block(out: &mut Vec<u8>, index: u64) {
        let frame = Frame::begin(out, STOP_HEADERS);
        raw(out, "{\"contentBlockIndex\":");
        uint(out, index);
        raw(out, "}");
        frame.end(out);
    }

    fn error(&mut self, message: &str, kind: &str, out: &mut Vec<u8>) {
        self.start(out);
        let headers = [
            (":exception-type", kind),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        ];
        let frame = Frame::begin_with(out, &headers);
        raw(out, "{\"message\":");
        string(out, message);
        raw(out, "}");
        frame.end(out);
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
                    Self::delta(out, index, |b| {
                        raw(b, "{\"text\":");
                        string(b, text);
                        raw(b, "}");
                    });
                }
            }
            Event::ReasoningDelta { id, text } => {
                if let Some(index) = self.blocks.get(id).copied().filter(|_| !text.is_empty()) {
                    Self::delta(out, index, |b| {
                        raw(b, "{\"reasoningContent\":{\"text\":");
                        string(b, text);
                        raw(b, "}}");
                    });
                }
            }
            Event::TextEnd { id } => {
                if let Some(index) = self.blocks.end_part(id) {
                    Self::stop_block(out, index);
                }
            }
            Event::ReasoningEnd {
                id,
                signature,
                redacted,
            } => {
                if let Some(index) = self.blocks.end_part(id) {
                    if let Some(signature) = signature.as_ref().filter(|s| !s.is_empty()) {
                        Self::delta(out, index, |b| {
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
                    Self::stop_block(out, index);
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
        Self::frame(out, "contentBlockStart", |b| {
            raw(b, "{\"contentBlockIndex\":");
            uint(b, index);
            raw(b, ",\"start\":{\"toolUse\":{\"toolUseId\":");
            string(b, id);
            raw(b, ",\"name\":");
            string(b, name);
            raw(b, "}}}");
        });
        for fragment in &fragments {
            Self::delta(out, index, |b| {
                raw(b, "{\"toolUse\":{\"input\":");
                string(b, fragment);
                raw(b, "}}");
            });
        }
        Self::stop_block(out, index);
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        if reason == FinishReason::Error {
            return self.error("the response failed", "internalServerException", out);
        }
        self.start(out);
        for index in self.blocks.take_open() {
            Self::stop_block(out, index);
        }
        Self::frame(out, "messageStop", |b| {
            raw(b, "{\"stopReason\":");
            string(b, REASONS.word(reason, raw_reason));
            raw(b, "}");
        });
        let cached = usage.cache_read_tokens.saturating_add(usage.cache_write_tokens);
        Self::frame(out, "metadata", |b| {
            raw(b, "{\"usage\":{\"inputTokens\":");
            uint(b, usage.input_tokens.saturating_sub(cached));
            raw(b, ",\"outputTokens\":");
            uint(b, usage.output_tokens);
            raw(b, ",\"totalTokens\":");
            uint(b, usage.total_tokens);
            raw(b, ",\"cacheReadInputTokens\":");
            uint(b, usage.cache_read_tokens);
            raw(b, ",\"cacheWriteInputTokens\":");
            uint(b, usage.cache_write_tokens);
            raw(b, "},\"metrics\":{\"latencyMs\":0}}");
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{event_headers, DELTA_HEADERS, STOP_HEADERS};
    use crate::eventstream::encode_headers;

    #[test]
    fn the_headers_written_as_constants_are_those_encoded() {
        assert_eq!(DELTA_HEADERS, encode_headers(&event_headers("contentBlockDelta")));
        assert_eq!(STOP_HEADERS, encode_headers(&event_headers("contentBlockStop")));
    }
}
