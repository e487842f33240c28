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
//! They do not make the finish `tool_calls`: only calls the caller must run do.
//!
//! The other built-in tools' call items are tool calls too (see `Call::of`): `custom_tool_call`
//! (its free-text `input`, streamed as `custom_tool_call_input` deltas), `apply_patch_call` (its
//! `operation` object), `local_shell_call` and `shell_call` (their `action`), `tool_search_call`
//! (its `arguments` object). A `shell_call` in a hosted container and a `tool_search_call` that the
//! client does not execute run on the provider's side.
//!
//! Hosted tools (run by the provider; ids are item ids, as these items have no `call_id`):
//! `file_search_call` is a call named `file_search` whose arguments are its `queries` array;
//! `code_interpreter_call` one named `code_interpreter` whose arguments are its `code` as text,
//! streamed as `code_interpreter_call_code` deltas (like a custom tool's input); `image_generation_call`
//! one named `image_generation` with no input (`{}`); `mcp_call` one named as the MCP tool it calls
//! (its `name`), whose arguments are its `arguments` text, streamed as `mcp_call_arguments` deltas.
//! At its `output_item.done` each hosted call item (web search included) is followed by a
//! `tool_result` whose `result` is the item's result field exactly as sent (`null` when absent):
//! `results` (file search), `outputs` (code interpreter), `result` (image generation: the base64
//! image), `output`, or `error` when it failed (MCP); a web search, which has no result field, has
//! its `action`, whose `sources` are what it found (when the request asks for them). The output
//! items of a hosted `shell_call` (`shell_call_output`, its `output` array) and of a server-side
//! tool search (`tool_search_output`, its `tools`) are the `tool_result` of the call they answer
//! (a `tool_search_output` without `call_id` answers the latest tool search). `is_error` is a
//! `failed` status or an `error` sent. A generated image is also a `file` (id: the item id;
//! media type `image/{output_format}`, else `image/png`): each `partial_image` preview with
//! `partial`, and the final `result` without, right after the `tool_result`. Text that is not
//! base64 gives no `file`: the final image is still in its `tool_result`, a preview is `unknown`.
//! A code interpreter's image outputs that are base64 data URLs are `file`s too (see `code_images`).
//!
//! Document citations (`file_citation` from file search, `container_file_citation` from the code
//! interpreter's files) are `source` events of kind `document` with their `filename`; their
//! `file_id`, `container_id`, `index`, `start_index` and `end_index` are the metadata, each as sent
//! (a citation naming no file is passed over).
//!
//! An `output_text.delta`'s `logprobs` list goes on its `text_delta` as sent (when non-empty); the
//! `output_text.done` repeats the whole list and is passed over.
//!
//! Raw reasoning (`reasoning_text` deltas, sent by gpt-oss servers, `DeepSeek`, LM Studio,
//! `OpenRouter`) is reasoning like a summary, one part per `{item_id}:{content_index}`.
//!
//! A reasoning item's `encrypted_content` (from `output_item.done`) is the signature of its last
//! summary part; an item with no summary text but encrypted content still yields a start/end pair.
//! An `error` event is reported at once; the `finish(error)` follows with `response.failed` or at
//! the end of the stream. Payloads after the terminal event are ignored; so is a `data: [DONE]`
//! marker (`OpenRouter` sends one after `response.completed`).
//!
//! Tolerant reader: a payload type, or an item type (at its `output_item.done`), that this decoder
//! does not model is reported as `unknown` with the payload as sent.

#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Source, SourceKind, Usage};

use super::parts::{PartKind, Parts};
use super::Lifecycle;
use super::{read_payload, refuse_other, tag_names, Family, FamilyDecoder, Obj, Raw};
use wire::{Annotation, CodeOutputs, Item, Payload, Response, ResponseUsage};

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

/// Event types that repeat what the deltas said (`*.done`), and progress notices of what is
/// modeled: known, and passed over. Any other type not modeled is an `unknown` event.
const PASSED_OVER: [&str; 32] = [
    "response.output_text.done",
    "response.content_part.added",
    "response.refusal.done",
    "response.function_call_arguments.done",
    "response.reasoning_summary_text.done",
    "response.reasoning_summary_part.done",
    "response.web_search_call.in_progress",
    "response.web_search_call.searching",
    "response.web_search_call.completed",
    "response.reasoning_text.done",
    "response.custom_tool_call_input.done",
    // The patch and the command come whole in their item's `output_item.done`.
    "response.apply_patch_call_operation_diff.delta",
    "response.apply_patch_call_operation_diff.done",
    "response.shell_call_command.added",
    "response.shell_call_command.delta",
    "response.shell_call_command.done",
    // Hosted tools' progress; their input and result come whole in `output_item.done`.
    "response.file_search_call.in_progress",
    "response.file_search_call.searching",
    "response.file_search_call.completed",
    "response.code_interpreter_call.in_progress",
    "response.code_interpreter_call.interpreting",
    "response.code_interpreter_call.completed",
    "response.code_interpreter_call_code.done",
    "response.image_generation_call.in_progress",
    "response.image_generation_call.generating",
    "response.image_generation_call.completed",
    "response.mcp_call.in_progress",
    "response.mcp_call.completed",
    "response.mcp_call.failed",
    "response.mcp_call_arguments.done",
    "response.shell_call_output_content.delta",
    "response.shell_call_output_content.done",
];

/// What this decoder does not model (a payload, or an item of type `kind`), with the payload as sent.
fn unknown(kind: &str, data: &str) -> Event {
    Event::Unknown {
        kind: kind.to_owned(),
        raw: data.to_owned(),
    }
}

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    state: Lifecycle,
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
    /// The id of the latest tool search call: what a `tool_search_output` without `call_id` answers.
    tool_search: String,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // OpenRouter ends a Responses stream with chat's `[DONE]` after its terminal event: a
        // marker, passed over (a stream without `response.completed` is still cut short).
        if super::openai_chat::is_done(data) {
            return Ok(());
        }
        self.decode(event, data, out, None)
    }

    /// A `type` starting `response.`, read by this decoder, is what `mismatch` would find first.
    fn first_payload(
        &mut self,
        family: Family,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        if super::openai_chat::is_done(data) {
            return Ok(());
        }
        self.decode(event, data, out, Some(family))
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.state == Lifecycle::Finished {
            return;
        }
        self.state = Lifecycle::Finished;
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
    /// One payload; `first` is the family given, for a stream's first payload: refused as another
    /// family's as `mismatch` says, unless the payload's own `type` says Responses. Always inlined,
    /// so that `payload` (`first` `None`) is what it was before the first payload was read apart.
    #[allow(clippy::inline_always, clippy::too_many_lines)] // one arm per Responses event type
    #[inline(always)]
    fn decode(
        &mut self,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
        first: Option<Family>,
    ) -> Result<(), ErrorKind> {
        // The scan reads the usual payloads, serde the rest (see `scan`).
        let mut p = Payload::default();
        let read = read_payload(data, &mut p, Payload::scan);
        if let Some(family) = first {
            refuse_other(
                family,
                event,
                data,
                read.is_ok() && tag_names(family, p.kind.as_deref()),
            )?;
        }
        read?;
        if self.state == Lifecycle::Finished {
            return Ok(());
        }
        let kind = p.kind.as_deref().unwrap_or(event);
        let item_id = p.item_id.as_deref().unwrap_or("");
        match kind {
            // A refusal is a content part of its own, kept apart from text.
            "response.output_text.delta" | "response.refusal.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if !delta.is_empty() {
                    let id = self.text_id.get(item_id, p.content_index.unwrap_or(0));
                    let (part, logprobs) = if kind == "response.refusal.delta" {
                        (PartKind::Refusal, None)
                    } else {
                        (PartKind::Text, super::logprobs_entries(p.logprobs))
                    };
                    self.parts.delta_in(0, part, id, delta, logprobs, out)?;
                }
            }
            "response.content_part.done" => {
                let id = self.text_id.get(item_id, p.content_index.unwrap_or(0));
                self.parts.end(id, None, out);
            }
            "response.reasoning_summary_part.added" => {
                self.open_reasoning(item_id, p.summary_index.unwrap_or(0), out)?;
            }
            // A summary part, or raw reasoning (gpt-oss, DeepSeek, LM Studio, OpenRouter) by content index.
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if !delta.is_empty() {
                    let index = if kind == "response.reasoning_text.delta" {
                        p.content_index
                    } else {
                        p.summary_index
                    };
                    self.open_reasoning(item_id, index.unwrap_or(0), out)?;
                    if let Some((_, id)) = &self.reasoning {
                        self.parts.reasoning(id, delta, out)?;
                    }
                }
            }
            "response.function_call_arguments.delta"
            | "response.custom_tool_call_input.delta"
            | "response.code_interpreter_call_code.delta"
            | "response.mcp_call_arguments.delta" => {
                let delta = p.delta.as_deref().unwrap_or("");
                if let Some((_, call_id)) = self.calls.iter().find(|(item, _)| item == item_id) {
                    self.parts.tool_input(call_id, delta, out);
                }
            }
            "response.image_generation_call.partial_image" => {
                out.push(partial_image(item_id, &p, kind, data));
            }
            "response.output_text.annotation.added" => {
                if let Some(Obj(a)) = p.annotation {
                    self.annotation(a, out);
                }
            }
            "response.output_item.added" => {
                if let Some(item) = p.item {
                    self.item_added(&item, out)?;
                }
            }
            "response.output_item.done" => {
                if let Some(item) = p.item {
                    if let Some(kind) = self.item_done(&item, out)? {
                        out.push(unknown(kind, data));
                    }
                }
            }
            "response.created" | "response.in_progress" | "response.queued" => {
                if let (Lifecycle::Fresh, Some(Obj(r))) = (&self.state, p.response) {
                    self.state = Lifecycle::Started;
                    out.push(Event::StreamStart {
                        id: r.id.map(Cow::into_owned),
                        model: r.model.map(Cow::into_owned),
                        created: super::unix_seconds(r.created_at),
                    });
                }
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                self.finish(kind, p.response.map(|r| r.0), data, out);
            }
            "error" => {
                self.error_sent = true;
                // The message and code on the payload itself, or (as `OpenAI` sends them) in its `error` object.
                let (code, message) = p.error.map_or((None, None), |Obj(e)| (e.code, e.message));
                out.push(Event::Error {
                    message: p.message.or(message).map(Cow::into_owned).unwrap_or_default(),
                    kind: p.code.or(code).map_or_else(|| "error".to_owned(), Cow::into_owned),
                    raw: Some(data.to_owned()),
                });
            }
            _ if PASSED_OVER.contains(&kind) => {}
            _ => out.push(unknown(kind, data)),
        }
        Ok(())
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

    /// A `url_citation` is a `source` of its URL, a `file_citation` (file search) or a
    /// `container_file_citation` (code interpreter) one of the document it names; other annotations
    /// are passed over.
    fn annotation(&mut self, a: Annotation<'_>, out: &mut Vec<Event>) {
        let id = format!("src_{}", self.sources);
        match (a.kind.as_deref(), a.url) {
            (Some("url_citation"), Some(url)) => {
                out.push(Event::url_source(id, url.into_owned(), a.title.map(Cow::into_owned)));
            }
            // One that names no file cites nothing that can be found.
            (Some("file_citation" | "container_file_citation"), _) if a.file_id.is_some() || a.filename.is_some() => {
                out.push(Event::Source(Box::new(Source {
                    id,
                    kind: SourceKind::Document,
                    url: None,
                    title: None,
                    media_type: None,
                    filename: a.filename.map(Cow::into_owned),
                    provider_metadata_json: super::raw_object([
                        ("file_id", a.file_id.map(Raw::get)),
                        ("container_id", a.container_id.map(Raw::get)),
                        ("index", a.index.map(Raw::get)),
                        ("start_index", a.start_index.map(Raw::get)),
                        ("end_index", a.end_index.map(Raw::get)),
                    ]),
                })));
            }
            _ => return,
        }
        self.sources += 1;
    }

    fn item_added(&mut self, item: &Item<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let Some(call) = Call::of(item) else {
            return Ok(());
        };
        if !call.provider_executed {
            self.function_calls = true;
        }
        if call.streams_input {
            let item_id = item.id.as_deref().unwrap_or("");
            self.calls.push((item_id.to_owned(), call.id.to_owned()));
        }
        self.parts
            .start(PartKind::ToolInput, call.id, call.name, call.provider_executed, out)?;
        self.set_call_type(item, call.id);
        Ok(())
    }

    /// Keeps the item type of a call that is not a plain function call, for `tool_call.call_type`.
    fn set_call_type(&mut self, item: &Item<'_>, id: &str) {
        if let Some(kind) = item.kind.as_deref().filter(|k| *k != "function_call") {
            self.parts.set_call_type(id, kind);
        }
    }

    /// Closes what item `item` opened; an item type this decoder does not model is returned, for
    /// the caller to report.
    fn item_done<'i>(&mut self, item: &'i Item<'_>, out: &mut Vec<Event>) -> Result<Option<&'i str>, ErrorKind> {
        let item_id = item.id.as_deref().unwrap_or("");
        if let Some(call) = Call::of(item) {
            if !call.provider_executed {
                self.function_calls = true;
            }
            if !self.parts.is_open(call.id) {
                self.parts
                    .start(PartKind::ToolInput, call.id, call.name, call.provider_executed, out)?;
            }
            self.set_call_type(item, call.id);
            self.parts.end(call.id, call.arguments.as_deref(), out);
            if call.provider_executed {
                if let Some(result) = result_field(item) {
                    out.push(tool_result(call.id, call.name, item, result, true));
                }
            }
            match item.kind.as_deref() {
                Some("image_generation_call") => {
                    let b64 = item.result.and_then(json_string);
                    out.extend(b64.and_then(|b64| image(item_id, item.output_format.as_deref(), &b64, false)));
                }
                Some("code_interpreter_call") => code_images(item_id, item.outputs, out),
                Some("tool_search_call") => call.id.clone_into(&mut self.tool_search),
                _ => {}
            }
            return Ok(None);
        }
        match item.kind.as_deref() {
            Some("shell_call_output") => {
                let id = item.call_id.as_deref().unwrap_or(item_id);
                out.push(tool_result(
                    id,
                    "shell",
                    item,
                    item.output.map_or("null", Raw::get),
                    true,
                ));
            }
            Some("tool_search_output") => {
                let id = item.call_id.as_deref().unwrap_or(&self.tool_search);
                let provider_executed = item.execution.as_deref() != Some("client");
                let tools = item.tools.map_or("null", Raw::get);
                out.push(tool_result(id, "tool_search", item, tools, provider_executed));
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
                    (None, None) => return Ok(None),
                };
                if let Some(signature) = item.encrypted_content.as_deref() {
                    self.parts.sign(&id, signature, false);
                }
                self.parts.end(&id, None, out);
            }
            // A message item's content came as its parts' events.
            Some("message") | None => {}
            Some(other) => return Ok(Some(other)),
        }
        Ok(None)
    }

    fn finish(&mut self, kind: &str, response: Option<Response<'_>>, data: &str, out: &mut Vec<Event>) {
        self.state = Lifecycle::Finished;
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

/// A tool call item: a function call, or one of the built-in tools' calls.
struct Call<'i> {
    /// The part id: the `call_id` the caller answers with (the item id for a web search, which has none).
    id: &'i str,
    name: &'i str,
    provider_executed: bool,
    /// Whether its input streams as deltas naming the item (`*_arguments.delta`, `*_input.delta`).
    streams_input: bool,
    /// The complete input at `output_item.done`: the call's own text, or its JSON object as sent.
    arguments: Option<Cow<'i, str>>,
}

impl<'i> Call<'i> {
    /// The call item `item` is, if it is one. Built-in tools are named by their tool type; a shell
    /// call with an `environment` (a hosted container) and a tool search not executed by the
    /// client run on the provider's side, the others on the caller's.
    fn of(item: &'i Item<'_>) -> Option<Self> {
        let item_id = item.id.as_deref().unwrap_or("");
        let call_id = item.call_id.as_deref().unwrap_or(item_id);
        let raw = |r: Option<Raw<'i>>| r.map(|r| Cow::Borrowed(r.get()));
        let call = |name, provider_executed, streams_input, arguments| Call {
            id: call_id,
            name,
            provider_executed,
            streams_input,
            arguments,
        };
        Some(match item.kind.as_deref()? {
            "function_call" => call(
                item.name.as_deref().unwrap_or(""),
                false,
                true,
                item.arguments.and_then(json_string),
            ),
            "custom_tool_call" => call(
                item.name.as_deref().unwrap_or(""),
                false,
                true,
                item.input.as_deref().map(Cow::Borrowed),
            ),
            "web_search_call" => Call {
                id: item_id,
                ..call("web_search", true, false, raw(item.action))
            },
            "file_search_call" => Call {
                id: item_id,
                ..call("file_search", true, false, raw(item.queries))
            },
            "code_interpreter_call" => Call {
                id: item_id,
                ..call("code_interpreter", true, true, item.code.as_deref().map(Cow::Borrowed))
            },
            "image_generation_call" => Call {
                id: item_id,
                ..call("image_generation", true, false, None)
            },
            "mcp_call" => Call {
                id: item_id,
                ..call(
                    item.name.as_deref().unwrap_or(""),
                    true,
                    true,
                    item.arguments.and_then(json_string),
                )
            },
            "apply_patch_call" => call("apply_patch", false, false, raw(item.operation)),
            "local_shell_call" => call("local_shell", false, false, raw(item.action)),
            "shell_call" => call("shell", item.environment.is_some(), false, raw(item.action)),
            "tool_search_call" => call(
                "tool_search",
                item.execution.as_deref() != Some("client"),
                false,
                raw(item.arguments),
            ),
            _ => return None,
        })
    }
}

/// The result of a hosted tool call item: its result field's JSON text as sent (`null` when not
/// sent); `None` for an item of no hosted tool. See the module notes.
fn result_field<'i>(item: &Item<'i>) -> Option<&'i str> {
    let field = match item.kind.as_deref()? {
        "web_search_call" => item.action,
        "file_search_call" => item.results,
        "code_interpreter_call" => item.outputs,
        "image_generation_call" => item.result,
        "mcp_call" => item.output.or(item.error),
        _ => return None,
    };
    Some(field.map_or("null", Raw::get))
}

fn tool_result(id: &str, name: &str, item: &Item<'_>, result: &str, provider_executed: bool) -> Event {
    Event::ToolResult {
        id: id.into(),
        name: name.to_owned(),
        result: result.to_owned(),
        is_error: item.status.as_deref() == Some("failed") || item.error.is_some(),
        provider_executed,
    }
}

/// A `partial_image` preview's file; one that is not base64 is kept as sent, an `unknown` (the
/// final image stays in its tool result).
fn partial_image(item_id: &str, p: &Payload<'_>, kind: &str, data: &str) -> Event {
    let file = p.partial_image_b64.as_deref();
    file.and_then(|b64| image(item_id, p.output_format.as_deref(), b64, true))
        .unwrap_or_else(|| unknown(kind, data))
}

/// A generated image (`partial`: a preview) from its base64; `None` when that is not base64.
fn image(id: &str, format: Option<&str>, b64: &str, partial: bool) -> Option<Event> {
    Some(Event::File {
        id: id.to_owned(),
        media_type: format
            .filter(|f| !f.is_empty())
            .map_or_else(|| "image/png".to_owned(), |f| format!("image/{f}")),
        data: crate::b64::decode(b64)?,
        partial,
    })
}

/// The images a code interpreter made that its `outputs` hold as base64 data URLs: each a `file`
/// `{item_id}:{n}` (n: its place among the outputs), after the call's `tool_result`, which holds
/// them all as sent. Outputs that cannot be read are passed over: they are in that result.
#[cold]
fn code_images(item_id: &str, outputs: Option<Raw<'_>>, out: &mut Vec<Event>) {
    let Some(Ok(CodeOutputs(Some(items)))) = outputs.map(|raw| super::parse_json::<CodeOutputs>(raw.get())) else {
        return;
    };
    for (n, Obj(output)) in items.iter().enumerate() {
        if output.kind.as_deref() != Some("image") {
            continue;
        }
        let Some((media_type, b64)) = output.url.as_deref().and_then(super::data_url) else {
            continue;
        };
        if let Some(data) = crate::b64::decode(b64) {
            out.push(Event::File {
                id: format!("{item_id}:{n}"),
                media_type: if media_type.is_empty() {
                    "application/octet-stream".to_owned()
                } else {
                    media_type.to_owned()
                },
                data,
                partial: false,
            });
        }
    }
}

/// The text of a raw JSON string; `None` for any other JSON value (passed over, as a `str` field's).
fn json_string(raw: Raw<'_>) -> Option<Cow<'_, str>> {
    if !raw.get().starts_with('"') {
        return None;
    }
    serde_json::from_str::<Cow<'_, str>>(raw.get()).ok()
}
