//! `openai-responses`: typed `response.*` events with `sequence_number`s; every part lives in an
//! output item (`message` with `output_text` parts, `reasoning` with summary parts,
//! `function_call`, or a built-in tool's call item as it came: `CallShape`), and
//! `response.completed` repeats the whole output, as the API does.
//!
//! Item ids come back from part ids written `{item_id}:{index}` (what the Responses decoder
//! makes), so that consecutive parts of one item stay one item; other ids get `msg_{n}`, `rs_{n}`,
//! `fc_{n}` (n the output index). A reasoning item's signature is its `encrypted_content` (the
//! last one of its parts). `finish` maps to the response's status: `completed`, `incomplete`
//! (`max_output_tokens`, `content_filter`, or the raw reason), `failed`. `created_at` is the stream
//! start's `created`, 0 when it has none.

use std::mem;

use super::json::{int, is_object, raw, string, uint};
use super::{sse, Call, Writer};
use crate::events::{Event, FinishReason, PartId, Usage};

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
    text: String,
    /// A message's `refusal` part rather than `output_text`.
    refusal: bool,
    /// Its `*_part.added` was written (reasoning waits for its first text).
    announced: bool,
}

#[derive(Debug)]
struct Item {
    kind: Kind,
    id: String,
    output_index: u64,
    /// `,"item_id":…,"output_index":…`, which every event of its parts carries: written once.
    located: Vec<u8>,
    /// The texts of its finished parts, and whether each was a refusal.
    texts: Vec<(String, bool)>,
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
    item: Option<Item>,
    /// The `output_item.done` items so far, for `response.completed`.
    output: Vec<u8>,
    buf: Vec<u8>,
}

/// The item id and part index a Responses part id is made of (`{item_id}:{index}`).
fn split_id(id: &str) -> Option<&str> {
    let (item, index) = id.rsplit_once(':')?;
    (!item.is_empty() && !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())).then_some(item)
}

impl Encoder {
    /// Starts an event of type `kind`: `{"type":kind,"sequence_number":n` (the caller closes it).
    fn begin(&mut self, kind: &str) {
        self.buf.clear();
        raw(&mut self.buf, "{\"type\":");
        string(&mut self.buf, kind);
        raw(&mut self.buf, ",\"sequence_number\":");
        uint(&mut self.buf, self.sequence);
        self.sequence += 1;
    }

    fn write(&mut self, out: &mut Vec<u8>, kind: &str) {
        raw(&mut self.buf, "}");
        sse(out, Some(kind), &self.buf);
    }

    /// The `response` object's head, up to its `output`.
    fn response_head(&mut self, status: &str) {
        raw(&mut self.buf, ",\"response\":{");
        if let Some(id) = &self.id {
            raw(&mut self.buf, "\"id\":");
            string(&mut self.buf, id);
            raw(&mut self.buf, ",");
        }
        raw(&mut self.buf, "\"object\":\"response\",\"created_at\":");
        int(&mut self.buf, self.created);
        raw(&mut self.buf, ",\"status\":");
        string(&mut self.buf, status);
        if let Some(model) = &self.model {
            raw(&mut self.buf, ",\"model\":");
            string(&mut self.buf, model);
        }
    }

    fn start(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.begin("response.created");
        self.response_head("in_progress");
        raw(&mut self.buf, ",\"output\":[]}");
        self.write(out, "response.created");
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
            || format!("{}_{output_index}", if kind == Kind::Message { "msg" } else { "rs" }),
            str::to_owned,
        );
        self.begin("response.output_item.added");
        raw(&mut self.buf, ",\"output_index\":");
        uint(&mut self.buf, output_index);
        raw(&mut self.buf, ",\"item\":{\"id\":");
        string(&mut self.buf, &item_id);
        raw(
            &mut self.buf,
            if kind == Kind::Message {
                ",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"
            } else {
                ",\"type\":\"reasoning\",\"summary\":[]}"
            },
        );
        self.write(out, "response.output_item.added");
        self.item = Some(Item {
            kind,
            located: Self::located(&item_id, output_index),
            id: item_id,
            output_index,
            texts: Vec::new(),
            parts: 0,
            open: None,
            signature: None,
        });
    }

    fn open_part(&mut self, kind: Kind, id: &PartId, refusal: bool, out: &mut Vec<u8>) {
        self.start(out);
        self.item_for(kind, id, out);
        self.close_part(out);
        if let Some(item) = &mut self.item {
            let index = item.parts;
            item.parts += 1;
            item.open = Some(OpenPart {
                id: id.clone(),
                index,
                text: String::new(),
                refusal,
                announced: false,
            });
        }
        if kind == Kind::Message {
            self.announce(out);
        }
    }

    /// `*_part.added` of the open part, once.
    fn announce(&mut self, out: &mut Vec<u8>) {
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
            self.begin(kind);
            self.buf.extend_from_slice(&item.located);
            raw(&mut self.buf, index);
            uint(&mut self.buf, part.index);
            raw(&mut self.buf, part_json);
            self.write(out, kind);
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
            .is_some_and(|p| p.id == *id)
    }

    fn part_delta(&mut self, id: &PartId, text: &str, out: &mut Vec<u8>) {
        if !self.is_open(id) {
            return;
        }
        self.announce(out);
        let Some(item) = self.item.take() else { return };
        if let Some(part) = &item.open {
            let (kind, index) = match item.kind {
                Kind::Message if part.refusal => ("response.refusal.delta", ",\"content_index\":"),
                Kind::Message => ("response.output_text.delta", ",\"content_index\":"),
                Kind::Reasoning => ("response.reasoning_summary_text.delta", ",\"summary_index\":"),
            };
            self.begin(kind);
            self.buf.extend_from_slice(&item.located);
            raw(&mut self.buf, index);
            uint(&mut self.buf, part.index);
            raw(&mut self.buf, ",\"delta\":");
            string(&mut self.buf, text);
            if item.kind == Kind::Message && !part.refusal {
                raw(&mut self.buf, ",\"logprobs\":[]");
            }
            self.write(out, kind);
        }
        self.item = Some(item);
        if let Some(part) = self.item.as_mut().and_then(|i| i.open.as_mut()) {
            part.text.push_str(text);
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
                self.begin(done);
                self.buf.extend_from_slice(&item.located);
                raw(&mut self.buf, index);
                uint(&mut self.buf, part.index);
                raw(&mut self.buf, if part.refusal { ",\"refusal\":" } else { ",\"text\":" });
                string(&mut self.buf, &part.text);
                if item.kind == Kind::Message && !part.refusal {
                    raw(&mut self.buf, ",\"logprobs\":[]");
                }
                self.write(out, done);
                self.begin(part_done);
                self.buf.extend_from_slice(&item.located);
                raw(&mut self.buf, index);
                uint(&mut self.buf, part.index);
                raw(&mut self.buf, text_key);
                string(&mut self.buf, &part.text);
                raw(
                    &mut self.buf,
                    if item.kind == Kind::Message && !part.refusal {
                        ",\"annotations\":[]}"
                    } else {
                        "}"
                    },
                );
                self.write(out, part_done);
                item.texts.push((part.text, part.refusal));
            }
        }
        self.item = Some(item);
    }

    /// `output_item.done` of the open item, also kept for `response.completed`.
    fn close_item(&mut self, out: &mut Vec<u8>) {
        self.close_part(out);
        let Some(item) = self.item.take() else { return };
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
                for (n, (text, refusal)) in item.texts.iter().enumerate() {
                    if n > 0 {
                        self.output.push(b',');
                    }
                    if *refusal {
                        raw(&mut self.output, "{\"type\":\"refusal\",\"refusal\":");
                        string(&mut self.output, text);
                        raw(&mut self.output, "}");
                    } else {
                        raw(&mut self.output, "{\"type\":\"output_text\",\"text\":");
                        string(&mut self.output, text);
                        raw(&mut self.output, ",\"annotations\":[]}");
                    }
                }
                raw(&mut self.output, "]}");
            }
            Kind::Reasoning => {
                raw(&mut self.output, ",\"type\":\"reasoning\",\"summary\":[");
                for (n, (text, _)) in item.texts.iter().enumerate() {
                    if n > 0 {
                        self.output.push(b',');
                    }
                    raw(&mut self.output, "{\"type\":\"summary_text\",\"text\":");
                    string(&mut self.output, text);
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

    /// Writes `output_item.done` with the item at `self.output[json_start..]`.
    fn item_done(&mut self, output_index: u64, json_start: usize, out: &mut Vec<u8>) {
        self.begin("response.output_item.done");
        raw(&mut self.buf, ",\"output_index\":");
        uint(&mut self.buf, output_index);
        raw(&mut self.buf, ",\"item\":");
        self.buf
            .extend_from_slice(self.output.get(json_start..).unwrap_or_default());
        self.write(out, "response.output_item.done");
    }
}

impl Writer for Encoder {
    fn event(&mut self, event: &Event, out: &mut Vec<u8>) {
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
            Event::TextDelta { id, text, .. }
            | Event::ReasoningDelta { id, text }
            | Event::RefusalDelta { id, text, .. } => {
                self.part_delta(id, text, out);
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
                self.begin("error");
                raw(&mut self.buf, ",\"code\":");
                string(&mut self.buf, kind);
                raw(&mut self.buf, ",\"message\":");
                string(&mut self.buf, message);
                raw(&mut self.buf, ",\"param\":null");
                self.write(out, "error");
            }
            _ => {}
        }
    }

    // The fragments go out as held: the `*.done` event and the item carry the arguments whole.
    fn tool_call(&mut self, call: Call<'_>, out: &mut Vec<u8>) {
        let (call_id, name, arguments) = (call.id, call.name, call.arguments);
        let shape = CallShape::of(call.wire_type, arguments);
        self.start(out);
        self.close_item(out);
        let output_index = self.items;
        self.items += 1;
        let item_id = format!("{}_{output_index}", shape.prefix());
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
        self.begin("response.output_item.added");
        raw(&mut self.buf, ",\"output_index\":");
        uint(&mut self.buf, output_index);
        raw(&mut self.buf, ",\"item\":");
        item(
            &mut self.buf,
            "in_progress",
            if shape.streams() { "" } else { arguments },
        );
        self.write(out, "response.output_item.added");
        if let Some((delta, done, key)) = shape.input_events() {
            for fragment in &call.fragments {
                self.begin(delta);
                self.buf.extend_from_slice(&located);
                raw(&mut self.buf, ",\"delta\":");
                string(&mut self.buf, fragment);
                self.write(out, delta);
            }
            self.begin(done);
            self.buf.extend_from_slice(&located);
            raw(&mut self.buf, key);
            string(&mut self.buf, arguments);
            self.write(out, done);
        }
        if !self.output.is_empty() {
            self.output.push(b',');
        }
        let json_start = self.output.len();
        item(&mut self.output, "completed", arguments);
        self.item_done(output_index, json_start, out);
    }

    fn finish(&mut self, reason: FinishReason, raw_reason: Option<&str>, usage: &Usage, out: &mut Vec<u8>) {
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
        self.begin(kind);
        self.response_head(status);
        raw(&mut self.buf, ",\"output\":[");
        let output = mem::take(&mut self.output);
        self.buf.extend_from_slice(&output);
        raw(&mut self.buf, "]");
        if let Some(reason) = incomplete {
            raw(&mut self.buf, ",\"incomplete_details\":{\"reason\":");
            string(&mut self.buf, reason);
            raw(&mut self.buf, "}");
        }
        if reason == FinishReason::Error {
            raw(
                &mut self.buf,
                ",\"error\":{\"code\":\"server_error\",\"message\":\"the response failed\"}",
            );
        }
        raw(&mut self.buf, ",\"usage\":{\"input_tokens\":");
        uint(&mut self.buf, usage.input_tokens);
        raw(&mut self.buf, ",\"input_tokens_details\":{\"cached_tokens\":");
        uint(&mut self.buf, usage.cache_read_tokens);
        raw(&mut self.buf, "},\"output_tokens\":");
        uint(&mut self.buf, usage.output_tokens);
        raw(&mut self.buf, ",\"output_tokens_details\":{\"reasoning_tokens\":");
        uint(&mut self.buf, usage.reasoning_tokens);
        raw(&mut self.buf, "},\"total_tokens\":");
        uint(&mut self.buf, usage.total_tokens);
        raw(&mut self.buf, "}}");
        self.write(out, kind);
    }

    // An `error` event does not close a Responses stream: its `response.*` finish does.
    fn ends_on_error(&self) -> bool {
        false
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
