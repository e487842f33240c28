//! The `cohere` wire family: Cohere's v2 chat stream (`POST /v2/chat`, `stream: true`): typed events
//! `message-start`, `content-start` / `-delta` / `-end`, `tool-plan-delta`, `tool-call-start` /
//! `-delta` / `-end`, `citation-start` / `-end`, `message-end`.
//!
//! Decisions (the Python twin, `reference/families/cohere.py`, takes the same):
//! - Part ids: the content index for text and thinking content (`"0"`, `"1"`, …), the call id sent
//!   with `tool-call-start` for tool calls (later tool events name the call by its index).
//! - `tool-plan-delta` text is reasoning, in a part of its own (`tool_plan_0`, `tool_plan_1`, …, a
//!   new one after anything closed it): it is the model's account of the calls it is about to make,
//!   not answer text, and a next request sends it back as `tool_plan`, apart from the content.
//! - Content of a type other than text and thinking is passed over. A delta or end for a content
//!   index or tool call that was not started, or a second start of one, is an impossible order.
//! - Citations: a `source` for every cited document or tool output that names a `url`, once per URL (as
//!   Gemini's grounding sources), numbered `src_0`, `src_1`, …; the cited spans themselves have no event yet.
//! - `message-end` closes what is open and finishes: `COMPLETE` and `STOP_SEQUENCE` are `stop`,
//!   `MAX_TOKENS` `length`, `TOOL_CALL` `tool_calls`, `ERROR` `error`, anything else `other` (raw
//!   kept). A non-empty `delta.error` becomes an `error` event before the finish. Usage: input and
//!   output are `usage.tokens`' counts (all tokens processed), `cached_tokens` the cache reads;
//!   `finish.provider_metadata_json` is `{"usage": <the usage object as sent>}`, which holds the
//!   billed units. Payloads after `message-end` are not read.
//! - A stream without `message-end` is incomplete.

#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Usage};

use super::parts::{PartKind, Parts};
use super::scan::{Scan, Scanned};
use super::Lifecycle;
use super::{read_payload, FamilyDecoder, Obj, Raw};
use wire::{Citation, Content, Payload, ToolCall};

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    state: Lifecycle,
    /// Started content blocks: their index and part kind (`None`: a type passed over).
    contents: Vec<(u64, Option<PartKind>)>,
    /// Started tool calls: their index and call id.
    tools: Vec<(u64, String)>,
    /// The id of the current tool plan part, and how many were opened.
    plan: Option<String>,
    plans: u64,
    /// URLs already reported as sources.
    source_urls: Vec<String>,
}

fn finish_reason(raw: &str) -> FinishReason {
    match raw {
        "COMPLETE" | "STOP_SEQUENCE" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "TOOL_CALL" => FinishReason::ToolCalls,
        "ERROR" => FinishReason::Error,
        _ => FinishReason::Other,
    }
}

fn non_empty<'s>(s: Option<&'s Cow<'_, str>>) -> Option<&'s str> {
    s.map(AsRef::as_ref).filter(|s| !s.is_empty())
}

fn not_open(what: &str, index: u64) -> ErrorKind {
    ErrorKind::UnexpectedPayload {
        detail: format!("`{what}` for {index}, which is not open"),
    }
}

fn started_twice(what: &str, index: u64) -> ErrorKind {
    ErrorKind::UnexpectedPayload {
        detail: format!("`{what}` for {index}, which was already started"),
    }
}

/// A raw nested value read as the object `T` (absent stays absent, and so does a value of another
/// JSON type: tolerant reader), by the scan where it can.
fn nested<'a, T: Default + serde::Deserialize<'a>>(
    raw: Option<Raw<'a>>,
    scan: fn(&mut Scan<'a>, &mut T) -> Scanned<()>,
) -> Result<Option<T>, ErrorKind> {
    raw.and_then(Raw::object)
        .map(|raw| {
            let mut value = T::default();
            read_payload(raw.get(), &mut value, scan).map(|()| value)
        })
        .transpose()
}

impl Decoder {
    fn content_start(
        &mut self,
        index: u64,
        content: Option<&Content<'_>>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        if self.contents.iter().any(|(i, _)| *i == index) {
            return Err(started_twice("content-start", index));
        }
        let kind = match content.and_then(|c| c.kind.as_deref()) {
            Some("text") => Some(PartKind::Text),
            Some("thinking") => Some(PartKind::Reasoning),
            _ => None,
        };
        if let Some(kind) = kind {
            let id = index.to_string();
            self.parts.start(kind, &id, "", false, out)?;
            self.content_text(&id, kind, content, out)?;
        }
        self.contents.push((index, kind));
        Ok(())
    }

    fn content_text(
        &mut self,
        id: &str,
        kind: PartKind,
        content: Option<&Content<'_>>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let Some(content) = content else {
            return Ok(());
        };
        match kind {
            PartKind::Text => match non_empty(content.text.as_ref()) {
                Some(text) => self.parts.text(id, text, out),
                None => Ok(()),
            },
            _ => match non_empty(content.thinking.as_ref()) {
                Some(text) => self.parts.reasoning(id, text, out),
                None => Ok(()),
            },
        }
    }

    fn content_delta(
        &mut self,
        index: u64,
        content: Option<&Content<'_>>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let (_, kind) = *self
            .contents
            .iter()
            .find(|(i, _)| *i == index)
            .ok_or_else(|| not_open("content-delta", index))?;
        let Some(kind) = kind else {
            return Ok(());
        };
        let id = index.to_string();
        if self.parts.kind(&id) != Some(kind) {
            return Err(not_open("content-delta", index));
        }
        self.content_text(&id, kind, content, out)
    }

    fn content_end(&mut self, index: u64, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let pos = self
            .contents
            .iter()
            .position(|(i, _)| *i == index)
            .ok_or_else(|| not_open("content-end", index))?;
        let (_, kind) = self.contents.remove(pos);
        if kind.is_some() {
            self.parts.end(&index.to_string(), None, out);
        }
        Ok(())
    }

    fn tool_plan(&mut self, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let id = match &self.plan {
            Some(id) if self.parts.kind(id) == Some(PartKind::Reasoning) => id.clone(),
            _ => {
                let id = format!("tool_plan_{}", self.plans);
                self.plans += 1;
                self.plan = Some(id.clone());
                id
            }
        };
        self.parts.reasoning(&id, text, out)
    }

    fn tool_start(&mut self, index: u64, call: Option<&ToolCall<'_>>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if self.tools.iter().any(|(i, _)| *i == index) {
            return Err(started_twice("tool-call-start", index));
        }
        let id = call
            .and_then(|c| c.id.as_deref())
            .ok_or_else(|| ErrorKind::UnexpectedPayload {
                detail: "`tool-call-start` without `delta.message.tool_calls.id`".to_owned(),
            })?;
        let function = call.and_then(|c| c.function.as_deref());
        let name = function.and_then(|f| f.name.as_deref()).unwrap_or("");
        self.parts.start(PartKind::ToolInput, id, name, false, out)?;
        if let Some(arguments) = function.and_then(|f| non_empty(f.arguments.as_ref())) {
            self.parts.tool_input(id, arguments, out);
        }
        self.tools.push((index, id.to_owned()));
        Ok(())
    }

    fn tool_delta(&mut self, index: u64, call: Option<&ToolCall<'_>>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let (_, id) = self
            .tools
            .iter()
            .find(|(i, _)| *i == index)
            .ok_or_else(|| not_open("tool-call-delta", index))?;
        let arguments = call
            .and_then(|c| c.function.as_deref())
            .and_then(|f| non_empty(f.arguments.as_ref()));
        if let Some(arguments) = arguments {
            self.parts.tool_input(id, arguments, out);
        }
        Ok(())
    }

    fn tool_end(&mut self, index: u64, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let pos = self
            .tools
            .iter()
            .position(|(i, _)| *i == index)
            .ok_or_else(|| not_open("tool-call-end", index))?;
        let (_, id) = self.tools.remove(pos);
        self.parts.end(&id, None, out);
        Ok(())
    }

    fn sources(&mut self, citation: &Citation<'_>, out: &mut Vec<Event>) {
        for Obj(source) in citation.sources.iter().flatten() {
            let Some(Obj(document)) = source.document.as_ref().or(source.tool_output.as_ref()) else {
                continue;
            };
            if let Some(url) = document.url.as_deref() {
                super::source_once(&mut self.source_urls, url, document.title.as_deref(), out);
            }
        }
    }

    fn message_end(&mut self, delta: Option<&wire::Delta<'_>>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let raw_usage = delta.and_then(|d| d.usage).and_then(Raw::object);
        if let Some(usage) = nested(raw_usage, wire::Usage::scan)? {
            let tokens = usage.tokens.as_deref();
            let input = tokens.and_then(|t| t.input_tokens).unwrap_or(0);
            let output = tokens.and_then(|t| t.output_tokens).unwrap_or(0);
            self.usage = Usage {
                input_tokens: input,
                output_tokens: output,
                total_tokens: input.saturating_add(output),
                cache_read_tokens: usage.cached_tokens.unwrap_or(0),
                ..Usage::default()
            };
        }
        self.parts.close_all(out);
        self.contents.clear();
        self.tools.clear();
        if let Some(message) = delta.and_then(|d| non_empty(d.error.as_ref())) {
            out.push(Event::Error {
                message: message.to_owned(),
                kind: "provider_error".to_owned(),
                raw: None,
            });
        }
        let raw_reason = delta.and_then(|d| d.finish_reason.as_deref());
        out.push(Event::Finish {
            reason: raw_reason.map_or(FinishReason::Other, finish_reason),
            raw_reason: raw_reason.map(str::to_owned),
            usage: self.usage.clone(),
            provider_metadata_json: super::raw_object([("usage", raw_usage.map(Raw::get))]),
        });
        self.state = Lifecycle::Finished;
        Ok(())
    }
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if self.state == Lifecycle::Finished {
            // Read no further, but the depth limit holds for every payload.
            return crate::depth::check(data);
        }
        let mut payload = Payload::default();
        read_payload(data, &mut payload, Payload::scan)?;
        let index = payload.index.unwrap_or(0);
        let delta = payload.delta.as_deref();
        let message = delta.and_then(|d| d.message.as_deref());
        // Nested values are read before anything is emitted: a payload of the wrong shape emits nothing.
        match payload.kind.as_deref() {
            Some("message-start") if self.state == Lifecycle::Fresh => {
                self.state = Lifecycle::Started;
                out.push(Event::StreamStart {
                    id: non_empty(payload.id.as_ref()).map(str::to_owned),
                    model: None,
                    created: None,
                });
            }
            Some("content-start") => {
                let content: Option<Content<'_>> = nested(message.and_then(|m| m.content), Content::scan)?;
                self.content_start(index, content.as_ref(), out)?;
            }
            Some("content-delta") => {
                let content: Option<Content<'_>> = nested(message.and_then(|m| m.content), Content::scan)?;
                self.content_delta(index, content.as_ref(), out)?;
            }
            Some("content-end") => self.content_end(index, out)?,
            Some("tool-plan-delta") => {
                if let Some(text) = non_empty(message.and_then(|m| m.tool_plan.as_ref())) {
                    self.tool_plan(text, out)?;
                }
            }
            Some("tool-call-start") => {
                let call: Option<ToolCall<'_>> = nested(message.and_then(|m| m.tool_calls), ToolCall::scan)?;
                self.tool_start(index, call.as_ref(), out)?;
            }
            Some("tool-call-delta") => {
                let call: Option<ToolCall<'_>> = nested(message.and_then(|m| m.tool_calls), ToolCall::scan)?;
                self.tool_delta(index, call.as_ref(), out)?;
            }
            Some("tool-call-end") => self.tool_end(index, out)?,
            Some("citation-start") => {
                let citation: Option<Citation<'_>> = nested(message.and_then(|m| m.citations), Citation::scan)?;
                if let Some(citation) = citation {
                    self.sources(&citation, out);
                }
            }
            Some("message-end") => self.message_end(delta, out)?,
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.state != Lifecycle::Finished {
            super::incomplete(&mut self.parts, &self.usage, out);
        }
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}
