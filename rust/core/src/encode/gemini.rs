//! `gemini`: `GenerateContentResponse` chunks, one part each, as `data:` lines (`alt=sse`) or as
//! the items of one JSON array (the endpoint without `alt=sse`).
//!
//! Gemini has no part ids and no part boundaries: consecutive text (or thought) parts read back
//! as one. A signature rides on the part it signs, as Gemini sends it: a reasoning part with text
//! is signed by a thought part carrying only `thoughtSignature`; a signature alone (no reasoning
//! text, e.g. the one Gemini puts on a function call) goes on the next part written. Gemini has
//! no redacted reasoning: the data is a plain signature. `thoughtSignature` is bytes (base64 in
//! JSON): a signature that is not standard base64 (another provider's opaque text) is dropped, as
//! Gemini's client refuses it. Function call `args` are the arguments' JSON text as is when it is
//! an object, else `{}`. Usage is sent once, on the last chunk. A provider-run code execution
//! goes back as Gemini's own `executableCode` / `codeExecutionResult` parts when its arguments and
//! result have their shape (`gemini_code`); other provider-run calls and results are dropped. A
//! file (but a preview) is an `inlineData` part, as Gemini sends a generated image.

use super::json::{is_object, raw, string, uint};
use super::{Call, Reasons, Writer};
use crate::events::{Event, FinishReason, PartId, Usage};

const KNOWN: &[&str] = &[
    "MAX_TOKENS",
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "MALFORMED_FUNCTION_CALL",
];

/// How the `gemini` decoder reads a finish reason (`STOP` is `stop` or `tool_calls`: not listed).
fn read(raw: &str) -> FinishReason {
    match raw {
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" => FinishReason::ContentFilter,
        "MALFORMED_FUNCTION_CALL" => FinishReason::Error,
        _ => FinishReason::Other,
    }
}

/// The word for a class.
fn word(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop | FinishReason::ToolCalls | FinishReason::Error => "STOP",
        FinishReason::Length => "MAX_TOKENS",
        FinishReason::ContentFilter => "SAFETY",
        FinishReason::Other => "OTHER",
    }
}

const REASONS: Reasons = Reasons::new(KNOWN, read, word);

#[derive(Debug)]
pub(super) struct Encoder {
    json_array: bool,
    /// `,"modelVersion":…,"responseId":…`, which ends every chunk: written once.
    ids: Vec<u8>,
    /// Chunks written (the JSON array's separators).
    chunks: u64,
    /// The reasoning part open and whether it had text.
    reasoning: Option<(PartId, bool)>,
    /// A signature waiting for the next part.
    signature: Option<String>,
}

impl Encoder {
    pub(super) fn new(json_array: bool) -> Self {
        Self {
            json_array,
            ids: Vec::new(),
            chunks: 0,
            reasoning: None,
            signature: None,
        }
    }

    /// Starts a chunk, written straight into `out` (a copy from a buffer cost a fifth of the
    /// encoder's time): the array's separator or the SSE `data: `; `end` closes it.
    fn begin(&mut self, out: &mut Vec<u8>) {
        if self.json_array {
            out.extend_from_slice(if self.chunks == 0 { b"[" } else { b",\r\n" });
        } else {
            out.extend_from_slice(b"data: ");
        }
        self.chunks += 1;
    }

    fn end(&self, out: &mut Vec<u8>) {
        if !self.json_array {
            out.extend_from_slice(b"\r\n\r\n");
        }
    }

    /// The chunk's tail after its `candidates`: usage (when given), model and response id.
    fn tail(&self, out: &mut Vec<u8>, usage: Option<&Usage>) {
        if let Some(u) = usage {
            raw(out, ",\"usageMetadata\":{\"promptTokenCount\":");
            uint(out, u.input_tokens);
            raw(out, ",\"candidatesTokenCount\":");
            uint(out, u.output_tokens.saturating_sub(u.reasoning_tokens));
            raw(out, ",\"totalTokenCount\":");
            uint(out, u.total_tokens);
            if u.cache_read_tokens > 0 {
                raw(out, ",\"cachedContentTokenCount\":");
                uint(out, u.cache_read_tokens);
            }
            if u.reasoning_tokens > 0 {
                raw(out, ",\"thoughtsTokenCount\":");
                uint(out, u.reasoning_tokens);
            }
            raw(out, "}");
        }
        out.extend_from_slice(&self.ids);
        raw(out, "}");
    }

    /// A chunk of one part, written by `part` (the part object's inside, before its signature).
    fn part(&mut self, out: &mut Vec<u8>, part: impl FnOnce(&mut Vec<u8>)) {
        self.begin(out);
        raw(out, "{\"candidates\":[{\"content\":{\"parts\":[{");
        part(out);
        if let Some(signature) = self.signature.take() {
            raw(out, ",\"thoughtSignature\":");
            string(out, &signature);
        }
        raw(out, "}],\"role\":\"model\"},\"index\":0}]");
        self.tail(out, None);
        self.end(out);
    }

    fn text(&mut self, out: &mut Vec<u8>, text: &str, thought: bool) {
        self.part(out, |b| {
            raw(b, "\"text\":");
            string(b, text);
            if thought {
                raw(b, ",\"thought\":true");
            }
        });
    }

    /// A signature left waiting goes out on a part of its own (what comes next cannot carry it).
    fn flush_signature(&mut self, out: &mut Vec<u8>) {
        if self.signature.is_some() {
            self.text(out, "", false);
        }
    }

    fn error(&mut self, message: &str, kind: &str, out: &mut Vec<u8>) {
        self.flush_signature(out);
        self.begin(out);
        raw(out, "{\"error\":{\"code\":500,\"message\":");
        string(out, message);
        raw(out, ",\"status\":");
        string(out, kind);
        raw(out, "}}");
        self.end(out);
    }

    pub(super) fn close(&mut self, out: &mut Vec<u8>) {
        if self.json_array {
            out.extend_from_slice(if self.chunks == 0 { b"[]" } else { b"]" });
        }
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        match event {
            Event::StreamStart { id, model, .. } if self.chunks == 0 => {
                self.ids.clear();
                if let Some(model) = model {
                    raw(&mut self.ids, ",\"modelVersion\":");
                    string(&mut self.ids, model);
                }
                if let Some(id) = id {
                    raw(&mut self.ids, ",\"responseId\":");
                    string(&mut self.ids, id);
                }
            }
            Event::ReasoningStart { id, .. } => {
                self.flush_signature(out);
                self.reasoning = Some((id.clone(), false));
            }
            Event::ReasoningDelta { id, text } => {
                self.flush_signature(out);
                if let Some((open, had_text)) = &mut self.reasoning {
                    if open == id && !text.is_empty() {
                        *had_text = true;
                    }
                }
                self.text(out, text, true);
            }
            Event::ReasoningEnd { id, signature, .. } => {
                let had_text = match self.reasoning.take() {
                    Some((open, had_text)) if open == *id => had_text,
                    other => {
                        self.reasoning = other;
                        false
                    }
                };
                if let Some(signature) = signature.as_ref().filter(|s| is_base64(s)) {
                    self.flush_signature(out);
                    self.signature = Some(signature.clone());
                    if had_text {
                        self.text(out, "", true);
                    }
                }
            }
            Event::TextDelta { text, .. } => self.text(out, text, false),
            Event::Error { message, kind, .. } => self.error(message, kind, out),
            Event::ToolResult {
                name,
                result,
                provider_executed: true,
                ..
            } if name == "code_execution" && gemini_code(result, &["outcome", "output", "id"], "outcome") => {
                self.part(out, |b| {
                    raw(b, "\"codeExecutionResult\":");
                    raw(b, result);
                });
            }
            Event::File {
                media_type,
                data,
                partial: false,
                ..
            } => self.part(out, |b| {
                raw(b, "\"inlineData\":{\"mimeType\":");
                string(b, media_type);
                raw(b, ",\"data\":\"");
                raw(b, &crate::b64::encode(data));
                raw(b, "\"}");
            }),
            _ => {}
        }
    }

    fn provider_calls(&self) -> bool {
        true
    }

    // Gemini sends a call whole: of the fragments it only matters whether there were any.
    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        let arguments = call.arguments;
        if call.provider_executed {
            if call.name == "code_execution" && gemini_code(arguments, &["code", "language", "id"], "code") {
                self.part(out, |b| {
                    raw(b, "\"executableCode\":");
                    raw(b, arguments);
                });
            }
            return;
        }
        // A call sent with no arguments has no `args`, as Gemini sends it.
        let args = if call.fragments.is_empty() && arguments == "{}" {
            None
        } else if is_object(arguments) {
            Some(arguments)
        } else {
            Some("{}")
        };
        self.part(out, |b| {
            raw(b, "\"functionCall\":{\"id\":");
            string(b, call.id);
            raw(b, ",\"name\":");
            string(b, call.name);
            if let Some(args) = args {
                raw(b, ",\"args\":");
                raw(b, args);
            }
            raw(b, "}");
        });
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        if reason == FinishReason::Error && REASONS.own_raw(reason, raw_reason).is_none() {
            return self.error("the response failed", "INTERNAL", out);
        }
        self.flush_signature(out);
        self.begin(out);
        raw(out, "{\"candidates\":[{\"finishReason\":");
        string(out, REASONS.word(reason, raw_reason));
        raw(out, ",\"index\":0}]");
        self.tail(out, Some(usage));
        self.end(out);
    }
}

/// Whether `text` is standard base64 with its padding (what Gemini's `bytes` fields take), and
/// not empty.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !text.is_empty()
        && text.len() % 4 == 0
        && text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Whether `text` is an object of Gemini's shape for a code execution part: every key one of
/// `keys` (its client refuses others), `required` among them.
fn gemini_code(text: &str, keys: &[&str], required: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) => {
            fields.contains_key(required) && fields.keys().all(|k| keys.contains(&k.as_str()))
        }
        _ => false,
    }
}
