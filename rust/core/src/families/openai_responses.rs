//! The `openai-responses` wire family: the Responses API's typed `response.*` events, as endpoints of both
//! providers (`OpenAI`, Azure) send them.
//!
//! Part ids: a text part is `{item_id}:{content_index}`, a reasoning part (one per summary part) is
//! `{item_id}:{summary_index}`, a function call is its `call_id` (what the caller sends back), a web
//! search call its item id. Sources are numbered `src_{n}` in order of arrival.
//!
//! Web searches (`web_search_call` items) run on the provider's side: they become provider-executed tool
//! calls named `web_search` whose arguments are the item's final `action` object exactly as sent
//! (`{"type":"search","query":…}`), and their `url_citation` annotations become `source` events.
//! They do not make the finish `tool_calls`: only function calls the caller must run do.
//!
//! A reasoning item's `encrypted_content` (from `output_item.done`) is the signature of its last
//! summary part; an item with no summary text but encrypted content still yields a start/end pair.
//! An `error` event is reported at once; the `finish(error)` follows with `response.failed` or at
//! the end of the stream. Payloads after the terminal event are ignored.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Usage};

use super::parts::{PartKind, Parts};
use super::scan::{first, Scan};
use super::{read_payload, FamilyDecoder, Obj, Raw};

#[derive(Debug, Default, Deserialize)]
struct Payload<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    response: Option<Obj<Response<'a>>>,
    #[serde(borrow)]
    item: Option<Obj<Item<'a>>>,
    #[serde(borrow)]
    item_id: Option<Cow<'a, str>>,
    content_index: Option<u64>,
    summary_index: Option<u64>,
    #[serde(borrow)]
    delta: Option<Cow<'a, str>>,
    #[serde(borrow)]
    annotation: Option<Obj<Annotation<'a>>>,
    #[serde(borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    usage: Option<Obj<ResponseUsage>>,
    #[serde(borrow)]
    incomplete_details: Option<Obj<IncompleteDetails<'a>>>,
    #[serde(borrow)]
    error: Option<Obj<ResponseError<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct ResponseUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    input_tokens_details: Option<Obj<InputDetails>>,
    output_tokens_details: Option<Obj<OutputDetails>>,
}

#[derive(Debug, Default, Deserialize)]
struct InputDetails {
    cached_tokens: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
struct OutputDetails {
    reasoning_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct IncompleteDetails<'a> {
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct ResponseError<'a> {
    #[serde(borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct Item<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    call_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arguments: Option<Cow<'a, str>>,
    #[serde(borrow)]
    encrypted_content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    action: Option<Raw<'a>>,
}

#[derive(Debug, Deserialize)]
struct Annotation<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
}

/// The id of the part `{item}:{index}`, kept between calls: text deltas come by the hundred for
/// the same part, and rebuilding the id each time was a third of the decoder's time.
#[derive(Debug, Default)]
struct PartId {
    item: String,
    index: u64,
    id: String,
}

impl PartId {
    fn get(&mut self, item: &str, index: u64) -> &str {
        if self.id.is_empty() || self.item != item || self.index != index {
            self.item.clear();
            self.item.push_str(item);
            self.index = index;
            self.id = format!("{item}:{index}");
        }
        &self.id
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Fresh,
    /// `stream_start` was sent.
    Started,
    /// The terminal event came (or the stream ended): later payloads are ignored.
    Finished,
}

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    state: State,
    error_sent: bool,
    /// Whether a function call (one the caller must run) was seen: the finish is then `tool_calls`.
    function_calls: bool,
    /// `(item id, call id)` of the function calls: argument deltas name the item, the part is the call.
    calls: Vec<(String, String)>,
    text_id: PartId,
    /// The open reasoning (summary) part: its item id and part id.
    reasoning: Option<(String, String)>,
    reasoning_id: PartId,
    sources: usize,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // The scan reads the usual payloads, serde the rest (see `scan`).
        let mut p = Payload::default();
        read_payload(data, &mut p, scan_payload)?;
        if self.state == State::Finished {
            return Ok(());
        }
        let kind = p.kind.as_deref().unwrap_or(event);
        let item_id = p.item_id.as_deref().unwrap_or("");
        match kind {
            "response.output_text.delta" | "response.refusal.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if !delta.is_empty() {
                    let id = self.text_id.get(item_id, p.content_index.unwrap_or(0));
                    self.parts.text(id, delta, out)?;
                }
            }
            "response.content_part.done" => {
                let id = self.text_id.get(item_id, p.content_index.unwrap_or(0));
                self.parts.end(id, None, out);
            }
            "response.reasoning_summary_part.added" => {
                self.open_reasoning(item_id, p.summary_index.unwrap_or(0), out)?;
            }
            "response.reasoning_summary_text.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if !delta.is_empty() {
                    self.open_reasoning(item_id, p.summary_index.unwrap_or(0), out)?;
                    if let Some((_, id)) = &self.reasoning {
                        self.parts.reasoning(id, delta, out)?;
                    }
                }
            }
            "response.function_call_arguments.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if let Some((_, call_id)) = self.calls.iter().find(|(item, _)| item == item_id) {
                    self.parts.tool_input(call_id, delta, out);
                }
            }
            "response.output_text.annotation.added" => {
                if let Some(Obj(a)) = p.annotation {
                    if let (Some("url_citation"), Some(url)) = (a.kind.as_deref(), a.url) {
                        out.push(Event::Source {
                            id: format!("src_{}", self.sources),
                            url: url.into_owned(),
                            title: a.title.map(Cow::into_owned),
                        });
                        self.sources += 1;
                    }
                }
            }
            "response.output_item.added" => {
                if let Some(item) = p.item {
                    self.item_added(&item, out)?;
                }
            }
            "response.output_item.done" => {
                if let Some(item) = p.item {
                    self.item_done(&item, out)?;
                }
            }
            "response.created" | "response.in_progress" | "response.queued" => {
                if let (State::Fresh, Some(Obj(r))) = (&self.state, p.response) {
                    self.state = State::Started;
                    out.push(Event::StreamStart {
                        id: r.id.map(Cow::into_owned),
                        model: r.model.map(Cow::into_owned),
                    });
                }
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                self.finish(kind, p.response.map(|r| r.0), data, out);
            }
            "error" => {
                self.error_sent = true;
                out.push(Event::Error {
                    message: p.message.map(Cow::into_owned).unwrap_or_default(),
                    kind: p.code.map_or_else(|| "error".to_owned(), Cow::into_owned),
                    raw: Some(data.to_owned()),
                });
            }
            // Event types that repeat what the deltas said (`*.done`), progress notices, and types
            // this decoder does not know yet.
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.state == State::Finished {
            return;
        }
        self.state = State::Finished;
        if self.error_sent {
            self.parts.close_all(out);
            out.push(finish_event(FinishReason::Error, None, &self.usage));
        } else {
            super::incomplete(&mut self.parts, &self.usage, out);
        }
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

impl Decoder {
    /// Makes summary part `index` of reasoning item `item` the open reasoning part, closing the
    /// previous summary part first.
    fn open_reasoning(&mut self, item: &str, index: u64, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let id = self.reasoning_id.get(item, index);
        if let Some((_, open)) = &self.reasoning {
            if open == id {
                return Ok(());
            }
            self.parts.end(open, None, out);
        }
        self.parts.start(PartKind::Reasoning, id, "", false, out)?;
        self.reasoning = Some((item.to_owned(), id.to_owned()));
        Ok(())
    }

    fn item_added(&mut self, item: &Item<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let item_id = item.id.as_deref().unwrap_or("");
        match item.kind.as_deref() {
            Some("function_call") => {
                let call_id = item.call_id.as_deref().unwrap_or(item_id);
                self.function_calls = true;
                self.calls.push((item_id.to_owned(), call_id.to_owned()));
                let name = item.name.as_deref().unwrap_or("");
                self.parts
                    .start(PartKind::ToolInput, call_id, name, false, out)
                    .map(drop)
            }
            Some("web_search_call") => self
                .parts
                .start(PartKind::ToolInput, item_id, "web_search", true, out)
                .map(drop),
            _ => Ok(()),
        }
    }

    fn item_done(&mut self, item: &Item<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let item_id = item.id.as_deref().unwrap_or("");
        match item.kind.as_deref() {
            Some("function_call") => {
                let call_id = item.call_id.as_deref().unwrap_or(item_id);
                self.function_calls = true;
                if !self.parts.is_open(call_id) {
                    let name = item.name.as_deref().unwrap_or("");
                    self.parts.start(PartKind::ToolInput, call_id, name, false, out)?;
                }
                self.parts.end(call_id, item.arguments.as_deref(), out);
            }
            Some("web_search_call") => {
                if !self.parts.is_open(item_id) {
                    self.parts
                        .start(PartKind::ToolInput, item_id, "web_search", true, out)?;
                }
                self.parts.end(item_id, item.action.map(Raw::get), out);
            }
            Some("reasoning") => {
                let open = match self.reasoning.take() {
                    Some((item, id)) if item == item_id => Some(id),
                    Some(other) => {
                        self.reasoning = Some(other);
                        None
                    }
                    None => None,
                };
                let id = match (open, item.encrypted_content.as_deref()) {
                    (Some(id), _) => id,
                    (None, Some(_)) => {
                        let id = self.reasoning_id.get(item_id, 0).to_owned();
                        self.parts.start(PartKind::Reasoning, &id, "", false, out)?;
                        id
                    }
                    (None, None) => return Ok(()),
                };
                if let Some(signature) = item.encrypted_content.as_deref() {
                    self.parts.sign(&id, signature, false);
                }
                self.parts.end(&id, None, out);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, kind: &str, response: Option<Response<'_>>, data: &str, out: &mut Vec<Event>) {
        self.state = State::Finished;
        self.reasoning = None;
        self.parts.close_all(out);
        let mut raw_reason = None;
        let mut error = None;
        if let Some(r) = response {
            if let Some(u) = r.usage {
                self.usage = usage(&u);
            }
            raw_reason = r.status;
            if let Some(reason) = r.incomplete_details.and_then(|d| d.0.reason) {
                raw_reason = Some(reason);
            }
            error = r.error;
        }
        let reason = match kind {
            "response.failed" => {
                if !self.error_sent {
                    self.error_sent = true;
                    let (code, message) = error.map_or((None, None), |Obj(e)| (e.code, e.message));
                    out.push(Event::Error {
                        message: message.map_or_else(|| "the response failed".to_owned(), Cow::into_owned),
                        kind: code.map_or_else(|| "error".to_owned(), Cow::into_owned),
                        raw: Some(data.to_owned()),
                    });
                }
                FinishReason::Error
            }
            "response.incomplete" => match raw_reason.as_deref() {
                Some("max_output_tokens") => FinishReason::Length,
                Some("content_filter") => FinishReason::ContentFilter,
                _ => FinishReason::Other,
            },
            _ if self.function_calls => FinishReason::ToolCalls,
            _ => FinishReason::Stop,
        };
        out.push(finish_event(reason, raw_reason.map(Cow::into_owned), &self.usage));
    }
}

fn usage(u: &ResponseUsage) -> Usage {
    let input = u.input_tokens.unwrap_or(0);
    let output = u.output_tokens.unwrap_or(0);
    Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input.saturating_add(output),
        reasoning_tokens: u
            .output_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .unwrap_or(0),
        cache_read_tokens: u
            .input_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens)
            .unwrap_or(0),
        cache_write_tokens: 0,
        cost: None,
    }
}

fn finish_event(reason: FinishReason, raw_reason: Option<String>, usage: &Usage) -> Event {
    Event::Finish {
        reason,
        raw_reason,
        usage: usage.clone(),
        provider_metadata_json: None,
    }
}

/// Fills `p` as serde would read it, or gives up with `None` where the scan cannot vouch for that
/// (see `scan`).
fn scan_payload<'a>(s: &mut Scan<'a>, p: &mut Payload<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        let (bit, slot) = match key {
            "type" => (0, &mut p.kind),
            "item_id" => (1, &mut p.item_id),
            "delta" => (2, &mut p.delta),
            "code" => (3, &mut p.code),
            "message" => (4, &mut p.message),
            "content_index" | "summary_index" => {
                first(&mut seen, if key == "content_index" { 5 } else { 6 })?;
                *if key == "content_index" {
                    &mut p.content_index
                } else {
                    &mut p.summary_index
                } = s.opt_u64()?;
                return Some(true);
            }
            "response" => {
                first(&mut seen, 7)?;
                s.opt_obj(&mut p.response, scan_response)?;
                return Some(true);
            }
            "item" => {
                first(&mut seen, 8)?;
                s.opt_obj(&mut p.item, scan_item)?;
                return Some(true);
            }
            // Rare: serde reads it.
            "annotation" => {
                first(&mut seen, 9)?;
                s.null_only()?;
                return Some(true);
            }
            _ => return Some(false),
        };
        first(&mut seen, bit)?;
        *slot = s.opt_str()?;
        Some(true)
    })
}

fn scan_response<'a>(s: &mut Scan<'a>, response: &mut Response<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        let (bit, slot) = match key {
            "id" => (0, &mut response.id),
            "model" => (1, &mut response.model),
            "status" => (2, &mut response.status),
            "usage" => {
                first(&mut seen, 3)?;
                s.opt_obj(&mut response.usage, scan_usage)?;
                return Some(true);
            }
            // Rare: serde reads them.
            "incomplete_details" | "error" => {
                first(&mut seen, if key == "error" { 4 } else { 5 })?;
                s.null_only()?;
                return Some(true);
            }
            _ => return Some(false),
        };
        first(&mut seen, bit)?;
        *slot = s.opt_str()?;
        Some(true)
    })
}

fn scan_usage(s: &mut Scan<'_>, usage: &mut ResponseUsage) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "input_tokens" => (first(&mut seen, 0)?, usage.input_tokens = s.opt_u64()?),
            "output_tokens" => (first(&mut seen, 1)?, usage.output_tokens = s.opt_u64()?),
            "input_tokens_details" => (
                first(&mut seen, 2)?,
                s.opt_obj(&mut usage.input_tokens_details, |s, details| {
                    one_u64(s, "cached_tokens", &mut details.cached_tokens)
                })?,
            ),
            "output_tokens_details" => (
                first(&mut seen, 3)?,
                s.opt_obj(&mut usage.output_tokens_details, |s, details| {
                    one_u64(s, "reasoning_tokens", &mut details.reasoning_tokens)
                })?,
            ),
            _ => return Some(false),
        };
        Some(true)
    })
}

/// An object of which only the `u64` field `name` is read.
fn one_u64(s: &mut Scan<'_>, name: &str, slot: &mut Option<u64>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        if key != name {
            return Some(false);
        }
        first(&mut seen, 0)?;
        *slot = s.opt_u64()?;
        Some(true)
    })
}

fn scan_item<'a>(s: &mut Scan<'a>, item: &mut Item<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        let (bit, slot) = match key {
            "type" => (0, &mut item.kind),
            "id" => (1, &mut item.id),
            "call_id" => (2, &mut item.call_id),
            "name" => (3, &mut item.name),
            "arguments" => (4, &mut item.arguments),
            "encrypted_content" => (5, &mut item.encrypted_content),
            "action" => {
                first(&mut seen, 6)?;
                item.action = s.opt_raw()?;
                return Some(true);
            }
            _ => return Some(false),
        };
        first(&mut seen, bit)?;
        *slot = s.opt_str()?;
        Some(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::scan::test_support::scanned;
    use crate::families::test_support::types;
    use crate::families::Family;
    use proptest::prelude::*;

    fn events(body: &str) -> Vec<Event> {
        crate::families::test_support::events(Family::OpenAiResponses, body)
    }

    const REASON_CALL: &str = concat!(
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp\",\"model\":\"m\"}}\n\n",
        "data: {\"type\":\"response.reasoning_summary_text.delta\",\"item_id\":\"rs\",\"summary_index\":0,\"delta\":\"a\"}\n\n",
        "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"reasoning\",\"id\":\"rs\",\"encrypted_content\":\"E\"}}\n\n",
        "data: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"function_call\",\"id\":\"fc\",\"call_id\":\"call_1\",\"name\":\"f\"}}\n\n",
        "data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc\",\"delta\":\"{}\"}\n\n",
        "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"function_call\",\"id\":\"fc\",\"call_id\":\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"}}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"usage\":{\"input_tokens\":5,",
        "\"input_tokens_details\":{\"cached_tokens\":2},\"output_tokens\":7,\"output_tokens_details\":{\"reasoning_tokens\":3}}}}\n\n",
    );

    #[test]
    fn table() {
        let cases: [(&str, &str, &[&str]); 4] = [
            (
                "reasoning then call",
                REASON_CALL,
                &[
                    "stream_start",
                    "reasoning_start",
                    "reasoning_delta",
                    "reasoning_end",
                    "tool_input_start",
                    "tool_input_delta",
                    "tool_input_end",
                    "tool_call",
                    "finish",
                ],
            ),
            (
                "encrypted reasoning without summary",
                "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"reasoning\",\"id\":\"rs\",\"encrypted_content\":\"E\"}}\n\ndata: {\"type\":\"response.completed\"}\n\n",
                &["reasoning_start", "reasoning_end", "finish"],
            ),
            (
                "error",
                "data: {\"type\":\"error\",\"code\":\"c\",\"message\":\"m\"}\n\n",
                &["error", "finish"],
            ),
            (
                "cut",
                "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"x\"}\n\n",
                &["text_start", "text_delta", "text_end", "error", "finish"],
            ),
        ];
        for (name, body, expected) in cases {
            assert_eq!(types(&events(body)), expected, "{name}");
        }
    }

    #[test]
    fn usage_signature_and_call_id() {
        let out = events(REASON_CALL);
        assert!(
            matches!(out.get(3), Some(Event::ReasoningEnd { id, signature: Some(s), .. }) if &**id == "rs:0" && s == "E")
        );
        assert!(matches!(out.get(7), Some(Event::ToolCall { id, .. }) if &**id == "call_1"));
        let Some(Event::Finish {
            reason,
            usage,
            raw_reason,
            ..
        }) = out.last()
        else {
            panic!("no finish")
        };
        assert_eq!(*reason, FinishReason::ToolCalls);
        assert_eq!(raw_reason.as_deref(), Some("completed"));
        assert_eq!(
            (usage.input_tokens, usage.output_tokens, usage.total_tokens),
            (5, 7, 12)
        );
        assert_eq!((usage.reasoning_tokens, usage.cache_read_tokens), (3, 2));
    }

    #[test]
    fn incomplete_reasons() {
        for (reason, expected) in [
            ("max_output_tokens", FinishReason::Length),
            ("content_filter", FinishReason::ContentFilter),
            ("x", FinishReason::Other),
        ] {
            let body = format!(
                "data: {{\"type\":\"response.incomplete\",\"response\":{{\"incomplete_details\":{{\"reason\":\"{reason}\"}}}}}}\n\n"
            );
            assert!(
                matches!(events(&body).last(), Some(Event::Finish { reason: r, .. }) if *r == expected),
                "{reason}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_split_gives_same_events(cuts in proptest::collection::vec(0..REASON_CALL.len(), 0..12)) {
            let out = crate::families::test_support::events_split(Family::OpenAiResponses, REASON_CALL, cuts);
            prop_assert_eq!(out, events(REASON_CALL));
        }
    }

    const SCAN_SEEDS: [&str; 6] = [
        r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi \"x\"\n\u00e9","logprobs":[],"obfuscation":"abc"}"#,
        r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-5","output":[],"usage":null,"metadata":{}}}"#,
        r#"{"type":"response.completed","response":{"id":"r","status":"completed","usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":1},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":12}}}"#,
        r#"{"type":"response.output_item.added","item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"","status":"in_progress","action":{"type":"search"}}}"#,
        r#"{"type":"response.output_text.annotation.added","annotation":{"type":"url_citation","url":"https://x"}}"#,
        r#"{"type":"error","code":"x","message":"m","code":"y"}"#,
    ];

    fn assert_scan_agrees(data: &str) {
        crate::families::scan::test_support::assert_agrees(
            data,
            |d| scanned(d, scan_payload),
            crate::families::parse_object::<Payload<'_>>,
        );
    }

    #[test]
    fn scan_reads_common_payloads_and_agrees_with_serde() {
        crate::families::scan::test_support::check_seeds(&SCAN_SEEDS, 4, assert_scan_agrees, |d| {
            scanned(d, scan_payload).is_some()
        });
    }

    proptest! {
        #[test]
        fn scan_is_sound_under_mutation(data in crate::families::scan::test_support::mutated(&SCAN_SEEDS)) {
            assert_scan_agrees(&data);
        }
    }
}
