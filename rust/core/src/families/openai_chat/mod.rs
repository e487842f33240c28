//! The `openai-chat` wire family: `POST /chat/completions` with `stream: true`, as sent by `OpenAI`,
//! Azure, `OpenRouter`, the Vercel AI Gateway, Groq, `xAI`, z.ai, the Hugging Face router, llama.cpp,
//! Avian and other compatible servers.
//!
//! Decisions the wire leaves open (the Python twin, `reference/families/openai_chat.py`, does the same):
//! - `stream_start` comes from the first chunk with a non-empty `id` or `model` (Azure's first chunk,
//!   `prompt_filter_results` only, has empty ones).
//! - Text and reasoning parts have no id on the wire: they are numbered in opening order ("0", "1", ...).
//!   Tool parts use the call id of their first delta (`call_<n>` from the same counter when it has
//!   none). Several choices (`n > 1`) each have their own parts and tool indices; `finish` reports the
//!   reason of the lowest choice index that gave one.
//! - Reasoning text comes from `reasoning_content` or `reasoning`; `reasoning_details` text and
//!   summaries repeat it and are used only when neither carries text. A non-empty `signature` signs
//!   and closes the open reasoning part (or a new, empty one); `reasoning.encrypted` data becomes a
//!   reasoning part of its own, redacted, with the data as signature.
//! - Empty strings (`"content": ""`) are no-ops, like `null`.
//! - A tool call completes when a later index starts in its choice or its choice's finish chunk
//!   comes; a non-empty fragment for a completed call is an error.
//! - `finish` is emitted when the stream ends (`[DONE]`, or `close()` when a finish reason came
//!   without `[DONE]`), so that it carries the usage of a trailing usage-only chunk. Payloads after
//!   `[DONE]` are ignored. `[DONE]` with no finish reason sent ends the stream normally: `stop`, or
//!   `tool_calls` when tool calls came, with no raw reason.
//! - An `error` object in a chunk becomes an `error` event and makes the finish reason `error`.
//! - `finish.provider_metadata_json` is `{"usage":<native usage object>,"provider_metadata":<Vercel's
//!   delta.provider_metadata>}` with the raw JSON text of each as sent (the latest one), keys in that
//!   order, each only when sent; absent when neither was.
//! - Citations (`url_citation` annotations, Perplexity's `citations` and `search_results`) are
//!   `source` events, once per URL (see `cites`); a chunk's come before its choices' events.
//! - Generated media (`OpenRouter`'s `delta.images`, `OpenAI`'s `delta.audio`) are `file` events:
//!   see `media`. Images end the choice's open text and reasoning parts first (wire order).
//! - A choice's `logprobs.content` list goes on the chunk's text delta (with Mistral's typed chunks,
//!   the first), `logprobs.refusal` on its refusal delta, each as sent when it is a non-empty list;
//!   a chunk with such a list and no text of that kind has nowhere to put it (it passes over).

mod cites;
mod first;
mod media;
mod template;
#[cfg(test)]
mod tests;
mod usage;

pub(crate) use media::AUDIO_MEDIA_TYPE;
pub(in crate::families) mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Usage};

use super::parts::{PartKind, Parts, DEFAULT_MAX_OPEN_PARTS};
use super::scan::Scan;
use super::schema::{LenientList, StrOrList};
use super::{logprobs_entries, parse_json, read_payload, refuse_other, Family, FamilyDecoder, List, Obj, Raw};
use cites::Cites;
use template::Template;
use wire::{ChoiceLogprobs, Chunk, ContentChunk, Delta, ErrorCode, ErrorObject, FunctionDelta, Image, WireError};

/// A choice's token logprobs for its text and its refusal delta (see the module notes).
#[derive(Debug, Default, Clone, Copy)]
struct TokenLogprobs<'a> {
    content: Option<&'a str>,
    refusal: Option<&'a str>,
}

impl<'a> TokenLogprobs<'a> {
    /// The lists of a choice's `logprobs`. Only a chunk that sent one gets past the first branch:
    /// without logprobs a choice costs the check of a `None`.
    fn of(raw: Option<Raw<'a>>) -> Self {
        match raw {
            Some(raw) if raw.get().starts_with('{') => Self::read(raw),
            _ => Self::default(),
        }
    }

    #[cold]
    fn read(raw: Raw<'a>) -> Self {
        // An object the payload's reading validated, read into raw members: nothing in it can fail.
        let mut lists = ChoiceLogprobs::default();
        match read_payload(raw.get(), &mut lists, ChoiceLogprobs::scan) {
            Ok(()) => Self {
                content: logprobs_entries(lists.content),
                refusal: logprobs_entries(lists.refusal),
            },
            Err(_) => Self::default(),
        }
    }
}

/// What the stream knows of one tool call of a choice.
#[derive(Debug)]
struct ToolSlot {
    index: u64,
    id: String,
    done: bool,
}

/// The parts of one choice.
#[derive(Debug, Default)]
struct ChoiceState {
    index: u64,
    text: Option<String>,
    refusal: Option<String>,
    reasoning: Option<String>,
    tools: Vec<ToolSlot>,
    /// The indices of tool calls of a type the decoder does not model: their deltas are passed over.
    foreign_tools: Vec<u64>,
    finish: Option<(FinishReason, String)>,
    /// Audio output so far (see `media`), until the choice finishes.
    audio: Option<media::Audio>,
}

/// Where the stream is. `[DONE]` and the `finish` event are apart: a stream that ended without
/// `[DONE]` still reads what is fed after its end.
///
/// No data in the variants: each check below is then one or two compares of a byte (a
/// `Ended { started: bool }` variant cost about 12 instructions a payload, callgrind).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Fresh,
    /// `stream_start` was sent.
    Started,
    /// `[DONE]` came, the finish not yet sent: later payloads are ignored.
    Done,
    /// `[DONE]` came and the finish was sent.
    Finished,
    /// The finish was sent at the end, without `[DONE]`, before any `stream_start`.
    EndedUnstarted,
    /// The finish was sent at the end, without `[DONE]`, after `stream_start`.
    Ended,
}

impl State {
    fn started(self) -> bool {
        matches!(self, Self::Started | Self::Ended)
    }

    fn done(self) -> bool {
        matches!(self, Self::Done | Self::Finished)
    }

    fn finished(self) -> bool {
        matches!(self, Self::Finished | Self::EndedUnstarted | Self::Ended)
    }

    /// `stream_start` was sent.
    fn start(self) -> Self {
        match self {
            Self::Fresh => Self::Started,
            Self::EndedUnstarted => Self::Ended,
            other => other,
        }
    }

    /// `[DONE]` came.
    fn done_came(self) -> Self {
        if self.finished() {
            Self::Finished
        } else {
            Self::Done
        }
    }

    /// The finish was sent.
    fn finish(self) -> Self {
        match self {
            Self::Done | Self::Finished => Self::Finished,
            Self::Fresh | Self::EndedUnstarted => Self::EndedUnstarted,
            Self::Started | Self::Ended => Self::Ended,
        }
    }
}

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    raw_usage: Option<String>,
    raw_provider_metadata: Option<String>,
    /// A cost from the gateway metadata, used when the usage has none.
    gateway_cost: Option<f64>,
    choices: Vec<ChoiceState>,
    /// An `error` object came: the finish reason is `error` whatever the choices say.
    errored: bool,
    state: State,
    next_id: u64,
    template: Option<Template>,
    /// URLs already reported as sources.
    source_urls: Vec<String>,
}

/// The normalized finish reason of a wire one.
fn finish_reason(raw: &str) -> FinishReason {
    match raw {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        "error" => FinishReason::Error,
        _ => FinishReason::Other,
    }
}

fn non_empty<'s>(s: Option<&'s Cow<'_, str>>) -> Option<&'s str> {
    s.map(AsRef::as_ref).filter(|s| !s.is_empty())
}

/// A delta's image list, when it sent one as a JSON array (its items that are not objects left out).
fn read_images<'a>(delta: &Delta<'a>) -> Result<Option<List<Image<'a>>>, ErrorKind> {
    match delta.images {
        Some(raw) if raw.get().starts_with('[') => parse_json::<LenientList<Image>>(raw.get()).map(|l| l.0),
        _ => Ok(None),
    }
}

/// Checks the image lists of a chunk's deltas before anything is emitted, as every nested value;
/// each is read again where it is used, so that the usual chunk holds no list (dropping an empty
/// `Vec` of them on every payload cost 0.5 % of the extension's instructions on the chat corpus,
/// callgrind).
#[cold]
fn check_images(chunk: &Chunk<'_>) -> Result<(), ErrorKind> {
    for delta in chunk.choices.iter().flatten().filter_map(|c| c.delta.as_ref()) {
        read_images(delta)?;
    }
    Ok(())
}

/// The `data: [DONE]` marker that ends an `OpenAI` stream (chat; the Responses streams of `OpenRouter` too).
pub(super) fn is_done(data: &str) -> bool {
    // Every other payload is an object: its first byte settles it, without a trim from both ends.
    let first = data.bytes().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    first == Some(b'[') && data.trim_matches([' ', '\t', '\n', '\r']) == "[DONE]"
}

impl Decoder {
    /// A part id no open part has.
    fn fresh_id(&mut self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", self.next_id);
            self.next_id += 1;
            if !self.parts.is_open(&id) {
                return id;
            }
        }
    }

    fn choice_pos(&mut self, index: u64) -> Result<usize, ErrorKind> {
        if let Some(pos) = self.choices.iter().position(|c| c.index == index) {
            return Ok(pos);
        }
        // The index is the `choice` of the parts, and the message keeps one per index up to it.
        if self.choices.len() >= DEFAULT_MAX_OPEN_PARTS || index >= DEFAULT_MAX_OPEN_PARTS as u64 {
            return Err(ErrorKind::LimitExceeded {
                what: "choices",
                limit: DEFAULT_MAX_OPEN_PARTS,
                option: "max_open_parts",
            });
        }
        self.choices.push(ChoiceState {
            index,
            ..ChoiceState::default()
        });
        Ok(self.choices.len() - 1)
    }

    /// The `choice` of the parts of choice `pos`: its wire index (below the limit `choice_pos` keeps).
    fn choice(&self, pos: usize) -> u32 {
        self.choices
            .get(pos)
            .and_then(|c| u32::try_from(c.index).ok())
            .unwrap_or(0)
    }

    /// The open reasoning part of choice `pos` (a text or tool start of any choice closes it).
    fn open_reasoning(&self, pos: usize) -> Option<String> {
        let id = self.choices.get(pos)?.reasoning.as_ref()?;
        (self.parts.kind(id) == Some(PartKind::Reasoning)).then(|| id.clone())
    }

    fn reasoning_text(&mut self, pos: usize, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        self.delta_part(pos, PartKind::Reasoning, text, None, out)
    }

    fn end_reasoning(&mut self, pos: usize, out: &mut Vec<Event>) {
        if let Some(id) = self.open_reasoning(pos) {
            self.parts.end(&id, None, out);
        }
        if let Some(c) = self.choices.get_mut(pos) {
            c.reasoning = None;
        }
    }

    /// Signs the open reasoning part of the choice and closes it; with none open, a new, empty
    /// part carries the signature (`redacted` when it stands for encrypted reasoning).
    fn sign(&mut self, pos: usize, signature: &str, redacted: bool, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let id = if let Some(id) = self.open_reasoning(pos) {
            id
        } else {
            let id = self.fresh_id("");
            let choice = self.choice(pos);
            self.parts.start_in(choice, PartKind::Reasoning, &id, "", false, out)?;
            if redacted {
                self.parts.set_redacted(&id);
            }
            id
        };
        self.parts.sign(&id, signature, false);
        self.parts.end(&id, None, out);
        if let Some(c) = self.choices.get_mut(pos) {
            c.reasoning = None;
        }
        Ok(())
    }

    /// A text, reasoning or refusal delta for choice `pos`, in its open part of that kind or a new one.
    fn delta_part(
        &mut self,
        pos: usize,
        kind: PartKind,
        text: &str,
        logprobs: Option<&str>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        fn slot(c: &ChoiceState, kind: PartKind) -> Option<&str> {
            match kind {
                PartKind::Text => &c.text,
                PartKind::Refusal => &c.refusal,
                PartKind::Reasoning | PartKind::ToolInput => &c.reasoning,
            }
            .as_deref()
        }
        let open = self
            .choices
            .get(pos)
            .and_then(|c| slot(c, kind))
            .is_some_and(|id| self.parts.kind(id) == Some(kind));
        if !open {
            let id = self.fresh_id("");
            if let Some(c) = self.choices.get_mut(pos) {
                *match kind {
                    PartKind::Text => &mut c.text,
                    PartKind::Refusal => &mut c.refusal,
                    PartKind::Reasoning | PartKind::ToolInput => &mut c.reasoning,
                } = Some(id);
            }
        }
        let choice = self.choice(pos);
        // Borrowing the id from `choices` while `parts` takes the delta saves a clone per delta.
        match self.choices.get(pos).and_then(|c| slot(c, kind)) {
            Some(id) => self.parts.delta_in(choice, kind, id, text, logprobs, out),
            None => Ok(()),
        }
    }

    /// Completes every open tool call of choice `pos`, in index order of arrival.
    fn complete_tools(&mut self, pos: usize, out: &mut Vec<Event>) {
        let Some(choice) = self.choices.get_mut(pos) else {
            return;
        };
        for slot in choice.tools.iter_mut().filter(|s| !s.done) {
            slot.done = true;
            self.parts.end(&slot.id, None, out);
        }
    }

    fn tool_delta(
        &mut self,
        pos: usize,
        index: u64,
        id: Option<&str>,
        function: Option<&FunctionDelta<'_>>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let name = function.and_then(|f| non_empty(f.name.as_ref()));
        let arguments = function.and_then(|f| non_empty(f.arguments.as_ref()));
        let slot = self
            .choices
            .get(pos)
            .and_then(|c| c.tools.iter().find(|s| s.index == index))
            .map(|s| (s.id.clone(), s.done));
        let id = match slot {
            Some((id, false)) => {
                if let Some(name) = name {
                    self.parts.append_tool_name(&id, name);
                }
                id
            }
            Some((_, true)) => {
                if name.is_some() || arguments.is_some() {
                    return Err(ErrorKind::UnexpectedPayload {
                        detail: format!("tool call {index} continued after it was complete"),
                    });
                }
                return Ok(());
            }
            None => {
                // A new index: the calls before it are complete.
                self.complete_tools(pos, out);
                let id = match id.filter(|s| !s.is_empty()) {
                    Some(id) if self.parts.is_open(id) => {
                        return Err(ErrorKind::UnexpectedPayload {
                            detail: format!("tool call id `{id}` is already in use"),
                        })
                    }
                    Some(id) => id.to_owned(),
                    None => self.fresh_id("call_"),
                };
                let choice = self.choice(pos);
                self.parts
                    .start_in(choice, PartKind::ToolInput, &id, name.unwrap_or_default(), false, out)?;
                if let Some(c) = self.choices.get_mut(pos) {
                    c.tools.push(ToolSlot {
                        index,
                        id: id.clone(),
                        done: false,
                    });
                }
                id
            }
        };
        if let Some(arguments) = arguments {
            self.parts.tool_input(&id, arguments, out);
        }
        Ok(())
    }

    fn delta(
        &mut self,
        pos: usize,
        delta: &Delta<'_>,
        logprobs: TokenLogprobs<'_>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let plain = non_empty(delta.reasoning_content.as_ref()).or_else(|| non_empty(delta.reasoning.as_ref()));
        if let Some(text) = plain {
            self.reasoning_text(pos, text, out)?;
        }
        for detail in delta.reasoning_details.iter().flatten() {
            match detail.kind.as_deref() {
                Some("reasoning.text") => {
                    if let (None, Some(text)) = (plain, non_empty(detail.text.as_ref())) {
                        self.reasoning_text(pos, text, out)?;
                    }
                    if let Some(signature) = non_empty(detail.signature.as_ref()) {
                        self.sign(pos, signature, false, out)?;
                    }
                }
                Some("reasoning.summary") => {
                    if let (None, Some(text)) = (plain, non_empty(detail.summary.as_ref())) {
                        self.reasoning_text(pos, text, out)?;
                    }
                }
                // The encrypted reasoning of the summary streamed before it (`OpenRouter`, Vercel):
                // the signature of that part.
                Some("reasoning.encrypted") => {
                    if let Some(data) = non_empty(detail.data.as_ref()) {
                        self.sign(pos, data, true, out)?;
                    }
                }
                _ => {}
            }
        }
        match &delta.content {
            Some(StrOrList::Str(text)) if !text.is_empty() => {
                self.delta_part(pos, PartKind::Text, text, logprobs.content, out)?;
            }
            Some(StrOrList::List(chunks)) => self.content_chunks(pos, chunks, logprobs.content, out)?,
            _ => {}
        }
        if let Some(text) = non_empty(delta.refusal.as_ref()) {
            self.delta_part(pos, PartKind::Refusal, text, logprobs.refusal, out)?;
        }
        // A call without `index` takes its place among the calls the decoder models.
        let mut modeled = 0;
        for call in delta.tool_calls.iter().flatten() {
            if call.kind.as_deref().is_some_and(|k| !k.is_empty() && k != "function") {
                if let (Some(index), Some(c)) = (call.index, self.choices.get_mut(pos)) {
                    if !c.foreign_tools.contains(&index) {
                        c.foreign_tools.push(index);
                    }
                }
                continue;
            }
            let index = call.index.unwrap_or(modeled);
            modeled += 1;
            if self.choices.get(pos).is_some_and(|c| c.foreign_tools.contains(&index)) {
                continue;
            }
            self.tool_delta(pos, index, call.id.as_deref(), call.function.as_deref(), out)?;
        }
        if let Some(function) = &delta.function_call {
            self.tool_delta(pos, 0, None, Some(&**function), out)?;
        }
        Ok(())
    }

    /// Mistral's typed content chunks: `text`, and `thinking` holding text chunks; others passed
    /// over. The chunk's text logprobs go with its first text delta.
    fn content_chunks(
        &mut self,
        pos: usize,
        chunks: &List<ContentChunk<'_>>,
        mut logprobs: Option<&str>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        for Obj(chunk) in chunks {
            match chunk.kind.as_deref() {
                Some("text") => {
                    if let Some(text) = non_empty(chunk.text.as_ref()) {
                        self.delta_part(pos, PartKind::Text, text, logprobs.take(), out)?;
                    }
                }
                Some("thinking") => {
                    for Obj(thought) in chunk.thinking.iter().flatten() {
                        if let (Some("text"), Some(text)) = (thought.kind.as_deref(), non_empty(thought.text.as_ref()))
                        {
                            self.delta_part(pos, PartKind::Reasoning, text, None, out)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The finish chunk of a choice: its parts close, its tool calls complete.
    fn finish_choice(&mut self, pos: usize, raw: &str, out: &mut Vec<Event>) {
        self.end_reasoning(pos, out);
        if let Some(id) = self.choices.get_mut(pos).and_then(|c| c.text.take()) {
            self.parts.end(&id, None, out);
        }
        if let Some(id) = self.choices.get_mut(pos).and_then(|c| c.refusal.take()) {
            self.parts.end(&id, None, out);
        }
        self.complete_tools(pos, out);
        self.flush_audio(pos, out);
        if let Some(c) = self.choices.get_mut(pos) {
            c.finish = Some((finish_reason(raw), raw.to_owned()));
        }
    }

    /// The audio of every choice not finished: the stream ended.
    fn flush_all_audio(&mut self, out: &mut Vec<Event>) {
        for pos in 0..self.choices.len() {
            self.flush_audio(pos, out);
        }
    }

    /// The `file` of choice `pos`'s audio so far, if any came.
    fn flush_audio(&mut self, pos: usize, out: &mut Vec<Event>) {
        let Some(audio) = self.choices.get_mut(pos).and_then(|c| c.audio.take()) else {
            return;
        };
        if audio.data.is_empty() {
            return;
        }
        let id = match audio.id {
            Some(id) => id,
            None => self.fresh_id("file_"),
        };
        out.push(Event::File {
            id,
            media_type: media::AUDIO_MEDIA_TYPE.to_owned(),
            data: audio.data,
            partial: false,
        });
    }

    /// A delta's audio (see `media`).
    fn audio(&mut self, pos: usize, raw: Raw<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let Some(audio) = media::audio_delta(raw) else {
            return Ok(());
        };
        if let Some(text) = non_empty(audio.transcript.as_ref()) {
            self.delta_part(pos, PartKind::Text, text, None, out)?;
        }
        let Some(slot) = self
            .choices
            .get_mut(pos)
            .map(|c| c.audio.get_or_insert_with(Default::default))
        else {
            return Ok(());
        };
        if let Some(id) = non_empty(audio.id.as_ref()) {
            slot.id = Some(id.to_owned());
        }
        if let Some(data) = non_empty(audio.data.as_ref()) {
            match crate::b64::decode(data) {
                Some(bytes) => slot.data.extend_from_slice(&bytes),
                None => out.push(Event::Unknown {
                    kind: "audio".to_owned(),
                    raw: raw.get().to_owned(),
                }),
            }
        }
        Ok(())
    }

    /// A delta's audio and images (see `media`).
    #[cold]
    fn media(&mut self, pos: usize, delta: &Delta<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(raw) = delta.audio {
            self.audio(pos, raw, out)?;
        }
        if let (Some(raw), Some(items)) = (delta.images, read_images(delta)?) {
            self.images(pos, raw, &items, out);
        }
        Ok(())
    }

    /// A delta's images (see `media`), after its choice's open text and reasoning parts end.
    fn images(&mut self, pos: usize, raw: Raw<'_>, items: &List<Image<'_>>, out: &mut Vec<Event>) {
        let (files, all) = media::decoded_images(items);
        if !files.is_empty() {
            self.end_reasoning(pos, out);
            if let Some(id) = self.choices.get_mut(pos).and_then(|c| c.text.take()) {
                self.parts.end(&id, None, out);
            }
        }
        for (media_type, data) in files {
            out.push(Event::File {
                id: self.fresh_id("file_"),
                media_type: media_type.to_owned(),
                data,
                partial: false,
            });
        }
        if !all {
            out.push(Event::Unknown {
                kind: "images".to_owned(),
                raw: raw.get().to_owned(),
            });
        }
    }

    fn take_usage(&mut self, raw: Raw<'_>, usage: Usage) {
        self.usage = usage;
        self.raw_usage = Some(raw.get().to_owned());
    }

    fn take_error(&mut self, raw: Raw<'_>, wire: WireError, out: &mut Vec<Event>) {
        let (message, kind) = match wire {
            WireError::Message(message) => (message, None),
            WireError::Object(Obj(ErrorObject { message, kind, code })) => {
                let code = match code {
                    Some(ErrorCode::Int(n)) => Some(n.to_string()),
                    Some(ErrorCode::UInt(n)) => Some(n.to_string()),
                    Some(ErrorCode::Text(s)) => Some(s),
                    Some(ErrorCode::Other(_)) | None => None,
                };
                // Empty strings say nothing: the kind falls through to the next source.
                (
                    message.unwrap_or_else(|| "the provider reported an error".to_owned()),
                    kind.filter(|k| !k.is_empty()).or(code.filter(|c| !c.is_empty())),
                )
            }
        };
        out.push(Event::Error {
            message,
            kind: kind.unwrap_or_else(|| "provider_error".to_owned()),
            raw: Some(raw.get().to_owned()),
        });
        self.errored = true;
    }

    /// The finish reason of the stream, when one is known.
    /// The reason of a stream that `[DONE]` ended before any choice sent one.
    fn reason_without_finish(&self) -> FinishReason {
        if self.choices.iter().any(|c| !c.tools.is_empty()) {
            FinishReason::ToolCalls
        } else {
            FinishReason::Stop
        }
    }

    fn reason(&self) -> Option<(FinishReason, Option<String>)> {
        let by_choice = self
            .choices
            .iter()
            .filter_map(|c| c.finish.as_ref().map(|f| (c.index, f)))
            .min_by_key(|(index, _)| *index)
            .map(|(_, (reason, raw))| (*reason, Some(raw.clone())));
        if self.errored {
            return Some((FinishReason::Error, by_choice.and_then(|(_, raw)| raw)));
        }
        by_choice
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<String>, out: &mut Vec<Event>) {
        self.parts.close_all(out);
        self.flush_all_audio(out);
        let metadata = super::raw_object([
            ("usage", self.raw_usage.as_deref()),
            ("provider_metadata", self.raw_provider_metadata.as_deref()),
        ]);
        let mut usage = self.usage.clone();
        if usage.cost.is_none() {
            usage.cost = self.gateway_cost;
        }
        out.push(Event::Finish {
            reason,
            raw_reason,
            usage,
            provider_metadata_json: metadata,
        });
        self.state = self.state.finish();
    }
}

impl Decoder {
    /// A payload once `[DONE]` has come, or `[DONE]` itself: handled here (`Some`), or a chunk to
    /// read (`None`). Shared with `openai-completions`, whose streams end the same way.
    pub(in crate::families) fn terminal(&mut self, data: &str, out: &mut Vec<Event>) -> Option<Result<(), ErrorKind>> {
        if self.state.done() {
            // Read no further, but the depth limit holds for every payload, as before `[DONE]`.
            return Some(crate::depth::check(data));
        }
        if is_done(data) {
            self.state = self.state.done_came();
            // `[DONE]` is the terminal event: with no finish reason sent (Snowflake, Novita) the
            // stream still ended normally, with its tool calls if it made any.
            let (reason, raw) = self.reason().unwrap_or_else(|| (self.reason_without_finish(), None));
            self.finish(reason, raw, out);
            return Some(Ok(()));
        }
        None
    }
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(result) = self.terminal(data, out) {
            return result;
        }
        // The scan reads the usual chunks; anything it is unsure of is parsed by serde, so values
        // and errors are serde's (measured gain: see `scan`).
        let mut chunk = Chunk::default();
        let resumed = self.state.started()
            && self
                .template
                .as_ref()
                .is_some_and(|t| data.starts_with(t.prefix.as_str()) && t.resume(data, &mut chunk).is_ok());
        if !resumed {
            chunk = Chunk::default();
            read_payload(data, &mut chunk, Chunk::scan)?;
            self.template = Template::of(&chunk, data);
        }
        self.apply(&chunk, out)
    }

    /// Read once where the scan reads it whole and it vouches for itself (see `first`); what the
    /// scan read is kept for the decoder (as `payload` would read it: a fresh decoder has no
    /// template, and a payload the scan reads is no `[DONE]`).
    fn first_payload(
        &mut self,
        family: Family,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let mut read = (Chunk::default(), first::Telling::default());
        let scanned = Scan::whole(data, &mut read, first::scan).is_ok();
        refuse_other(family, event, data, scanned && read.1.vouches())?;
        if !scanned {
            return self.payload(event, data, out);
        }
        self.template = Template::of(&read.0, data);
        self.apply(&read.0, out)
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.state.finished() {
            return;
        }
        if let Some((reason, raw)) = self.reason() {
            self.finish(reason, raw, out);
        } else {
            // The audio that came is kept, ahead of the report of the cut.
            self.parts.close_all(out);
            self.flush_all_audio(out);
            super::incomplete(&mut self.parts, &self.usage, out);
        }
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

impl Decoder {
    /// A chunk read whole (`openai-completions` hands its chunks over in this shape).
    pub(in crate::families) fn apply(&mut self, chunk: &Chunk<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // Everything nested is parsed before anything is emitted: a payload of the wrong shape
        // emits nothing.
        let usage = match chunk
            .usage
            .and_then(Raw::object)
            .or(chunk.x_groq.as_ref().and_then(|x| x.usage?.object()))
        {
            Some(raw) => Some((raw, usage::read(raw)?)),
            None => None,
        };
        // An error is an object or (some servers) a message alone; any other value reads as absent.
        let error = match chunk.error.filter(|raw| raw.get().starts_with(['{', '"'])) {
            Some(raw) => Some((raw, parse_json::<WireError>(raw.get())?)),
            None => None,
        };
        let mut metadata = None;
        let mut any_citation = chunk.citations.is_some() || chunk.search_results.is_some();
        let mut any_media = false;
        for delta in chunk.choices.iter().flatten().filter_map(|c| c.delta.as_ref()) {
            if let Some(raw) = delta.provider_metadata.and_then(Raw::object) {
                metadata = Some((raw, usage::gateway_cost(raw)?));
            }
            any_citation |= delta.annotations.is_some();
            any_media |= delta.images.is_some() || delta.audio.is_some();
        }
        let cites = if any_citation { Some(Cites::read(chunk)?) } else { None };
        if any_media {
            check_images(chunk)?;
        }
        if !self.state.started() {
            let id = non_empty(chunk.id.as_ref());
            let model = non_empty(chunk.model.as_ref());
            if id.is_some() || model.is_some() {
                self.state = self.state.start();
                out.push(Event::StreamStart {
                    id: id.map(str::to_owned),
                    model: model.map(str::to_owned),
                    created: super::unix_seconds(chunk.created),
                });
            }
        }
        if let Some((raw, wire)) = usage {
            self.take_usage(raw, wire);
        }
        if let Some((raw, cost)) = metadata {
            self.raw_provider_metadata = Some(raw.get().to_owned());
            self.gateway_cost = cost;
        }
        if let Some(cites) = &cites {
            cites.chunk_sources(&mut self.source_urls, out);
        }
        for (n, choice) in chunk.choices.iter().flatten().enumerate() {
            let pos = self.choice_pos(choice.index.unwrap_or(0))?;
            if let Some(delta) = &choice.delta {
                self.delta(pos, delta, TokenLogprobs::of(choice.logprobs), out)?;
                if let Some(cites) = &cites {
                    cites.annotation_sources(n, &mut self.source_urls, out);
                }
                if any_media {
                    self.media(pos, delta, out)?;
                }
            }
            if let Some(raw) = non_empty(choice.finish_reason.as_ref()) {
                self.finish_choice(pos, raw, out);
            }
        }
        if let Some((raw, wire)) = error {
            self.take_error(raw, wire, out);
        }
        Ok(())
    }
}
