//! `openai-responses`: typed `response.*` events with `sequence_number`s; every part lives in an
//! output item (`message` with `output_text` parts, `reasoning` with summary parts,
//! `function_call`, or a built-in tool's call item as it came: `CallShape`; a provider-run
//! call of a hosted tool as its item, with its result: `HostedKind`), and `response.completed`
//! repeats the whole output, as the API does.
//!
//! Item ids come back from part ids written `{item_id}:{index}` (what the Responses decoder
//! makes), so that consecutive parts of one item stay one item; other ids get `msg_{n}`, `rs_{n}`,
//! `fc_{n}` (n the output index). A reasoning item's signature is its `encrypted_content` (the
//! last one of its parts). `finish` maps to the response's status: `completed`, `incomplete`
//! (`max_output_tokens`, `content_filter`, or the raw reason), `failed`. `created_at` is the stream
//! start's `created`, 0 when it has none.

use std::mem;

use super::json::{array_len, escaped, int, is_array, is_json, is_object, raw, string, uint};
use super::{same_part, Call, Writer};
use crate::events::{Event, FinishReason, PartId, Usage};
use crate::message::join_array;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Message,
    Reasoning,
}

/// The part of an item open now.
#[derive(Debug)]
struct OpenPart {
    id: PartId,
    index: u64,
    /// Its text so far as a JSON string's inside: escaped once, as its deltas were written (the
    /// `*.done` events, the item and `response.completed` repeat it).
    text: Vec<u8>,
    /// A message's `refusal` part rather than `output_text`.
    refusal: bool,
    /// Its `*_part.added` was written (reasoning waits for its first text).
    announced: bool,
    /// An `output_text` part's logprobs, its deltas' non-empty arrays joined (`join_array`), for its
    /// `output_text.done`.
    logprobs: Option<String>,
    /// What its delta events carry between the `sequence_number` and the text:
    /// `,"item_id":…,"output_index":…,"content_index":…,"delta":`, written once: a delta is then
    /// three copies, a number and the text (with the `announce` check below, the corpus into
    /// Responses went from 50.2M to 48.9M instructions, callgrind).
    delta_fields: Vec<u8>,
}

/// The room a part's text starts with (`OpenPart::text`).
const PART_TEXT_ROOM: usize = 256;

/// The start of an SSE event of a literal type, up to its `sequence_number`'s value (as
/// [`Encoder::begin`] writes it).
macro_rules! head {
    ($kind:literal) => {
        concat!(
            "event: ",
            $kind,
            "\ndata: {\"type\":\"",
            $kind,
            "\",\"sequence_number\":"
        )
    };
}

#[derive(Debug)]
struct Item {
    kind: Kind,
    id: String,
    output_index: u64,
    /// `,"item_id":…,"output_index":…`, which every event of its parts carries: written once.
    located: Vec<u8>,
    /// The texts of its finished parts (escaped, as `OpenPart::text`), whether each was a refusal,
    /// and its logprobs (`OpenPart::logprobs`).
    texts: Vec<(Vec<u8>, bool, Option<String>)>,
    parts: u64,
    open: Option<OpenPart>,
    signature: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Encoder {
    id: Option<String>,
    model: Option<String>,
    created: i64,
    started: bool,
    sequence: u64,
    items: u64,
    /// Boxed: the methods that write an item's events take it out and put it back, which moved
    /// the whole struct twice per delta (a tenth of the encoder's time, perf).
    item: Option<Box<Item>>,
    /// The `output_item.done` items so far, for `response.completed`.
    output: Vec<u8>,
    /// A hosted call's item waiting for its result.
    hosted: Option<Hosted>,
}

/// `{prefix}_{n}`, the id of an item made here. Written as the JSON numbers are: through
/// `format!` an id cost about 600 instructions (0.24M over the corpus into Responses, callgrind).
fn numbered_id(prefix: &str, n: u64) -> String {
    let mut id = Vec::with_capacity(prefix.len() + 21);
    id.extend_from_slice(prefix.as_bytes());
    id.push(b'_');
    uint(&mut id, n);
    String::from_utf8(id).unwrap_or_default()
}

/// The item id and part index a Responses part id is made of (`{item_id}:{index}`).
fn split_id(id: &str) -> Option<&str> {
    let (item, index) = id.rsplit_once(':')?;
    (!item.is_empty() && !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())).then_some(item)
}

impl Encoder {
    /// Starts the SSE event of an event of type `kind`, written straight into `out` (a copy from
    /// a buffer was a tenth of the encoder's time): its `event:` line, then its data
    /// `{"type":kind,"sequence_number":n`, which [`write`](Self::write) closes.
    fn begin(&mut self, out: &mut Vec<u8>, kind: &str) {
        // The kinds are this module's literals: nothing to escape.
        raw(out, "event: ");
        raw(out, kind);
        raw(out, "\ndata: {\"type\":\"");
        raw(out, kind);
        raw(out, "\",\"sequence_number\":");
        uint(out, self.sequence);
        self.sequence += 1;
    }

    fn write(out: &mut Vec<u8>) {
        raw(out, "}\n\n");
    }

    /// The `response` object's head, up to its `output`.
    fn response_head(&self, out: &mut Vec<u8>, status: &str) {
        raw(out, ",\"response\":{");
        if let Some(id) = &self.id {
            raw(out, "\"id\":");
            string(out, id);
            raw(out, ",");
        }
        raw(out, "\"object\":\"response\",\"created_at\":");
        int(out, self.created);
        raw(out, ",\"status\":");
        string(out, status);
        if let Some(model) = &self.model {
            raw(out, ",\"model\":");
            string(out, model);
        }
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.begin(out, "response.created");
        self.response_head(out, "in_progress");
        raw(out, ",\"output\":[]}");
        Self::write(out);
    }

    /// `,"item_id":…,"output_index":…` of an item.
    fn located(item_id: &str, output_index: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(item_id.len() + 40);
        raw(&mut out, ",\"item_id\":");
        string(&mut out, item_id);
        raw(&mut out, ",\"output_index\":");
        uint(&mut out, output_index);
        out
    }

    /// The open item of `kind` for part `id`: the current one when the id names it, else a new one.
    fn item_for(&mut self, kind: Kind, id: &PartId, out: &mut Vec<u8>) {
        let wanted = split_id(id);
        if let Some(item) = &self.item {
            if item.kind == kind && wanted == Some(item.id.as_str()) {
                return;
            }
        }
        self.close_item(out);
        let output_index = self.items;
        self.items += 1;
        let item_id = wanted.map_or_else(
            || numbered_id(if kind == Kind::Message { "msg" } else { "rs" }, output_index),
            str::to_owned,
        );
        self.begin(out, "response.output_item.added");
        raw(out, ",\"output_index\":");
        uint(out, output_index);
        raw(out, ",\"item\":{\"id\":");
        string(out, &item_id);
        raw(
            out,
            if kind == Kind::Message {
                ",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"
            } else {
                ",\"type\":\"reasoning\",\"summary\":[]}"
            },
        );
        Self::write(out);
        self.item = Some(Box::new(Item {
            kind,
            located: Self::located(&item_id, output_index),
            id: item_id,
            output_index,
            texts: Vec::new(),
            parts: 0,
            open: None,
            signature: None,
        }));
    }

    fn open_part(&mut self, kind: Kind, id: &PartId, refusal: bool, out: &mut Vec<u8>) {
        self.start(out);
        self.item_for(kind, id, out);
        self.close_part(out);
        if let Some(item) = &mut self.item {
            let index = item.parts;
            item.parts += 1;
            let mut delta_fields = Vec::with_capacity(item.located.len() + 40);
            delta_fields.extend_from_slice(&item.located);
            raw(
                &mut delta_fields,
                if kind == Kind::Message {
                    ",\"content_index\":"
                } else {
                    ",\"summary_index\":"
                },
            );
            uint(&mut delta_fields, index);
            raw(&mut delta_fields, ",\"delta\":");
            item.open = Some(OpenPart {
                id: id.clone(),
                index,
                // Room for a few deltas at once: grown from nothing, a part's text was reallocated
                // 1.1k times over the corpus (0.37M instructions of its 48.4M, callgrind).
                text: Vec::with_capacity(PART_TEXT_ROOM),
                refusal,
                announced: false,
                logprobs: None,
                delta_fields,
            });
        }
        if kind == Kind::Message {
            self.announce(out);
        }
    }

    /// `*_part.added` of the open part, once.
    fn announce(&mut self, out: &mut Vec<u8>) {
        // Every delta asks: the usual answer costs no move of the item.
        if self
            .item
            .as_ref()
            .and_then(|i| i.open.as_ref())
            .is_none_or(|p| p.announced)
        {
            return;
        }
        let Some(item) = self.item.take() else { return };
        if let Some(part) = item.open.as_ref().filter(|p| !p.announced) {
            let (kind, index, part_json) = match item.kind {
                Kind::Message if part.refusal => (
                    "response.content_part.added",
                    ",\"content_index\":",
                    ",\"part\":{\"type\":\"refusal\",\"refusal\":\"\"}",
                ),
                Kind::Message => (
                    "response.content_part.added",
                    ",\"content_index\":",
                    ",\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}",
                ),
                Kind::Reasoning => (
                    "response.reasoning_summary_part.added",
                    ",\"summary_index\":",
                    ",\"part\":{\"type\":\"summary_text\",\"text\":\"\"}",
                ),
            };
            self.begin(out, kind);
            out.extend_from_slice(&item.located);
            raw(out, index);
            uint(out, part.index);
            raw(out, part_json);
            Self::write(out);
        }
        self.item = Some(item);
        if let Some(part) = self.item.as_mut().and_then(|i| i.open.as_mut()) {
            part.announced = true;
        }
    }

    /// Whether `id` is the open part of the open item.
    fn is_open(&self, id: &PartId) -> bool {
        self.item
            .as_ref()
            .and_then(|i| i.open.as_ref())
            .is_some_and(|p| same_part(&p.id, id))
    }

    fn part_delta(&mut self, id: &PartId, text: &str, logprobs: Option<&str>, out: &mut Vec<u8>) {
        // One look at the open part answers both questions a delta asks (is it open, was it
        // announced): the usual answer costs no call.
        match self.item.as_deref().and_then(|i| i.open.as_ref()) {
            Some(part) if same_part(&part.id, id) => {
                if !part.announced {
                    self.announce(out);
                }
            }
            _ => return,
        }
        let sequence = self.sequence;
        let Some(item) = self.item.as_deref_mut() else { return };
        let Some(part) = &mut item.open else { return };
        self.sequence += 1;
        let (head, tail) = match item.kind {
            Kind::Message if part.refusal => (head!("response.refusal.delta"), "}\n\n"),
            Kind::Message => (head!("response.output_text.delta"), ",\"logprobs\":[]}\n\n"),
            Kind::Reasoning => (head!("response.reasoning_summary_text.delta"), "}\n\n"),
        };
        // The event's room at once (the text escaped at its longest, a number of twenty digits):
        // the writes below then find it there.
        out.reserve(head.len() + 20 + part.delta_fields.len() + text.len() * 6 + 2 + tail.len());
        raw(out, head);
        uint(out, sequence);
        out.extend_from_slice(&part.delta_fields);
        let at = out.len();
        string(out, text);
        // The escaped text, between its quotes.
        let escaped = out.get(at + 1..out.len() - 1).unwrap_or_default();
        part.text.extend_from_slice(escaped);
        match logprobs.filter(|_| item.kind == Kind::Message && !part.refusal) {
            Some(array) => write_logprobs(out, array, &mut part.logprobs),
            None => raw(out, tail),
        }
    }

    /// Ends the open part of the open item (`signature` for a reasoning part).
    fn close_part(&mut self, out: &mut Vec<u8>) {
        let Some(mut item) = self.item.take() else { return };
        if let Some(part) = item.open.take() {
            if part.announced {
                let (done, index, part_done, text_key) = match item.kind {
                    Kind::Message if part.refusal => (
                        "response.refusal.done",
                        ",\"content_index\":",
                        "response.content_part.done",
                        ",\"part\":{\"type\":\"refusal\",\"refusal\":",
                    ),
                    Kind::Message => (
                        "response.output_text.done",
                        ",\"content_index\":",
                        "response.content_part.done",
                        ",\"part\":{\"type\":\"output_text\",\"text\":",
                    ),
                    Kind::Reasoning => (
                        "response.reasoning_summary_text.done",
                        ",\"summary_index\":",
                        "response.reasoning_summary_part.done",
                        ",\"part\":{\"type\":\"summary_text\",\"text\":",
                    ),
                };
                self.begin(out, done);
                out.extend_from_slice(&item.located);
                raw(out, index);
                uint(out, part.index);
                raw(out, if part.refusal { ",\"refusal\":" } else { ",\"text\":" });
                escaped(out, &part.text);
                if item.kind == Kind::Message && !part.refusal {
                    raw(out, ",\"logprobs\":");
                    raw(out, part.logprobs.as_deref().unwrap_or("[]"));
                }
                Self::write(out);
                self.begin(out, part_done);
                out.extend_from_slice(&item.located);
                raw(out, index);
                uint(out, part.index);
                raw(out, text_key);
                escaped(out, &part.text);
                raw(
                    out,
                    if item.kind == Kind::Message && !part.refusal {
                        ",\"annotations\":[]}"
                    } else {
                        "}"
                    },
                );
                Self::write(out);
                item.texts.push((part.text, part.refusal, part.logprobs));
            }
        }
        self.item = Some(item);
    }

    /// `output_item.done` of the open item, also kept for `response.completed`.
    fn close_item(&mut self, out: &mut Vec<u8>) {
        self.close_part(out);
        let Some(item) = self.item.take() else { return };
        // Room for the item at once: grown a push at a time, `output` was reallocated 805 times
        // over the corpus (0.30M instructions, callgrind). Its texts and logprobs, and the keys
        // around each (under 80 bytes).
        let texts: usize = item
            .texts
            .iter()
            .map(|(text, _, logprobs)| text.len() + logprobs.as_ref().map_or(0, String::len) + 80)
            .sum();
        let signature = item.signature.as_ref().map_or(0, String::len);
        self.output.reserve(item.id.len() + texts + signature + 120);
        let start = self.output.len();
        if start > 0 {
            self.output.push(b',');
        }
        let json_start = self.output.len();
        raw(&mut self.output, "{\"id\":");
        string(&mut self.output, &item.id);
        match item.kind {
            Kind::Message => {
                raw(
                    &mut self.output,
                    ",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[",
                );
                for (n, (text, refusal, logprobs)) in item.texts.iter().enumerate() {
                    if n > 0 {
                        self.output.push(b',');
                    }
                    if *refusal {
                        raw(&mut self.output, "{\"type\":\"refusal\",\"refusal\":");
                        escaped(&mut self.output, text);
                        raw(&mut self.output, "}");
                    } else {
                        raw(&mut self.output, "{\"type\":\"output_text\",\"text\":");
                        escaped(&mut self.output, text);
                        raw(&mut self.output, ",\"annotations\":[]");
                        if let Some(logprobs) = logprobs {
                            raw(&mut self.output, ",\"logprobs\":");
                            raw(&mut self.output, logprobs);
                        }
                        raw(&mut self.output, "}");
                    }
                }
                raw(&mut self.output, "]}");
            }
            Kind::Reasoning => {
                raw(&mut self.output, ",\"type\":\"reasoning\",\"summary\":[");
                for (n, (text, ..)) in item.texts.iter().enumerate() {
                    if n > 0 {
                        self.output.push(b',');
                    }
                    raw(&mut self.output, "{\"type\":\"summary_text\",\"text\":");
                    escaped(&mut self.output, text);
                    raw(&mut self.output, "}");
                }
                raw(&mut self.output, "]");
                if let Some(signature) = &item.signature {
                    raw(&mut self.output, ",\"encrypted_content\":");
                    string(&mut self.output, signature);
                }
                raw(&mut self.output, "}");
            }
        }
        self.item_done(item.output_index, json_start, out);
    }

    /// A provider-run call as its hosted item: `output_item.added`, its streamed input (code,
    /// MCP arguments); the item is done when its result comes ([`hosted_done`](Self::hosted_done)).
    fn hosted_call(&mut self, call: &Call<'_>, kind: HostedKind, out: &mut Vec<u8>) {
        self.start(out);
        self.close_item(out);
        let output_index = self.items;
        self.items += 1;
        let hosted = Hosted {
            kind,
            id: call.id.to_owned(),
            name: call.name.to_owned(),
            arguments: call.arguments.to_owned(),
            output_index,
            result: None,
            output_format: None,
        };
        self.begin(out, "response.output_item.added");
        raw(out, ",\"output_index\":");
        uint(out, output_index);
        raw(out, ",\"item\":");
        hosted.write(out, false);
        Self::write(out);
        if let Some(events) = kind.input_events() {
            let located = Self::located(&hosted.id, output_index);
            self.streamed_input(events, &located, &call.fragments, &hosted.arguments, out);
        }
        self.hosted = Some(hosted);
    }

    /// A call's input as it streamed: a delta event per fragment held, then the done event with
    /// the input whole (`events`: the delta and done events' types, the done event's key).
    fn streamed_input(
        &mut self,
        (delta, done, key): (&str, &str, &str),
        located: &[u8],
        fragments: &[String],
        input: &str,
        out: &mut Vec<u8>,
    ) {
        for fragment in fragments {
            self.begin(out, delta);
            out.extend_from_slice(located);
            raw(out, ",\"delta\":");
            string(out, fragment);
            Self::write(out);
        }
        self.begin(out, done);
        out.extend_from_slice(located);
        raw(out, key);
        string(out, input);
        Self::write(out);
    }

    /// The hosted item waiting for its result, done: with the result if it came.
    fn hosted_done(&mut self, out: &mut Vec<u8>) {
        let Some(hosted) = self.hosted.take() else { return };
        if !self.output.is_empty() {
            self.output.push(b',');
        }
        let json_start = self.output.len();
        hosted.write(&mut self.output, true);
        self.item_done(hosted.output_index, json_start, out);
    }

    /// Whether `event` completes the hosted item waiting (its result; a generated image's final
    /// file, which says its format): taken in. Any other event first ends the item.
    fn hosted_event(&mut self, event: &Event, out: &mut Vec<u8>) -> bool {
        let Some(hosted) = &mut self.hosted else { return false };
        match event {
            Event::ToolResult {
                id, result, is_error, ..
            } if **id == *hosted.id && hosted.result.is_none() => {
                // Written as sent into the item: JSON only.
                hosted.result = Some((
                    if is_json(result) {
                        result.clone()
                    } else {
                        "null".to_owned()
                    },
                    *is_error,
                ));
                if hosted.kind != HostedKind::ImageGeneration {
                    self.hosted_done(out);
                }
                true
            }
            Event::File {
                id,
                media_type,
                partial: false,
                ..
            } if *id == hosted.id && hosted.kind == HostedKind::ImageGeneration => {
                hosted.output_format = media_type
                    .strip_prefix("image/")
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned);
                self.hosted_done(out);
                true
            }
            _ => {
                self.hosted_done(out);
                false
            }
        }
    }

    /// Writes `output_item.done` with the item at `self.output[json_start..]`.
    fn item_done(&mut self, output_index: u64, json_start: usize, out: &mut Vec<u8>) {
        self.begin(out, "response.output_item.done");
        raw(out, ",\"output_index\":");
        uint(out, output_index);
        raw(out, ",\"item\":");
        out.extend_from_slice(self.output.get(json_start..).unwrap_or_default());
        Self::write(out);
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
        if self.hosted_event(event, out) {
            return;
        }
        match event {
            Event::StreamStart { id, model, created } => {
                if !self.started {
                    self.id.clone_from(id);
                    self.model.clone_from(model);
                    self.created = created.unwrap_or_default();
                }
                self.start(out);
            }
            Event::TextStart { id, .. } => self.open_part(Kind::Message, id, false, out),
            Event::RefusalStart { id, .. } => self.open_part(Kind::Message, id, true, out),
            Event::ReasoningStart { id, .. } => self.open_part(Kind::Reasoning, id, false, out),
            Event::TextDelta { id, text, logprobs } => self.part_delta(id, text, logprobs.as_deref(), out),
            Event::ReasoningDelta { id, text } | Event::RefusalDelta { id, text, .. } => {
                self.part_delta(id, text, None, out);
            }
            Event::TextEnd { id } | Event::RefusalEnd { id } if self.is_open(id) => self.close_part(out),
            Event::ReasoningEnd { id, signature, .. } if self.is_open(id) => {
                if let (Some(item), Some(signature)) = (&mut self.item, signature.as_ref().filter(|s| !s.is_empty())) {
                    item.signature = Some(signature.clone());
                }
                self.close_part(out);
            }
            Event::Error { message, kind, .. } => {
                self.start(out);
                self.begin(out, "error");
                raw(out, ",\"code\":");
                string(out, kind);
                raw(out, ",\"message\":");
                string(out, message);
                raw(out, ",\"param\":null");
                Self::write(out);
            }
            _ => {}
        }
    }

    // The fragments go out as held: the `*.done` event and the item carry the arguments whole.
    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        self.hosted_done(out);
        if call.provider_executed {
            // A hosted tool's call becomes its item; other provider-run calls have no place.
            if let Some(kind) = HostedKind::of(call.wire_type, call.arguments) {
                self.hosted_call(&call, kind, out);
            }
            return;
        }
        let (call_id, name, arguments) = (call.id, call.name, call.arguments);
        let shape = CallShape::of(call.wire_type, arguments);
        self.start(out);
        self.close_item(out);
        let output_index = self.items;
        self.items += 1;
        let item_id = numbered_id(shape.prefix(), output_index);
        let located = Self::located(&item_id, output_index);
        let item = |b: &mut Vec<u8>, status: &str, arguments: &str| {
            raw(b, "{\"id\":");
            string(b, &item_id);
            raw(b, ",\"type\":");
            string(b, shape.item_type());
            raw(b, ",\"status\":");
            string(b, status);
            match shape {
                CallShape::Function => {
                    raw(b, ",\"arguments\":");
                    string(b, arguments);
                }
                CallShape::Custom => {}
                CallShape::Object { field, .. } => {
                    raw(b, field);
                    raw(b, arguments);
                    if shape == CallShape::TOOL_SEARCH {
                        raw(b, ",\"execution\":\"client\"");
                    }
                }
            }
            raw(b, ",\"call_id\":");
            string(b, call_id);
            if shape == CallShape::Custom {
                raw(b, ",\"name\":");
                string(b, name);
                raw(b, ",\"input\":");
                string(b, arguments);
            } else if shape == CallShape::Function {
                raw(b, ",\"name\":");
                string(b, name);
            }
            raw(b, "}");
        };
        self.begin(out, "response.output_item.added");
        raw(out, ",\"output_index\":");
        uint(out, output_index);
        raw(out, ",\"item\":");
        item(out, "in_progress", if shape.streams() { "" } else { arguments });
        Self::write(out);
        if let Some(events) = shape.input_events() {
            self.streamed_input(events, &located, &call.fragments, arguments, out);
        }
        if !self.output.is_empty() {
            self.output.push(b',');
        }
        let json_start = self.output.len();
        item(&mut self.output, "completed", arguments);
        self.item_done(output_index, json_start, out);
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
        self.hosted_done(out);
        self.start(out);
        self.close_item(out);
        let (kind, status, incomplete) = match reason {
            FinishReason::Stop | FinishReason::ToolCalls => ("response.completed", "completed", None),
            FinishReason::Length => ("response.incomplete", "incomplete", Some("max_output_tokens")),
            FinishReason::ContentFilter => ("response.incomplete", "incomplete", Some("content_filter")),
            FinishReason::Error => ("response.failed", "failed", None),
            FinishReason::Other => (
                "response.incomplete",
                "incomplete",
                Some(
                    raw_reason
                        .filter(|r| !["max_output_tokens", "content_filter"].contains(r))
                        .unwrap_or("other"),
                ),
            ),
        };
        self.begin(out, kind);
        self.response_head(out, status);
        raw(out, ",\"output\":[");
        let output = mem::take(&mut self.output);
        out.extend_from_slice(&output);
        raw(out, "]");
        if let Some(reason) = incomplete {
            raw(out, ",\"incomplete_details\":{\"reason\":");
            string(out, reason);
            raw(out, "}");
        }
        if reason == FinishReason::Error {
            raw(
                out,
                ",\"error\":{\"code\":\"server_error\",\"message\":\"the response failed\"}",
            );
        }
        raw(out, ",\"usage\":{\"input_tokens\":");
        uint(out, usage.input_tokens);
        raw(out, ",\"input_tokens_details\":{\"cached_tokens\":");
        uint(out, usage.cache_read_tokens);
        raw(out, "},\"output_tokens\":");
        uint(out, usage.output_tokens);
        raw(out, ",\"output_tokens_details\":{\"reasoning_tokens\":");
        uint(out, usage.reasoning_tokens);
        raw(out, "},\"total_tokens\":");
        uint(out, usage.total_tokens);
        raw(out, "}}");
        Self::write(out);
    }

    // An `error` event does not close a Responses stream: its `response.*` finish does.
    fn ends_on_error(&self) -> bool {
        false
    }

    // The hosted tools' calls (`HostedKind`); other provider-run calls are dropped.
    fn provider_calls(&self) -> bool {
        true
    }
}

/// The item a client-run call is written as: its own type where the call came as a built-in
/// tool's call (`call_type`), else a `function_call`. A built-in whose input is a JSON object
/// (`apply_patch_call`, `shell_call`, ...) needs it to be one: other arguments go as a function call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallShape {
    Function,
    /// `custom_tool_call`: free-text `input`, streamed as `custom_tool_call_input` deltas.
    Custom,
    /// A call whose input is the JSON object at `field` (`,"operation":`), written whole.
    Object {
        item_type: &'static str,
        prefix: &'static str,
        field: &'static str,
    },
}

impl CallShape {
    const TOOL_SEARCH: Self = Self::Object {
        item_type: "tool_search_call",
        prefix: "tsc",
        field: ",\"arguments\":",
    };

    fn of(call_type: Option<&str>, arguments: &str) -> Self {
        let object = |item_type, prefix, field| Self::Object {
            item_type,
            prefix,
            field,
        };
        let shape = match call_type {
            Some("custom_tool_call") => return Self::Custom,
            Some("apply_patch_call") => object("apply_patch_call", "apc", ",\"operation\":"),
            Some("local_shell_call") => object("local_shell_call", "lsh", ",\"action\":"),
            Some("shell_call") => object("shell_call", "sh", ",\"action\":"),
            Some("tool_search_call") => Self::TOOL_SEARCH,
            _ => return Self::Function,
        };
        if is_object(arguments) {
            shape
        } else {
            Self::Function
        }
    }

    fn item_type(self) -> &'static str {
        match self {
            Self::Function => "function_call",
            Self::Custom => "custom_tool_call",
            Self::Object { item_type, .. } => item_type,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Function => "fc",
            Self::Custom => "ctc",
            Self::Object { prefix, .. } => prefix,
        }
    }

    fn streams(self) -> bool {
        !matches!(self, Self::Object { .. })
    }

    /// The delta and done events of a streamed input, and the done event's key for it.
    fn input_events(self) -> Option<(&'static str, &'static str, &'static str)> {
        match self {
            Self::Function => Some((
                "response.function_call_arguments.delta",
                "response.function_call_arguments.done",
                ",\"arguments\":",
            )),
            Self::Custom => Some((
                "response.custom_tool_call_input.delta",
                "response.custom_tool_call_input.done",
                ",\"input\":",
            )),
            Self::Object { .. } => None,
        }
    }
}

/// A hosted tool's call item (one the provider runs, with its result in the item), by its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostedKind {
    WebSearch,
    FileSearch,
    CodeInterpreter,
    ImageGeneration,
    Mcp,
}

impl HostedKind {
    /// The hosted item a provider-run call is written as: its wire type (`call_type`) names one,
    /// and its arguments are that item's input (a web search's `action` object, a file search's
    /// `queries` array; the code and MCP arguments are text). `None`: the call is dropped.
    fn of(call_type: Option<&str>, arguments: &str) -> Option<Self> {
        match call_type? {
            "web_search_call" if is_object(arguments) => Some(Self::WebSearch),
            "file_search_call" if is_array(arguments) => Some(Self::FileSearch),
            "code_interpreter_call" => Some(Self::CodeInterpreter),
            "image_generation_call" => Some(Self::ImageGeneration),
            "mcp_call" => Some(Self::Mcp),
            _ => None,
        }
    }

    fn item_type(self) -> &'static str {
        match self {
            Self::WebSearch => "web_search_call",
            Self::FileSearch => "file_search_call",
            Self::CodeInterpreter => "code_interpreter_call",
            Self::ImageGeneration => "image_generation_call",
            Self::Mcp => "mcp_call",
        }
    }

    /// The delta and done events of a streamed input, and the done event's key for it.
    fn input_events(self) -> Option<(&'static str, &'static str, &'static str)> {
        match self {
            Self::CodeInterpreter => Some((
                "response.code_interpreter_call_code.delta",
                "response.code_interpreter_call_code.done",
                ",\"code\":",
            )),
            Self::Mcp => Some((
                "response.mcp_call_arguments.delta",
                "response.mcp_call_arguments.done",
                ",\"arguments\":",
            )),
            _ => None,
        }
    }
}

/// A hosted call item written up to its input, waiting for its result: the `tool_result` that
/// follows its `tool_call` (and for a generated image, the final `file`, for its format).
#[derive(Debug)]
struct Hosted {
    kind: HostedKind,
    id: String,
    name: String,
    arguments: String,
    output_index: u64,
    /// The result's JSON text and whether it is an error.
    result: Option<(String, bool)>,
    /// A generated image's format (`webp`): the subtype of its final file's media type.
    output_format: Option<String>,
}

impl Hosted {
    /// The item as `output_item.added` has it, or (`done`) as `output_item.done` has it, with its result.
    fn write(&self, b: &mut Vec<u8>, done: bool) {
        let (result, is_error) = match (&self.result, done) {
            (Some((result, is_error)), true) => (Some(result.as_str()), *is_error),
            _ => (None, false),
        };
        let status = match (done, is_error) {
            (false, _) => "in_progress",
            (true, false) => "completed",
            (true, true) => "failed",
        };
        raw(b, "{\"id\":");
        string(b, &self.id);
        raw(b, ",\"type\":\"");
        raw(b, self.kind.item_type());
        raw(b, "\",\"status\":\"");
        raw(b, status);
        raw(b, "\"");
        let result_or = |b: &mut Vec<u8>, empty: &str| raw(b, result.unwrap_or(empty));
        match self.kind {
            HostedKind::WebSearch if done => {
                // Its result is its `action` as sent (`null`: it had none); with no result, the
                // action is the arguments.
                let action = match result {
                    Some("null") => None,
                    Some(result) => Some(result),
                    None => Some(self.arguments.as_str()),
                };
                if let Some(action) = action {
                    raw(b, ",\"action\":");
                    raw(b, action);
                }
            }
            HostedKind::WebSearch => {}
            HostedKind::FileSearch => {
                raw(b, ",\"queries\":");
                raw(b, if done { &self.arguments } else { "[]" });
                raw(b, ",\"results\":");
                result_or(b, "null");
            }
            HostedKind::CodeInterpreter => {
                raw(b, ",\"code\":");
                string(b, if done { &self.arguments } else { "" });
                // No event carries the container: written empty.
                raw(b, ",\"container_id\":\"\",\"outputs\":");
                result_or(b, if done { "null" } else { "[]" });
            }
            HostedKind::ImageGeneration => {
                if let Some(format) = self.output_format.as_deref().filter(|_| done) {
                    raw(b, ",\"output_format\":");
                    string(b, format);
                }
                if done {
                    raw(b, ",\"result\":");
                    result_or(b, "null");
                }
            }
            HostedKind::Mcp => {
                raw(b, ",\"approval_request_id\":null,\"arguments\":");
                string(b, if done { &self.arguments } else { "" });
                raw(b, ",\"error\":");
                raw(b, if is_error { result.unwrap_or("null") } else { "null" });
                raw(b, ",\"name\":");
                string(b, &self.name);
                raw(b, ",\"output\":");
                raw(b, if is_error { "null" } else { result.unwrap_or("null") });
                // No event carries the server's label: written empty.
                raw(b, ",\"server_label\":\"\"");
            }
        }
        raw(b, "}");
    }
}

/// The end of an `output_text.delta` with its `logprobs` (a text that is not a JSON array counts
/// as none), the entries also joined into `joined` for the part's `done`.
fn write_logprobs(out: &mut Vec<u8>, array: &str, joined: &mut Option<String>) {
    let Some(items) = array_len(array) else {
        raw(out, ",\"logprobs\":[]}\n\n");
        return;
    };
    raw(out, ",\"logprobs\":");
    raw(out, array);
    raw(out, "}\n\n");
    if items > 0 {
        join_array(joined, array.trim_matches([' ', '\t', '\n', '\r']));
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_id;

    #[test]
    fn numbered_ids_are_written_as_format_writes_them() {
        for n in [0, 9, 10, 99, 100, 999, 1000, 123_456, u64::MAX] {
            assert_eq!(numbered_id("msg", n), format!("msg_{n}"));
        }
    }
}
