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
//!   `[DONE]` are ignored.
//! - An `error` object in a chunk becomes an `error` event and makes the finish reason `error`.
//! - `finish.provider_metadata_json` is `{"usage":<native usage object>,"provider_metadata":<Vercel's
//!   delta.provider_metadata>}` with the raw JSON text of each as sent (the latest one), keys in that
//!   order, each only when sent; absent when neither was.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Usage};

use super::parts::{PartKind, Parts, DEFAULT_MAX_OPEN_PARTS};
use super::scan::{first, list_item, Note, Scan};
use super::{parse_json, read_payload, FamilyDecoder, List, Obj, Raw};

#[derive(Debug, Default, Deserialize)]
struct Chunk<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    choices: Option<List<Choice<'a>>>,
    #[serde(borrow)]
    usage: Option<Raw<'a>>,
    #[serde(borrow)]
    x_groq: Option<Obj<XGroq<'a>>>,
    #[serde(borrow)]
    error: Option<Raw<'a>>,
    /// The fields the scan had read when `choices` came (bits as `chunk_field` sets them).
    #[serde(skip)]
    seen_at_choices: Note<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct XGroq<'a> {
    #[serde(borrow)]
    usage: Option<Raw<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Choice<'a> {
    index: Option<u64>,
    #[serde(borrow)]
    delta: Option<Obj<Delta<'a>>>,
    #[serde(borrow)]
    finish_reason: Option<Cow<'a, str>>,
    /// Where the scan found the `delta` value, and the fields read by then.
    #[serde(skip)]
    delta_at: Note<(usize, u32)>,
}

#[derive(Debug, Default, Deserialize)]
struct Delta<'a> {
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reasoning_content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reasoning: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reasoning_details: Option<List<Detail<'a>>>,
    #[serde(borrow)]
    tool_calls: Option<List<ToolCallDelta<'a>>>,
    /// The deprecated single `function_call`: handled as tool call index 0.
    #[serde(borrow)]
    function_call: Option<Obj<FunctionDelta<'a>>>,
    #[serde(borrow)]
    provider_metadata: Option<Raw<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Detail<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    summary: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data: Option<Cow<'a, str>>,
    #[serde(borrow)]
    signature: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct ToolCallDelta<'a> {
    index: Option<u64>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function: Option<Obj<FunctionDelta<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct FunctionDelta<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arguments: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    total_tokens: Option<u64>,
    prompt_tokens_details: Option<Obj<PromptDetails>>,
    completion_tokens_details: Option<Obj<CompletionDetails>>,
    /// Vercel's gateway reports Anthropic cache writes here.
    cache_creation_input_tokens: Option<u64>,
    cost: Option<Cost>,
}

#[derive(Deserialize)]
struct PromptDetails {
    cached_tokens: Option<u64>,
    cache_write_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    reasoning_tokens: Option<u64>,
}

/// A cost is a number, or (Vercel's gateway) a decimal number in a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Cost {
    Number(f64),
    Text(String),
}

impl Cost {
    /// The value; a string that is not a plain decimal number gives none (a cost is an extra, not
    /// worth failing the stream for).
    fn value(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) if is_decimal(s) => s.parse().ok(),
            Self::Text(_) => None,
        }
    }
}

/// The JSON number grammar, so that both languages accept the same strings.
fn is_decimal(s: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let int = digits(b.get(i..).unwrap_or_default());
    if int == 0 || (int > 1 && b.get(i) == Some(&b'0')) {
        return false;
    }
    i += int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(b.get(i + 1..).unwrap_or_default());
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = digits(b.get(i..).unwrap_or_default());
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[derive(Deserialize)]
struct ProviderMetadata {
    gateway: Option<Obj<Gateway>>,
}

#[derive(Deserialize)]
struct Gateway {
    cost: Option<Cost>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WireError {
    Object(Obj<ErrorObject>),
    Message(String),
}

#[derive(Deserialize)]
struct ErrorObject {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<ErrorCode>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorCode {
    Int(i64),
    UInt(u64),
    Text(String),
    Other(serde::de::IgnoredAny),
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
    reasoning: Option<String>,
    tools: Vec<ToolSlot>,
    finish: Option<(FinishReason, String)>,
}

#[derive(Debug, Default)]
#[allow(clippy::struct_excessive_bools)] // independent facts about the stream, not a state machine
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
    started: bool,
    done: bool,
    finished: bool,
    next_id: u64,
    template: Option<Template>,
}

/// What a payload's scan knew where its first choice's `delta` value begins. The chunks of a stream
/// repeat the same bytes up to there (`{"id":…,"object":…,"created":…,"model":…,"choices":[{"index":0,
/// "delta":`, about half of each payload), so a payload that starts with them is read from that point
/// on: the bytes are the ones the scan read and validated before, so it reads them the same way.
/// Measured in docs/performance.md.
#[derive(Debug)]
struct Template {
    prefix: String,
    /// Fields of the chunk read before its `choices` (`id` and `model`, which are not read once the
    /// stream has started, when the template is used; or nulls).
    chunk_seen: u32,
    /// Fields of the first choice read before its `delta` (`index`, or a null `finish_reason`).
    choice_seen: u32,
    index: Option<u64>,
}

impl Template {
    /// The template of a payload the scan read whole, if its first choice has a `delta` and what
    /// came before it is ids, the model, the choice index and nulls (`OpenAI` sends `"usage":null`
    /// before `choices`, others `"finish_reason":null` before `delta`): resuming leaves them unread.
    fn of(chunk: &Chunk<'_>, data: &str) -> Option<Self> {
        let chunk_seen = chunk.seen_at_choices.0?;
        let choice = &chunk.choices.as_ref()?.first()?.0;
        let (at, choice_seen) = choice.delta_at.0?;
        // A field read once is read for good (a second one gives up), so its value now is the one
        // read before the resume point.
        let before = |seen: u32, bit: u32| seen & (1 << bit) != 0;
        if (before(chunk_seen, 3) && chunk.usage.is_some())
            || (before(chunk_seen, 4) && chunk.x_groq.is_some())
            || (before(chunk_seen, 5) && chunk.error.is_some())
            || (before(choice_seen, 2) && choice.finish_reason.is_some())
        {
            return None;
        }
        Some(Self {
            prefix: data.get(..at)?.to_owned(),
            chunk_seen,
            choice_seen,
            index: choice.index,
        })
    }

    /// Reads `data`, which starts with the prefix, from where the prefix ends.
    fn resume<'a>(&self, data: &'a str, chunk: &mut Chunk<'a>) -> Option<()> {
        // In the chunk object, its `choices` array and the first choice's object.
        let mut s = Scan::resume(data, self.prefix.len(), 3);
        let list = chunk.choices.insert(List::new());
        list.resize_with(1, || {
            Obj(Choice {
                index: self.index,
                ..Choice::default()
            })
        });
        let choice = &mut list.last_mut()?.0;
        s.opt_obj(&mut choice.delta, scan_delta)?;
        let mut seen = self.choice_seen;
        s.rest_of_object(|s, key| choice_field(s, choice, &mut seen, key))?;
        s.rest_of_array(|s| list_item(s, list, scan_choice))?;
        let mut seen = self.chunk_seen;
        s.rest_of_object(|s, key| chunk_field(s, chunk, &mut seen, key))?;
        s.end()
    }
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

fn is_done(data: &str) -> bool {
    data.trim_matches([' ', '\t', '\n', '\r']) == "[DONE]"
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
        if self.choices.len() >= DEFAULT_MAX_OPEN_PARTS {
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

    /// The open reasoning part of choice `pos` (a text or tool start of any choice closes it).
    fn open_reasoning(&self, pos: usize) -> Option<String> {
        let id = self.choices.get(pos)?.reasoning.as_ref()?;
        (self.parts.kind(id) == Some(PartKind::Reasoning)).then(|| id.clone())
    }

    fn reasoning_text(&mut self, pos: usize, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        self.delta_part(pos, PartKind::Reasoning, text, out)
    }

    fn end_reasoning(&mut self, pos: usize, out: &mut Vec<Event>) {
        if let Some(id) = self.open_reasoning(pos) {
            self.parts.end(&id, None, out);
        }
        if let Some(c) = self.choices.get_mut(pos) {
            c.reasoning = None;
        }
    }

    /// Signs the open reasoning part of the choice (or a new, empty one) and closes it.
    fn sign(&mut self, pos: usize, signature: &str, redacted: bool, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let id = if let Some(id) = self.open_reasoning(pos) {
            id
        } else {
            let id = self.fresh_id("");
            self.parts.start(PartKind::Reasoning, &id, "", false, out)?;
            id
        };
        self.parts.sign(&id, signature, false);
        if redacted {
            self.parts.set_redacted(&id);
        }
        self.parts.end(&id, None, out);
        if let Some(c) = self.choices.get_mut(pos) {
            c.reasoning = None;
        }
        Ok(())
    }

    /// A text or reasoning delta for choice `pos`, in its open part of that kind or a new one.
    fn delta_part(&mut self, pos: usize, kind: PartKind, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        fn slot(c: &ChoiceState, kind: PartKind) -> Option<&str> {
            if kind == PartKind::Text { &c.text } else { &c.reasoning }.as_deref()
        }
        let open = self
            .choices
            .get(pos)
            .and_then(|c| slot(c, kind))
            .is_some_and(|id| self.parts.kind(id) == Some(kind));
        if !open {
            let id = self.fresh_id("");
            if let Some(c) = self.choices.get_mut(pos) {
                *if kind == PartKind::Text {
                    &mut c.text
                } else {
                    &mut c.reasoning
                } = Some(id);
            }
        }
        // Borrowing the id from `choices` while `parts` takes the delta saves a clone per delta.
        match self.choices.get(pos).and_then(|c| slot(c, kind)) {
            Some(id) if kind == PartKind::Text => self.parts.text(id, text, out),
            Some(id) => self.parts.reasoning(id, text, out),
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
                self.parts
                    .start(PartKind::ToolInput, &id, name.unwrap_or_default(), false, out)?;
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

    fn delta(&mut self, pos: usize, delta: &Delta<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
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
                Some("reasoning.encrypted") => {
                    if let Some(data) = non_empty(detail.data.as_ref()) {
                        self.end_reasoning(pos, out);
                        self.sign(pos, data, true, out)?;
                    }
                }
                _ => {}
            }
        }
        if let Some(text) = non_empty(delta.content.as_ref()) {
            self.delta_part(pos, PartKind::Text, text, out)?;
        }
        for (n, call) in delta.tool_calls.iter().flatten().enumerate() {
            let index = call.index.unwrap_or(n as u64);
            self.tool_delta(pos, index, call.id.as_deref(), call.function.as_deref(), out)?;
        }
        if let Some(function) = &delta.function_call {
            self.tool_delta(pos, 0, None, Some(&**function), out)?;
        }
        Ok(())
    }

    /// The finish chunk of a choice: its parts close, its tool calls complete.
    fn finish_choice(&mut self, pos: usize, raw: &str, out: &mut Vec<Event>) {
        self.end_reasoning(pos, out);
        if let Some(id) = self.choices.get_mut(pos).and_then(|c| c.text.take()) {
            self.parts.end(&id, None, out);
        }
        self.complete_tools(pos, out);
        if let Some(c) = self.choices.get_mut(pos) {
            c.finish = Some((finish_reason(raw), raw.to_owned()));
        }
    }

    fn take_usage(&mut self, raw: Raw<'_>, wire: WireUsage) {
        let prompt = wire.prompt_tokens.unwrap_or(0);
        let completion = wire.completion_tokens.unwrap_or(0);
        let reasoning = wire
            .completion_tokens_details
            .and_then(|d| d.reasoning_tokens)
            .unwrap_or(0);
        let (cache_read, cache_write) = match wire.prompt_tokens_details {
            Some(d) => (d.cached_tokens.unwrap_or(0), d.cache_write_tokens),
            None => (0, None),
        };
        let cache_write = cache_write.or(wire.cache_creation_input_tokens).unwrap_or(0);
        // Some servers count reasoning outside `completion_tokens` (xAI: total = prompt + completion
        // + reasoning; Gemini via Vercel: reasoning > completion); output includes it either way.
        let reasoning_apart = reasoning > 0
            && (reasoning > completion
                || wire.total_tokens == Some(prompt.saturating_add(completion).saturating_add(reasoning)));
        let output = if reasoning_apart {
            completion.saturating_add(reasoning)
        } else {
            completion
        };
        // Likewise cached tokens counted outside `prompt_tokens` (Anthropic style).
        let cached = cache_read.saturating_add(cache_write);
        let input = if cached > prompt {
            prompt.saturating_add(cached)
        } else {
            prompt
        };
        self.usage = Usage {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input.saturating_add(output),
            reasoning_tokens: reasoning,
            cache_read_tokens: cache_read,
            cache_write_tokens: cache_write,
            cost: wire.cost.as_ref().and_then(Cost::value),
        };
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
        let mut metadata = String::new();
        for (key, raw) in [
            ("usage", &self.raw_usage),
            ("provider_metadata", &self.raw_provider_metadata),
        ] {
            if let Some(raw) = raw {
                metadata.push(if metadata.is_empty() { '{' } else { ',' });
                metadata.push('"');
                metadata.push_str(key);
                metadata.push_str("\":");
                metadata.push_str(raw);
            }
        }
        if !metadata.is_empty() {
            metadata.push('}');
        }
        let mut usage = self.usage.clone();
        if usage.cost.is_none() {
            usage.cost = self.gateway_cost;
        }
        out.push(Event::Finish {
            reason,
            raw_reason,
            usage,
            provider_metadata_json: (!metadata.is_empty()).then_some(metadata),
        });
        self.finished = true;
    }
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if self.done {
            // Read no further, but the depth limit holds for every payload, as before `[DONE]`.
            return crate::depth::check(data);
        }
        if is_done(data) {
            self.done = true;
            if let Some((reason, raw)) = self.reason() {
                self.finish(reason, raw, out);
            }
            return Ok(());
        }
        // The scan reads the usual chunks; anything it is unsure of is parsed by serde, so values
        // and errors are serde's (measured gain: see `scan`).
        let mut chunk = Chunk::default();
        let resumed = self.started
            && self
                .template
                .as_ref()
                .is_some_and(|t| data.starts_with(t.prefix.as_str()) && t.resume(data, &mut chunk).is_some());
        if !resumed {
            chunk = Chunk::default();
            read_payload(data, &mut chunk, scan_chunk)?;
            self.template = Template::of(&chunk, data);
        }
        // Everything nested is parsed before anything is emitted: a payload of the wrong shape
        // emits nothing.
        let usage = match chunk.usage.or(chunk.x_groq.and_then(|x| x.usage)) {
            Some(raw) => Some((raw, parse_json::<Obj<WireUsage>>(raw.get())?.0)),
            None => None,
        };
        let error = match chunk.error {
            Some(raw) => Some((raw, parse_json::<WireError>(raw.get())?)),
            None => None,
        };
        let mut metadata = None;
        for choice in chunk.choices.iter().flatten() {
            if let Some(raw) = choice.delta.as_ref().and_then(|d| d.provider_metadata) {
                let Obj(parsed): Obj<ProviderMetadata> = parse_json(raw.get())?;
                metadata = Some((raw, parsed.gateway.and_then(|Obj(g)| g.cost)));
            }
        }
        if !self.started {
            let id = non_empty(chunk.id.as_ref());
            let model = non_empty(chunk.model.as_ref());
            if id.is_some() || model.is_some() {
                self.started = true;
                out.push(Event::StreamStart {
                    id: id.map(str::to_owned),
                    model: model.map(str::to_owned),
                });
            }
        }
        if let Some((raw, wire)) = usage {
            self.take_usage(raw, wire);
        }
        if let Some((raw, cost)) = metadata {
            self.raw_provider_metadata = Some(raw.get().to_owned());
            self.gateway_cost = cost.as_ref().and_then(Cost::value);
        }
        for choice in chunk.choices.iter().flatten() {
            let pos = self.choice_pos(choice.index.unwrap_or(0))?;
            if let Some(delta) = &choice.delta {
                self.delta(pos, delta, out)?;
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

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.finished {
            return;
        }
        match self.reason() {
            Some((reason, raw)) => self.finish(reason, raw, out),
            None => super::incomplete(&mut self.parts, &self.usage, out),
        }
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

/// Fills `chunk` as serde would read it, or gives up with `None` where the scan cannot vouch for that
/// (see `scan`).
fn scan_chunk<'a>(s: &mut Scan<'a>, chunk: &mut Chunk<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| chunk_field(s, chunk, &mut seen, key))
}

fn chunk_field<'a>(s: &mut Scan<'a>, chunk: &mut Chunk<'a>, seen: &mut u32, key: &str) -> Option<bool> {
    match key {
        "id" => {
            first(seen, 0)?;
            chunk.id = s.opt_str()?;
        }
        "model" => {
            first(seen, 1)?;
            chunk.model = s.opt_str()?;
        }
        "choices" => {
            first(seen, 2)?;
            chunk.seen_at_choices = Note(Some(*seen));
            s.opt_list(&mut chunk.choices, scan_choice)?;
        }
        "usage" => {
            first(seen, 3)?;
            chunk.usage = s.opt_raw()?;
        }
        "x_groq" => {
            first(seen, 4)?;
            s.opt_obj(&mut chunk.x_groq, scan_x_groq)?;
        }
        "error" => {
            first(seen, 5)?;
            chunk.error = s.opt_raw()?;
        }
        _ => return Some(false),
    }
    Some(true)
}

fn scan_x_groq<'a>(s: &mut Scan<'a>, x_groq: &mut XGroq<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        if key != "usage" {
            return Some(false);
        }
        first(&mut seen, 0)?;
        x_groq.usage = s.opt_raw()?;
        Some(true)
    })
}

fn scan_choice<'a>(s: &mut Scan<'a>, choice: &mut Choice<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| choice_field(s, choice, &mut seen, key))
}

fn choice_field<'a>(s: &mut Scan<'a>, choice: &mut Choice<'a>, seen: &mut u32, key: &str) -> Option<bool> {
    match key {
        "index" => {
            first(seen, 0)?;
            choice.index = s.opt_u64()?;
        }
        "delta" => {
            first(seen, 1)?;
            choice.delta_at = Note(Some((s.position(), *seen)));
            s.opt_obj(&mut choice.delta, scan_delta)?;
        }
        "finish_reason" => {
            first(seen, 2)?;
            choice.finish_reason = s.opt_str()?;
        }
        _ => return Some(false),
    }
    Some(true)
}

fn scan_delta<'a>(s: &mut Scan<'a>, delta: &mut Delta<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "content" => (first(&mut seen, 0)?, delta.content = s.opt_str()?),
            "reasoning_content" => (first(&mut seen, 1)?, delta.reasoning_content = s.opt_str()?),
            "reasoning" => (first(&mut seen, 2)?, delta.reasoning = s.opt_str()?),
            "reasoning_details" => (
                first(&mut seen, 3)?,
                s.opt_list(&mut delta.reasoning_details, scan_detail)?,
            ),
            "tool_calls" => (first(&mut seen, 4)?, s.opt_list(&mut delta.tool_calls, scan_tool_call)?),
            "function_call" => (
                first(&mut seen, 5)?,
                s.opt_obj(&mut delta.function_call, scan_function)?,
            ),
            "provider_metadata" => (first(&mut seen, 6)?, delta.provider_metadata = s.opt_raw()?),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_detail<'a>(s: &mut Scan<'a>, detail: &mut Detail<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        let (bit, slot) = match key {
            "type" => (0, &mut detail.kind),
            "text" => (1, &mut detail.text),
            "summary" => (2, &mut detail.summary),
            "data" => (3, &mut detail.data),
            "signature" => (4, &mut detail.signature),
            _ => return Some(false),
        };
        first(&mut seen, bit)?;
        *slot = s.opt_str()?;
        Some(true)
    })
}

fn scan_tool_call<'a>(s: &mut Scan<'a>, call: &mut ToolCallDelta<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "index" => (first(&mut seen, 0)?, call.index = s.opt_u64()?),
            "id" => (first(&mut seen, 1)?, call.id = s.opt_str()?),
            "function" => (first(&mut seen, 2)?, s.opt_obj(&mut call.function, scan_function)?),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_function<'a>(s: &mut Scan<'a>, function: &mut FunctionDelta<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "name" => (first(&mut seen, 0)?, function.name = s.opt_str()?),
            "arguments" => (first(&mut seen, 1)?, function.arguments = s.opt_str()?),
            _ => return Some(false),
        };
        Some(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::scan::test_support::scanned;
    use crate::parser::{parse, Options};
    use crate::Family;
    use proptest::prelude::*;

    fn events(body: &str) -> Vec<Event> {
        let mut out = Vec::new();
        parse(body.as_bytes(), Some(Family::OpenAiChat), Options::default(), &mut out).unwrap();
        out
    }

    fn types(body: &str) -> Vec<&'static str> {
        events(body).iter().map(Event::type_name).collect()
    }

    fn last(body: &str) -> Event {
        events(body).pop().unwrap()
    }

    #[test]
    fn shapes_of_streams() {
        let cases: [(&str, &[&str]); 7] = [
            (
                "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                &["stream_start", "text_start", "text_delta", "text_end", "finish"],
            ),
            // Azure: the empty prompt-filter chunk gives no stream_start.
            (
                "data: {\"id\":\"\",\"model\":\"\",\"choices\":[]}\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                &["finish"],
            ),
            // null and empty fields open nothing.
            (
                "data: {\"choices\":[{\"delta\":{\"content\":null,\"reasoning\":\"\"},\"finish_reason\":\"stop\"}]}\n\n",
                &["finish"],
            ),
            // No finish reason: an incomplete stream, even with [DONE].
            (
                "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n",
                &["text_start", "text_delta", "text_end", "error", "finish"],
            ),
            // A signature alone still yields a start/end pair.
            (
                "data: {\"choices\":[{\"delta\":{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"signature\":\"s\"}]},\"finish_reason\":\"stop\"}]}\n\n",
                &["reasoning_start", "reasoning_end", "finish"],
            ),
            // Tool call completes at the next index, not when its arguments parse.
            (
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\ndata: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
                &[
                    "tool_input_start",
                    "tool_input_delta",
                    "tool_input_end",
                    "tool_call",
                    "tool_input_start",
                    "tool_input_end",
                    "tool_call",
                    "finish",
                ],
            ),
            // An error object: error event, finish(error).
            ("data: {\"error\":{\"message\":\"m\",\"code\":502}}\n\n", &["error", "finish"]),
        ];
        for (body, expected) in cases {
            assert_eq!(types(body), expected, "{body}");
        }
    }

    #[test]
    fn finish_reasons() {
        let cases = [
            ("stop", FinishReason::Stop),
            ("length", FinishReason::Length),
            ("tool_calls", FinishReason::ToolCalls),
            ("function_call", FinishReason::ToolCalls),
            ("content_filter", FinishReason::ContentFilter),
            ("error", FinishReason::Error),
            ("eos", FinishReason::Other),
        ];
        for (raw, reason) in cases {
            let body = format!("data: {{\"choices\":[{{\"finish_reason\":\"{raw}\"}}]}}\n\n");
            match last(&body) {
                Event::Finish {
                    reason: r, raw_reason, ..
                } => {
                    assert_eq!((r, raw_reason.as_deref()), (reason, Some(raw)));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn usage_meaning_and_metadata() {
        let cases: [(&str, [u64; 6], Option<f64>); 4] = [
            (
                r#"{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":3},"cost":0.5}"#,
                [10, 5, 15, 3, 4, 0],
                Some(0.5),
            ),
            (
                r#"{"prompt_tokens":10,"completion_tokens":5,"total_tokens":22,"completion_tokens_details":{"reasoning_tokens":7}}"#,
                [10, 12, 22, 7, 0, 0],
                None,
            ),
            (
                r#"{"prompt_tokens":10,"completion_tokens":1,"cache_creation_input_tokens":30,"cost":"0.25"}"#,
                [40, 1, 41, 0, 0, 30],
                Some(0.25),
            ),
            (r#"{"prompt_tokens":1,"cost":"1."}"#, [1, 0, 1, 0, 0, 0], None),
        ];
        for (wire, expected, cost) in cases {
            let body = format!(
                "data: {{\"choices\":[{{\"finish_reason\":\"stop\"}}]}}\n\ndata: {{\"choices\":[],\"usage\":{wire}}}\n\n"
            );
            let Event::Finish {
                usage,
                provider_metadata_json,
                ..
            } = last(&body)
            else {
                panic!("no finish");
            };
            let got = [
                usage.input_tokens,
                usage.output_tokens,
                usage.total_tokens,
                usage.reasoning_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens,
            ];
            assert_eq!((got, usage.cost), (expected, cost), "{wire}");
            assert_eq!(provider_metadata_json, Some(format!("{{\"usage\":{wire}}}")));
        }
    }

    #[test]
    fn decimal_grammar() {
        for (text, ok) in [
            ("0", true),
            ("-1.5e-3", true),
            ("10", true),
            ("01", false),
            ("1.", false),
            (".5", false),
            ("1e", false),
            (" 1", false),
            ("inf", false),
            ("", false),
        ] {
            assert_eq!(is_decimal(text), ok, "{text}");
        }
    }

    #[test]
    fn wrong_shapes() {
        for payload in [
            "[null,null,null,null,null,null]",
            r#"{"choices":[[0,null,null]]}"#,
            r#"{"choices":[{"index":-1}]}"#,
            r#"{"usage":{"prompt_tokens":1.0}}"#,
            r#"{"error":true}"#,
        ] {
            let mut out = Vec::new();
            let err = parse(
                format!("data: {payload}\n\n").as_bytes(),
                Some(Family::OpenAiChat),
                Options::default(),
                &mut out,
            )
            .unwrap_err();
            assert_eq!(
                err.kind,
                ErrorKind::UnexpectedPayload {
                    detail: "JSON of the wrong shape".to_owned()
                },
                "{payload}"
            );
        }
    }

    const BODY: &str = concat!(
        ": OPENROUTER PROCESSING\n\n",
        "data: {\"id\":\"g\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"th\\u00e9\",",
        "\"reasoning_details\":[{\"type\":\"reasoning.text\",\"text\":\"th\\u00e9\"}]}}]}\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"ol\u{e1} \u{1f44b}\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n",
        "data: [DONE]\n\n",
    );

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_events(cuts in proptest::collection::vec(0..BODY.len(), 0..12)) {
            let whole = events(BODY);
            let mut cuts = cuts;
            cuts.push(BODY.len());
            cuts.sort_unstable();
            let bytes = BODY.as_bytes();
            let mut parser = crate::StreamParser::new(Some(Family::OpenAiChat), Options::default());
            let mut out = Vec::new();
            let mut start = 0;
            for cut in cuts {
                parser.feed(&bytes[start..cut], &mut out).unwrap();
                start = cut;
            }
            parser.close(&mut out).unwrap();
            prop_assert_eq!(out, whole);
        }
    }

    fn assert_scan_agrees(data: &str) {
        crate::families::scan::test_support::assert_agrees(
            data,
            |d| scanned(d, scan_chunk),
            |d| parse_json::<Obj<Chunk<'_>>>(d).map(|c| c.0),
        );
    }

    const SCAN_SEEDS: [&str; 8] = [
        r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \"x\"\n\u00e9\ud83d\ude00","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        r#"{"choices":[{"index":1,"delta":{"reasoning_content":"a","reasoning":"b","reasoning_details":[{"type":"reasoning.text","text":"t","signature":"s","format":"x","index":0}]},"finish_reason":"stop","native_finish_reason":"STOP"}],"provider":"p"}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\": 1.5e-3}"}}],"function_call":{"name":"g","arguments":""}}}],"x":[1,-0.5,2E+10,true,false,null,{"k":[[]]}]}"#,
        r#"  {"id":null,"model":null,"choices":null,"usage":null,"x_groq":null,"error":null,"obfuscation":"\ud83d\ude00\\ud800"}  "#,
        r#"{"choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"#,
        r#"{"usage":{"prompt_tokens":1},"choices":[{"delta":{"provider_metadata":{"gateway":{}}}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}"#,
        r#"{"choices":[{"index":18446744073709551615,"delta":{}},{"index":1.0},{"index":-0},{"index":01}]}"#,
    ];

    #[test]
    fn scan_reads_common_chunks_and_agrees_with_serde() {
        crate::families::scan::test_support::check_seeds(&SCAN_SEEDS, 6, assert_scan_agrees, |d| {
            scanned(d, scan_chunk).is_some()
        });
    }

    #[test]
    fn scan_gives_up_on_what_serde_rejects() {
        let bad = [
            r#"{"id":"a"} x"#,
            r#"{"id":"a",}"#,
            r#"{"choices":[{"delta":{}},]}"#,
            r#"{"id":"a\x"}"#,
            "{\"id\":\"a\u{1}\"}",
            r#"{"id":"\ud800"}"#,
            r#"{"id":"\udc00\ud800"}"#,
            // Not valid JSON for us even where serde takes it (see `parse_json`).
            r#"{"obfuscation":"\ud800"}"#,
            r#"{"x":01}"#,
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":nul}"#,
            r#"{"id":5}"#,
            r#"{"choices":{}}"#,
            r#"{"choices":[null]}"#,
            "[]",
            r#"{"a\u0041":1}"#,
        ];
        for data in bad {
            assert!(scanned(data, scan_chunk).is_none(), "{data}");
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(scanned(&deep, scan_chunk).is_none());
    }

    /// The events and errors of `payloads` read as one stream, with the template (`resume`) or with
    /// every payload scanned from its start.
    fn stream_events(payloads: &[String], resume: bool) -> Vec<String> {
        let mut decoder = Decoder::default();
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for data in payloads {
            if let Err(err) = decoder.payload("message", data, &mut out) {
                errors.push(format!("{err:?}"));
            }
            if !resume {
                decoder.template = None;
            }
        }
        decoder.end(&mut out);
        out.iter().map(|e| format!("{e:?}")).chain(errors).collect()
    }

    /// Chunks as streams send them: one head (ids, model, the first choice up to its `delta`)
    /// repeated, different deltas and tails after it.
    const HEADS: [&str; 5] = [
        r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":"#,
        r#"{"choices":[{"delta":"#,
        r#"{"id": "gen-1", "model": "x/y", "usage": null, "choices": [{"finish_reason": null, "index": 0, "delta": "#,
        r#"{"id":"c","usage":{"prompt_tokens":1},"x_groq":null,"choices":[{"index":0,"delta":"#,
        r#"{"model":"m","error":{"message":"e"},"choices":[{"finish_reason":"stop","delta":"#,
    ];
    const TAILS: [&str; 9] = [
        r#"{"content":"Hi"},"logprobs":null,"finish_reason":null}],"system_fingerprint":"fp"}"#,
        r#"{"role":"assistant","content":""},"finish_reason":null}]}"#,
        r#"{"reasoning_content":"a\né"}}],"usage":null}"#,
        r#"{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\""}}]}}]}"#,
        r#"{"tool_calls":[{"index":0,"function":{"arguments":": 1}"}}]}},{"index":1,"delta":{"content":"x"}}]}"#,
        r#"{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#,
        r#"null,"index":0}],"error":{"message":"m","code":500}}"#,
        r#"{"content":"x"}}],"model":"again"}"#,
        r#"{"content":"x"},"delta":{}}]}"#,
    ];

    proptest! {
        /// Reading from where the repeated head ends gives what reading each payload whole gives,
        /// damaged payloads included.
        #[test]
        fn resuming_after_the_head_reads_as_a_full_scan(
            chunks in proptest::collection::vec((0..HEADS.len(), 0..TAILS.len(), 0usize..400, 0usize..3, proptest::sample::select(vec!["", "\"", "}", ",", "1", " ", "\\u", "]"])), 1..8),
        ) {
            let payloads: Vec<String> = chunks
                .iter()
                .map(|&(head, tail, at, remove, insert)| {
                    let mut data = format!("{}{}", HEADS[head], TAILS[tail]);
                    if remove > 0 {
                        let at = at % data.len();
                        let end = (at + remove).min(data.len());
                        if data.is_char_boundary(at) && data.is_char_boundary(end) {
                            data.replace_range(at..end, insert);
                        }
                    }
                    data
                })
                .collect();
            prop_assert_eq!(stream_events(&payloads, true), stream_events(&payloads, false));
        }
    }

    #[test]
    fn the_head_is_read_again_only_when_it_repeats() {
        let head = HEADS[0];
        let payloads: Vec<String> = [TAILS[0], TAILS[2], TAILS[0]]
            .iter()
            .map(|t| format!("{head}{t}"))
            .collect();
        let mut decoder = Decoder::default();
        let mut out = Vec::new();
        for data in &payloads {
            decoder.payload("message", data, &mut out).expect("valid chunks");
            let template = decoder.template.as_ref().expect("a template");
            assert_eq!(template.prefix, head);
        }
        // A head of other bytes is scanned whole and becomes the template.
        let other = format!("{}{}", HEADS[1], TAILS[0]);
        decoder.payload("message", &other, &mut out).expect("valid chunk");
        assert_eq!(decoder.template.as_ref().map(|t| t.prefix.as_str()), Some(HEADS[1]));
        // Nulls before `choices` and `delta` are not read again (OpenAI's `"usage":null`)...
        decoder
            .payload("message", &format!("{}{}", HEADS[2], TAILS[3]), &mut out)
            .expect("valid chunk");
        assert_eq!(
            decoder.template.as_ref().map(|t| t.prefix.as_str()),
            Some(HEADS[2].trim_end())
        );
        // ... but a value there would need reading again: no template.
        let usage_first = r#"{"usage":{"prompt_tokens":1},"choices":[{"delta":{}}]}"#;
        decoder.payload("message", usage_first, &mut out).expect("valid chunk");
        assert!(decoder.template.is_none());
    }

    proptest! {
        /// Any damage to a seed payload: the scan still never reads something serde would not.
        #[test]
        fn scan_is_sound_under_mutation(data in crate::families::scan::test_support::mutated(&SCAN_SEEDS)) {
            assert_scan_agrees(&data);
        }
    }
}
