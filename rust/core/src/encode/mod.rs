//! The way back: normalized events into one family's wire bytes, what that provider would have
//! sent (the reverse of `families`). One module per target; `docs/encoding.md` holds the table of
//! what each target carries and what it drops (the Python twin, `reference/encode/`, writes the
//! same bytes).
//!
//! Rules every target shares:
//! - Text and reasoning stream as they come. A tool call is held from its `tool_input_start` to
//!   its `tool_call`, which says whether the provider ran it (`provider_executed`), and is then
//!   written whole, one wire fragment per `tool_input_delta` (or its arguments whole where the
//!   fragments do not add up to them): a target with no place for provider-run calls drops them,
//!   and a client never sees half of a call it must not run.
//! - `finish` closes what is open and ends the stream the target's way. A stream reported cut
//!   (`error(kind="incomplete_stream")`) stays cut: nothing follows, so its client sees a cut
//!   stream too. Without `finish`, `close()` adds nothing but the end of a JSON array.
//! - `unknown` events, and a `finish`'s `provider_metadata_json` and `cost`, are dropped: each
//!   target writes its own usage object.

mod anthropic;
mod bedrock;
mod gemini;
pub mod json;
mod openai_chat;
mod openai_responses;

use crate::events::{error_kind, Event, FinishReason, PartId, Usage};

/// A wire family the encoders write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    OpenAiChat,
    Anthropic,
    OpenAiResponses,
    /// `streamGenerateContent`: SSE (`alt=sse`), or with `json_array` the JSON array sent without it.
    Gemini {
        json_array: bool,
    },
    /// `ConverseStream`: AWS event-stream frames.
    Bedrock,
}

impl Target {
    /// The names `Encoder` accepts, in order.
    pub const NAMES: &'static [&'static str] = &["openai-chat", "anthropic", "openai-responses", "gemini", "bedrock"];

    /// The target of a family name. `framing`: `"auto"` (the family's own: SSE, Bedrock's
    /// event-stream), or named: `"sse"`, `"json-array"` (Gemini), `"eventstream"` (Bedrock).
    pub fn from_name(name: &str, framing: &str) -> Option<Self> {
        match (name, framing) {
            ("openai-chat", "auto" | "sse") => Some(Self::OpenAiChat),
            ("anthropic", "auto" | "sse") => Some(Self::Anthropic),
            ("openai-responses", "auto" | "sse") => Some(Self::OpenAiResponses),
            ("gemini", "auto" | "sse") => Some(Self::Gemini { json_array: false }),
            ("gemini", "json-array") => Some(Self::Gemini { json_array: true }),
            ("bedrock", "auto" | "eventstream") => Some(Self::Bedrock),
            _ => None,
        }
    }

    /// The framings `from_name` takes for a family, after `"auto"`.
    pub fn framings(name: &str) -> &'static [&'static str] {
        match name {
            "gemini" => &["sse", "json-array"],
            "bedrock" => &["eventstream"],
            _ => &["sse"],
        }
    }
}

/// Events in, one family's wire bytes out.
#[derive(Debug)]
pub struct Encoder {
    inner: Inner,
    held: HeldCalls,
    /// A finish or an error the target's decoder reads nothing after was written, or the stream
    /// was reported cut: what follows is not encoded.
    ended: bool,
    closed: bool,
}

#[derive(Debug)]
enum Inner {
    OpenAiChat(openai_chat::Encoder),
    Anthropic(anthropic::Encoder),
    OpenAiResponses(openai_responses::Encoder),
    Gemini(gemini::Encoder),
    Bedrock(bedrock::Encoder),
}

/// What a target writes; `Encoder` holds the calls and ends the stream for all of them.
trait Writer {
    /// A text, reasoning, stream start or error event (the events `Encoder` passes on).
    fn event(&mut self, event: &Event, out: &mut Vec<u8>);
    /// A complete call (a provider-run one only where `provider_calls`).
    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>);
    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>);
    /// Whether the target has a place for provider-run calls.
    fn provider_calls(&self) -> bool {
        false
    }
    /// Whether the target's decoder accepts nothing after an `error` event.
    fn ends_on_error(&self) -> bool {
        true
    }
}

impl Encoder {
    pub fn new(target: Target) -> Self {
        let inner = match target {
            Target::OpenAiChat => Inner::OpenAiChat(openai_chat::Encoder::default()),
            Target::Anthropic => Inner::Anthropic(anthropic::Encoder::default()),
            Target::OpenAiResponses => Inner::OpenAiResponses(openai_responses::Encoder::default()),
            Target::Gemini { json_array } => Inner::Gemini(gemini::Encoder::new(json_array)),
            Target::Bedrock => Inner::Bedrock(bedrock::Encoder::default()),
        };
        Self {
            inner,
            held: HeldCalls::default(),
            ended: false,
            closed: false,
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Appends the wire bytes of one event to `out`.
    pub fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        if self.ended || self.closed {
            return;
        }
        if let Event::TextDelta { .. } | Event::ReasoningDelta { .. } | Event::RefusalDelta { .. } = event {
            // Most events: neither dropped, nor a call's, nor an ending; straight to the target
            // (the corpus into Responses, Bedrock, Gemini: 0.19M instructions fewer each, callgrind).
            self.writer().event(event, out);
            return;
        }
        match event {
            // No target has a place for them (docs/encoding.md); refusals, tool results and
            // files go to each target, which writes what it has a place for.
            Event::Unknown { .. } | Event::Raw { .. } => return,
            Event::Error { kind, .. } if kind == error_kind::INCOMPLETE_STREAM => {
                self.ended = true;
                return;
            }
            _ => {}
        }
        // The target, borrowed apart from `held`.
        let writer = Self::target(&mut self.inner);
        match self.held.take(event) {
            Held::No => {}
            Held::Yes => return,
            Held::Call(call) => {
                if writer.provider_calls() || !call.provider_executed {
                    writer.tool_call(call, out);
                }
                return;
            }
        }
        match event {
            Event::Finish {
                reason,
                raw_reason,
                usage,
                ..
            } => {
                self.ended = true;
                writer.finish(*reason, raw_reason.as_deref(), usage, out);
            }
            Event::Error { .. } => {
                self.ended = writer.ends_on_error();
                writer.event(event, out);
            }
            _ => writer.event(event, out),
        }
    }

    fn writer(&mut self) -> &mut dyn Writer {
        Self::target(&mut self.inner)
    }

    fn target(inner: &mut Inner) -> &mut dyn Writer {
        match inner {
            Inner::OpenAiChat(e) => e,
            Inner::Anthropic(e) => e,
            Inner::OpenAiResponses(e) => e,
            Inner::Gemini(e) => e,
            Inner::Bedrock(e) => e,
        }
    }

    /// Ends the body (Gemini's JSON array needs its `]`). Idempotent.
    pub fn close(&mut self, out: &mut Vec<u8>) {
        if self.closed {
            return;
        }
        self.closed = true;
        if let Inner::Gemini(e) = &mut self.inner {
            e.close(out);
        }
    }
}

/// Whether two part ids are the same: a decoder hands every event of a part the same `Arc`, so
/// the pointers answer first and the text is compared only when they differ (a call to `memcmp`
/// a delta spared: with the Responses delta's single look at its part, the corpus into Responses
/// went from 46.22M to 45.91M instructions, into Bedrock from 44.30M to 44.13M, callgrind).
fn same_part(a: &PartId, b: &PartId) -> bool {
    std::sync::Arc::ptr_eq(a, b) || a == b
}

/// Content blocks numbered in order, and the text and reasoning parts open in them (Anthropic,
/// Bedrock); `T` is what a target keeps of an open part's block.
#[derive(Debug)]
struct Blocks<T> {
    /// Blocks opened so far: the next one's index.
    count: u64,
    open: Vec<(PartId, T)>,
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Self {
            count: 0,
            open: Vec::new(),
        }
    }
}

impl<T> Blocks<T> {
    /// The index of a new block.
    fn next(&mut self) -> u64 {
        let index = self.count;
        self.count += 1;
        index
    }

    /// A part reusing an open part's id replaces it (its block is left open).
    fn open_part(&mut self, id: &PartId, block: T) {
        self.open.retain(|(open, _)| !same_part(open, id));
        self.open.push((id.clone(), block));
    }

    fn get(&self, id: &PartId) -> Option<&T> {
        self.open
            .iter()
            .find(|(open, _)| same_part(open, id))
            .map(|(_, block)| block)
    }

    fn get_mut(&mut self, id: &PartId) -> Option<&mut T> {
        self.open
            .iter_mut()
            .find(|(open, _)| same_part(open, id))
            .map(|(_, block)| block)
    }

    fn end_part(&mut self, id: &PartId) -> Option<T> {
        let pos = self.open.iter().position(|(open, _)| same_part(open, id))?;
        Some(self.open.remove(pos).1)
    }

    /// The parts still open, in the order they opened (to close at the finish).
    fn take_open(&mut self) -> Vec<T> {
        std::mem::take(&mut self.open)
            .into_iter()
            .map(|(_, block)| block)
            .collect()
    }
}

/// A tool call being held until its `tool_call` event (see the module's rules).
#[derive(Debug)]
struct HeldCall {
    id: PartId,
    fragments: Vec<String>,
}

/// The calls held, by id (few are open at once: a list).
#[derive(Debug, Default)]
struct HeldCalls(Vec<HeldCall>);

/// What `HeldCalls::take` makes of an event.
enum Held<'a> {
    /// Not a call's event.
    No,
    /// A call's start or fragment: held.
    Yes,
    /// A complete call, to write whole.
    Call(Call<'a>),
}

/// A complete call and the argument fragments held for it (none when it was not streamed).
struct Call<'a> {
    id: &'a str,
    name: &'a str,
    arguments: &'a str,
    provider_executed: bool,
    /// The wire's type of a call that is not a plain function call (`Event::ToolCall::call_type`).
    wire_type: Option<&'a str>,
    fragments: Vec<String>,
}

impl HeldCalls {
    fn take<'a>(&mut self, event: &'a Event) -> Held<'a> {
        match event {
            Event::ToolInputStart { id, .. } => {
                self.0.retain(|c| c.id != *id);
                self.0.push(HeldCall {
                    id: id.clone(),
                    fragments: Vec::new(),
                });
                Held::Yes
            }
            Event::ToolInputDelta { id, delta } => {
                if let Some(call) = self.0.iter_mut().find(|c| c.id == *id) {
                    call.fragments.push(delta.clone());
                }
                Held::Yes
            }
            Event::ToolCall {
                id,
                name,
                arguments,
                provider_executed,
                call_type,
            } => {
                let held = self.0.iter().position(|c| c.id == *id).map(|i| self.0.remove(i));
                Held::Call(Call {
                    id,
                    name,
                    arguments,
                    provider_executed: *provider_executed,
                    wire_type: call_type.as_deref(),
                    fragments: held.map(|call| call.fragments).unwrap_or_default(),
                })
            }
            _ => Held::No,
        }
    }
}

impl Call<'_> {
    /// The argument fragments to write for a target whose clients build the arguments from
    /// fragments alone (chat, Anthropic, Bedrock): those held when they add up to the arguments;
    /// `no_arguments` for a call sent with none (`{}`), as that provider sends it; else the
    /// arguments whole.
    fn fragments_for(self, no_arguments: &[&str]) -> Vec<String> {
        if !self.fragments.is_empty() && self.fragments.concat() == self.arguments {
            self.fragments
        } else if self.fragments.is_empty() && self.arguments == "{}" {
            no_arguments.iter().map(|&s| s.to_owned()).collect()
        } else {
            vec![self.arguments.to_owned()]
        }
    }
}

/// A target's finish reasons: the raw ones its decoder knows (`known`), how it reads one
/// (`read`), and its word for each class (`word`).
struct Reasons {
    known: &'static [&'static str],
    read: fn(&str) -> FinishReason,
    word: fn(FinishReason) -> &'static str,
}

impl Reasons {
    const fn new(
        known: &'static [&'static str],
        read: fn(&str) -> FinishReason,
        word: fn(FinishReason) -> &'static str,
    ) -> Self {
        Self { known, read, word }
    }

    /// The raw reason when the target's own decoder reads it as `reason` (it came from that
    /// family, or means the same there); else `None`, and the target writes its word for `reason`.
    fn own_raw<'a>(&self, reason: FinishReason, raw: Option<&'a str>) -> Option<&'a str> {
        raw.filter(|raw| self.known.contains(raw) && (self.read)(raw) == reason)
    }

    /// The word a target writes for a finish: its own raw reason when it has it (`own_raw`); for
    /// `other`, the raw reason when its decoder reads it as `other` too (a value it does not know,
    /// as a new provider value would be); else `word(reason)`, the target's word for the class.
    fn word<'a>(&self, reason: FinishReason, raw: Option<&'a str>) -> &'a str {
        if let Some(raw) = self.own_raw(reason, raw) {
            return raw;
        }
        match raw {
            Some(raw) if reason == FinishReason::Other && (self.read)(raw) == FinishReason::Other => raw,
            _ => (self.word)(reason),
        }
    }
}

/// One SSE event: an optional `event:` line, the `data:` line, and the blank line.
fn sse(out: &mut Vec<u8>, event: Option<&str>, data: &[u8]) {
    if let Some(name) = event {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\n\n");
}

#[cfg(test)]
mod tests;
