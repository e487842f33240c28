//! `openai-chat`: `chat.completion.chunk` payloads, `stream_options.include_usage` style (a last
//! chunk with empty `choices` and the `usage`), then `data: [DONE]`.
//!
//! Chat has no part boundaries: consecutive text (or reasoning) parts read back as one. Reasoning
//! text goes in `reasoning_content` (`DeepSeek`, vLLM, `LiteLLM`); its signature in `OpenRouter`'s
//! `reasoning_details` (`reasoning.text` with a `signature`, or `reasoning.encrypted` data for a
//! redacted part). `created` is the stream start's, 0 when it has none. A final `audio/pcm` file is a
//! `delta.audio` chunk (its id and data), an image one a `delta.images` data URL (`OpenRouter`).

use super::json::{int, is_array, raw, string, uint};
use super::{sse, Call, Reasons, Writer};
use crate::events::{Event, FinishReason, Usage};
use crate::families::openai_chat::AUDIO_MEDIA_TYPE;

const KNOWN: &[&str] = &[
    "stop",
    "length",
    "tool_calls",
    "content_filter",
    "function_call",
    "error",
];

/// How the `openai-chat` decoder reads a finish reason (`families::openai_chat`).
fn read(raw: &str) -> FinishReason {
    match raw {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        "error" => FinishReason::Error,
        _ => FinishReason::Other,
    }
}

/// The word for a class (`FinishReason::as_str` is chat's own vocabulary).
fn word(reason: FinishReason) -> &'static str {
    reason.as_str()
}

const REASONS: Reasons = Reasons::new(KNOWN, read, word);

/// Which list of a choice's `logprobs` a delta's entries go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logprobs {
    Content,
    Refusal,
}

#[derive(Debug, Default)]
pub(super) struct Encoder {
    /// `{"id":…,"object":"chat.completion.chunk","created":0,"model":…`, which starts every chunk:
    /// written once (empty until the first chunk or `stream_start`).
    head: Vec<u8>,
    /// The first chunk (`role`) was written.
    started: bool,
    /// Tool calls written so far (the next one's `index`).
    tools: u64,
    /// `reasoning_details` entries written so far (the next one's `index`: clients merge entries by it).
    details: u64,
}

impl Encoder {
    fn set_head(&mut self, id: &str, model: &str, created: i64) {
        self.head.clear();
        raw(&mut self.head, "{\"id\":");
        string(&mut self.head, id);
        raw(&mut self.head, ",\"object\":\"chat.completion.chunk\",\"created\":");
        int(&mut self.head, created);
        raw(&mut self.head, ",\"model\":");
        string(&mut self.head, model);
    }

    /// Starts a chunk's SSE event, written straight into `out` (a copy from a buffer cost a
    /// fifth of the encoder's time): `data: ` and the chunk's head; `end` closes the event.
    fn head(&mut self, out: &mut Vec<u8>) {
        if self.head.is_empty() {
            self.set_head("", "", 0);
        }
        raw(out, "data: ");
        out.extend_from_slice(&self.head);
    }

    fn end(out: &mut Vec<u8>) {
        raw(out, "\n\n");
    }

    /// A chunk of choice 0 whose `delta` is written by `delta` (the object's inside).
    fn chunk(&mut self, out: &mut Vec<u8>, delta: impl FnOnce(&mut Vec<u8>)) {
        self.chunk_with_logprobs(out, delta, None);
    }

    /// A chunk of one text member of the delta (`key` with its colon), with its logprobs if any.
    fn text_chunk(&mut self, out: &mut Vec<u8>, key: &str, text: &str, logprobs: Option<(Logprobs, &str)>) {
        self.chunk_with_logprobs(
            out,
            |b| {
                raw(b, key);
                string(b, text);
            },
            logprobs,
        );
    }

    /// A chunk whose choice carries `logprobs` (`{"content": …}` or `{"refusal": …}`, the array
    /// as the delta holds it; one that is not a JSON array is dropped).
    fn chunk_with_logprobs(
        &mut self,
        out: &mut Vec<u8>,
        delta: impl FnOnce(&mut Vec<u8>),
        logprobs: Option<(Logprobs, &str)>,
    ) {
        self.start(out);
        self.head(out);
        raw(out, ",\"choices\":[{\"index\":0,\"delta\":{");
        delta(out);
        raw(out, "}");
        if let Some((of, array)) = logprobs.filter(|(_, array)| is_array(array)) {
            raw(
                out,
                match of {
                    Logprobs::Content => ",\"logprobs\":{\"content\":",
                    Logprobs::Refusal => ",\"logprobs\":{\"content\":null,\"refusal\":",
                },
            );
            raw(out, array);
            raw(
                out,
                if of == Logprobs::Content {
                    ",\"refusal\":null}"
                } else {
                    "}"
                },
            );
        }
        raw(out, ",\"finish_reason\":null}]}");
        Self::end(out);
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.head(out);
        raw(
            out,
            ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
        );
        Self::end(out);
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        match event {
            Event::StreamStart { id, model, created } => {
                self.set_head(
                    id.as_deref().unwrap_or_default(),
                    model.as_deref().unwrap_or_default(),
                    created.unwrap_or_default(),
                );
                self.start(out);
            }
            Event::TextDelta { text, logprobs, .. } => {
                self.text_chunk(
                    out,
                    "\"content\":",
                    text,
                    logprobs.as_deref().map(|l| (Logprobs::Content, l)),
                );
            }
            Event::ReasoningDelta { text, .. } => self.text_chunk(out, "\"reasoning_content\":", text, None),
            Event::RefusalDelta { text, logprobs, .. } => {
                self.text_chunk(
                    out,
                    "\"refusal\":",
                    text,
                    logprobs.as_deref().map(|l| (Logprobs::Refusal, l)),
                );
            }
            Event::ReasoningEnd {
                signature: Some(signature),
                redacted,
                ..
            } if !signature.is_empty() => {
                let index = self.details;
                self.details += 1;
                self.chunk(out, |b| {
                    raw(b, "\"reasoning_details\":[{\"index\":");
                    uint(b, index);
                    if *redacted {
                        raw(b, ",\"type\":\"reasoning.encrypted\",\"data\":");
                    } else {
                        raw(b, ",\"type\":\"reasoning.text\",\"text\":\"\",\"signature\":");
                    }
                    string(b, signature);
                    raw(b, "}]");
                });
            }
            // The audio chat streams (`pcm16`, the only streamed format) and `OpenRouter`'s images;
            // a file of another type, or a preview, has no place in a chunk.
            Event::File {
                id,
                media_type,
                data,
                partial: false,
            } if media_type == AUDIO_MEDIA_TYPE => self.chunk(out, |b| {
                raw(b, "\"audio\":{\"id\":");
                string(b, id);
                raw(b, ",\"data\":\"");
                raw(b, &crate::b64::encode(data));
                raw(b, "\"}");
            }),
            Event::File {
                media_type,
                data,
                partial: false,
                ..
            } if media_type.starts_with("image/") => self.chunk(out, |b| {
                raw(b, "\"images\":[{\"type\":\"image_url\",\"image_url\":{\"url\":");
                string(b, &format!("data:{media_type};base64,{}", crate::b64::encode(data)));
                raw(b, "}}]");
            }),
            Event::Error { message, kind, .. } => {
                self.start(out);
                self.head(out);
                raw(out, ",\"error\":{\"message\":");
                string(out, message);
                raw(out, ",\"type\":");
                string(out, kind);
                raw(out, "}}");
                Self::end(out);
            }
            _ => {}
        }
    }

    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        let (id, name) = (call.id, call.name);
        // A call with no arguments: its first chunk says `""`, as OpenAI sends it.
        let fragments = call.fragments_for(&[""]);
        let index = self.tools;
        self.tools += 1;
        for (n, fragment) in fragments.iter().enumerate() {
            self.chunk(out, |b| {
                raw(b, "\"tool_calls\":[{\"index\":");
                uint(b, index);
                if n == 0 {
                    raw(b, ",\"id\":");
                    string(b, id);
                    raw(b, ",\"type\":\"function\",\"function\":{\"name\":");
                    string(b, name);
                    raw(b, ",\"arguments\":");
                } else {
                    raw(b, ",\"function\":{\"arguments\":");
                }
                string(b, fragment);
                raw(b, "}}]");
            });
        }
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        self.start(out);
        self.head(out);
        raw(out, ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":");
        string(out, REASONS.word(reason, raw_reason));
        raw(out, "}]}");
        Self::end(out);
        self.head(out);
        raw(out, ",\"choices\":[],\"usage\":{\"prompt_tokens\":");
        uint(out, usage.input_tokens);
        raw(out, ",\"completion_tokens\":");
        uint(out, usage.output_tokens);
        raw(out, ",\"total_tokens\":");
        uint(out, usage.total_tokens);
        raw(out, ",\"prompt_tokens_details\":{\"cached_tokens\":");
        uint(out, usage.cache_read_tokens);
        if usage.cache_write_tokens > 0 {
            raw(out, ",\"cache_write_tokens\":");
            uint(out, usage.cache_write_tokens);
        }
        raw(out, "},\"completion_tokens_details\":{\"reasoning_tokens\":");
        uint(out, usage.reasoning_tokens);
        raw(out, "}}}");
        Self::end(out);
        sse(out, None, b"[DONE]");
    }

    // Chat has no closing error event: what follows an error chunk is written too.
    fn ends_on_error(&self) -> bool {
        false
    }
}
