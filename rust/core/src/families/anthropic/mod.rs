//! The `anthropic` wire family: the Messages API stream, as sent by the Anthropic API, by Vertex AI
//! (`streamRawPredict`) and, one event per frame, inside Bedrock's event-stream framing.
//!
//! Dispatch is on the payload's own `type` (Bedrock frames carry no SSE event name). Part ids: the
//! content block index for text and thinking, the `toolu_…` / `srvtoolu_…` id for tool calls, and
//! `<block index>:<n>` for the sources a block yields. Unknown event and block types are reported
//! as `unknown` (tolerant reader; after the end of the message they are ignored); unknown delta
//! types are skipped, as Anthropic's versioning policy asks of clients.
//!
//! Decisions:
//! - A `tool_use` whose `input` comes complete with `content_block_start` and is followed by no
//!   argument fragment: at `content_block_stop` that input (raw text, as sent) is emitted as one
//!   `tool_input_delta` and is the call's arguments, so fragments always add up to the arguments.
//!   Streamed fragments, when they come, supersede it (as in the SDK's accumulator).
//! - Sources: every web search result with a URL, every citation with a URL, and every citation of
//!   a document or search result block (a `document` source: its title, and where the cited text
//!   sits as sent in the metadata). Duplicates are kept: a citation is a claim about its text block.
//! - Usage: each field as last reported (`message_delta` over `message_start`); Bedrock's
//!   `amazon-bedrock-invocationMetrics` only fill fields the stream never reported.
//! - `finish.provider_metadata_json`: `{"usage": <message_start usage>, "delta_usage": <message_delta
//!   usage>, "stop_sequence": …, "amazon-bedrock-invocationMetrics": …}`, each raw as sent, when present.
//! - An `error` event (or a Bedrock exception frame) closes what is open, then `error` + `finish(error)`;
//!   any later payload but `ping` is a fault.

#[cfg(test)]
mod tests;
pub(crate) mod usage;
mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Source, SourceKind};

use super::parts::{PartKind, Parts};
use super::schema::LenientList;
use super::server_calls::ServerCalls;
use super::Lifecycle;
use super::{parse_json, read_payload, refuse_other, tag_names, Family, FamilyDecoder, List, Obj, Raw};
use usage::{Counts, MetricsWire, UsageWire};
use wire::{BlockWire, CitationWire, ContentType, DeltaWire, Payload, SearchResultWire};

/// What a content block holds (Bedrock's Converse blocks are the same four kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Text,
    Reasoning,
    Tool,
    /// A block we take nothing more from after its start (tool results, unknown types).
    Other,
}

#[derive(Debug)]
struct OpenBlock {
    index: u64,
    kind: BlockKind,
    /// The part id (index as text, or the tool call id).
    id: String,
    /// A tool call's complete input sent with its start, used when no argument fragment follows.
    pending_input: Option<String>,
    sources: u64,
}

impl OpenBlock {
    /// The id of the block's next source: its index and the count of sources before.
    fn next_source_id(&mut self) -> String {
        self.sources += 1;
        format!("{}:{}", self.index, self.sources - 1)
    }
}

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    blocks: Vec<OpenBlock>,
    counts: Counts,
    /// The raw `usage` objects of `message_start` and `message_delta` (the first has the service
    /// tier and cache breakdown, the second the server tool counts), the `stop_sequence` and
    /// Bedrock's invocation metrics: `finish.provider_metadata_json`.
    usage_raw: Option<String>,
    delta_usage_raw: Option<String>,
    stop_sequence_raw: Option<String>,
    metrics_raw: Option<String>,
    stop_reason: Option<String>,
    state: Lifecycle,
    /// The calls the provider runs: a tool result is named by the call it answers.
    server_calls: ServerCalls,
}

/// The event types this decoder models (`ping` included: it is known and carries nothing); any
/// other is reported as `unknown` (tolerant reader).
const KNOWN_EVENTS: [&str; 8] = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
];

fn missing(what: &str, field: &str) -> ErrorKind {
    ErrorKind::UnexpectedPayload {
        detail: format!("`{what}` without `{field}`"),
    }
}

fn unexpected(detail: String) -> ErrorKind {
    ErrorKind::UnexpectedPayload { detail }
}

/// True for the text of an object with no members: `{}` with any JSON whitespace inside.
fn is_empty_object(raw: &str) -> bool {
    let mut bytes = raw.bytes().filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    bytes.next() == Some(b'{') && bytes.next() == Some(b'}') && bytes.next().is_none()
}

fn finish_reason(stop_reason: Option<&str>) -> FinishReason {
    match stop_reason {
        Some("end_turn" | "stop_sequence" | "pause_turn") => FinishReason::Stop,
        Some("max_tokens") => FinishReason::Length,
        Some("tool_use") => FinishReason::ToolCalls,
        Some("refusal") => FinishReason::ContentFilter,
        _ => FinishReason::Other,
    }
}

impl Decoder {
    fn block(&mut self, index: u64, what: &str) -> Result<&mut OpenBlock, ErrorKind> {
        self.blocks
            .iter_mut()
            .find(|b| b.index == index)
            .ok_or_else(|| unexpected(format!("`{what}` for content block {index}, which is not open")))
    }

    fn update_usage(&mut self, raw: Raw<'_>, from_delta: bool) -> Result<(), ErrorKind> {
        let Obj(wire): Obj<UsageWire> = parse_json(raw.get())?;
        self.counts.update(&wire);
        let slot = if from_delta {
            &mut self.delta_usage_raw
        } else {
            &mut self.usage_raw
        };
        *slot = Some(raw.get().to_owned());
        Ok(())
    }

    /// Bedrock's invocation metrics (see `Counts::fill_from`).
    fn update_metrics(&mut self, raw: Raw<'_>) -> Result<(), ErrorKind> {
        let Obj(wire): Obj<MetricsWire> = parse_json(raw.get())?;
        self.counts.fill_from(&wire);
        self.metrics_raw = Some(raw.get().to_owned());
        Ok(())
    }

    fn provider_metadata(&self) -> Option<String> {
        super::raw_object([
            ("usage", self.usage_raw.as_deref()),
            ("delta_usage", self.delta_usage_raw.as_deref()),
            ("stop_sequence", self.stop_sequence_raw.as_deref()),
            ("amazon-bedrock-invocationMetrics", self.metrics_raw.as_deref()),
        ])
    }

    /// An error the provider sent (an `error` event, or a Bedrock exception frame): what is open is
    /// closed, the error reported, and the stream finished.
    pub fn provider_error(&mut self, message: String, kind: String, raw: Option<String>, out: &mut Vec<Event>) {
        self.parts.close_all(out);
        self.blocks.clear();
        out.push(Event::Error { message, kind, raw });
        out.push(Event::Finish {
            reason: FinishReason::Error,
            raw_reason: None,
            usage: self.counts.usage(),
            provider_metadata_json: None,
        });
        self.state = Lifecycle::Finished;
    }

    /// Opens content block `index`; a block type this decoder does not model is opened as `Other`
    /// and its type returned, for the caller to report.
    fn block_start(
        &mut self,
        index: u64,
        block: &mut BlockWire<'_>,
        out: &mut Vec<Event>,
    ) -> Result<Option<String>, ErrorKind> {
        if self.blocks.iter().any(|b| b.index == index) {
            return Err(unexpected(format!("content block {index} started twice")));
        }
        let kind = block
            .kind
            .take()
            .ok_or_else(|| missing("content_block_start", "content_block.type"))?;
        let index_id = || index.to_string();
        let mut open = OpenBlock {
            index,
            kind: BlockKind::Other,
            id: String::new(),
            pending_input: None,
            sources: 0,
        };
        match kind.as_ref() {
            "text" => {
                open.kind = BlockKind::Text;
                open.id = index_id();
                self.parts.start(PartKind::Text, &open.id, "", false, out)?;
                if let Some(text) = block.text.as_deref().filter(|t| !t.is_empty()) {
                    self.parts.text(&open.id, text, out)?;
                }
                for Obj(cited) in block.citations.iter().flatten() {
                    citation(&mut open, cited, out);
                }
            }
            "thinking" | "redacted_thinking" => {
                open.kind = BlockKind::Reasoning;
                open.id = index_id();
                self.parts.start(PartKind::Reasoning, &open.id, "", false, out)?;
                if kind == "redacted_thinking" {
                    self.parts.set_redacted(&open.id);
                    if let Some(data) = block.data.as_deref() {
                        self.parts.sign(&open.id, data, false);
                    }
                } else {
                    if let Some(text) = block.thinking.as_deref().filter(|t| !t.is_empty()) {
                        self.parts.reasoning(&open.id, text, out)?;
                    }
                    if let Some(signature) = block.signature.as_deref().filter(|s| !s.is_empty()) {
                        self.parts.sign(&open.id, signature, false);
                    }
                }
            }
            "tool_use" | "server_tool_use" | "mcp_tool_use" => {
                let id = block.id.take().ok_or_else(|| missing(&kind, "id"))?;
                open.kind = BlockKind::Tool;
                open.id = id.into_owned();
                let name = block.name.as_deref().unwrap_or("");
                if kind != "tool_use" {
                    self.server_calls.push(&open.id, name);
                }
                self.parts
                    .start(PartKind::ToolInput, &open.id, name, kind != "tool_use", out)?;
                open.pending_input = block
                    .input
                    .map(Raw::get)
                    .filter(|raw| !is_empty_object(raw))
                    .map(str::to_owned);
            }
            "web_search_tool_result" => {
                self.tool_result(block, out);
                // The results come whole with the start; an error result is an object, not a list.
                let results = match (block.scanned_content.take(), block.content) {
                    (Some(results), _) => results,
                    (None, Some(raw)) if raw.get().starts_with('[') => {
                        parse_json::<LenientList<_>>(raw.get())?.0.unwrap_or_default()
                    }
                    _ => List::new(),
                };
                for Obj(result) in &results {
                    search_result(&mut open, result, out);
                }
            }
            _ if kind.ends_with("_tool_result") && block.tool_use_id.is_some() => self.tool_result(block, out),
            _ => {
                self.blocks.push(open);
                return Ok(Some(kind.into_owned()));
            }
        }
        self.blocks.push(open);
        Ok(None)
    }

    /// The result of a tool the provider ran (a `*_tool_result` block, which comes whole): its
    /// `content` as sent; an error when `is_error` says so (MCP) or the content is an object whose
    /// type ends in `_error` (`web_search_tool_result_error`, ...). A block without `tool_use_id`
    /// yields nothing here.
    fn tool_result(&mut self, block: &BlockWire<'_>, out: &mut Vec<Event>) {
        let Some(id) = block.tool_use_id.as_deref() else {
            return;
        };
        let result = block.content.map_or("null", Raw::get);
        let typed_error = result.starts_with('{')
            && parse_json::<Obj<ContentType<'_>>>(result)
                .ok()
                .and_then(|Obj(c)| c.kind)
                .is_some_and(|k| k.ends_with("_error"));
        let is_error = block.is_error == Some(true) || typed_error;
        self.server_calls.result(id, result.to_owned(), is_error, out);
    }

    fn block_delta(&mut self, index: u64, delta: &mut DeltaWire<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let kind = delta
            .kind
            .take()
            .ok_or_else(|| missing("content_block_delta", "delta.type"))?;
        let Self { blocks, parts, .. } = self;
        let block = blocks
            .iter_mut()
            .find(|b| b.index == index)
            .ok_or_else(|| unexpected(format!("`{kind}` for content block {index}, which is not open")))?;
        let expected = match kind.as_ref() {
            "text_delta" | "citations_delta" => BlockKind::Text,
            "thinking_delta" | "signature_delta" => BlockKind::Reasoning,
            "input_json_delta" => BlockKind::Tool,
            _ => return Ok(()),
        };
        if block.kind == BlockKind::Other {
            return Ok(());
        }
        if block.kind != expected {
            return Err(unexpected(format!("`{kind}` does not fit content block {index}")));
        }
        match kind.as_ref() {
            "text_delta" => parts.text(
                &block.id,
                &delta.text.take().ok_or_else(|| missing(&kind, "text"))?,
                out,
            )?,
            "citations_delta" => {
                let Obj(cited) = delta.citation.take().ok_or_else(|| missing(&kind, "citation"))?;
                citation(block, &cited, out);
            }
            "thinking_delta" => {
                parts.reasoning(
                    &block.id,
                    &delta.thinking.take().ok_or_else(|| missing(&kind, "thinking"))?,
                    out,
                )?;
            }
            "signature_delta" => {
                let signature = delta.signature.take().ok_or_else(|| missing(&kind, "signature"))?;
                parts.sign(&block.id, &signature, true);
            }
            _ => {
                let fragment = delta
                    .partial_json
                    .take()
                    .ok_or_else(|| missing(&kind, "partial_json"))?;
                if !fragment.is_empty() {
                    // Streamed fragments supersede an input sent with the start.
                    block.pending_input = None;
                    parts.tool_input(&block.id, &fragment, out);
                }
            }
        }
        Ok(())
    }

    fn block_stop(&mut self, index: u64, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        self.block(index, "content_block_stop")?;
        let pos = self.blocks.iter().position(|b| b.index == index).unwrap_or(0);
        let block = self.blocks.remove(pos);
        if block.kind == BlockKind::Other {
            return Ok(());
        }
        if let Some(input) = &block.pending_input {
            self.parts.tool_input(&block.id, input, out);
        }
        self.parts.end(&block.id, None, out);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        self.parts.close_all(out);
        self.blocks.clear();
        out.push(Event::Finish {
            reason: finish_reason(self.stop_reason.as_deref()),
            raw_reason: self.stop_reason.clone(),
            usage: self.counts.usage(),
            provider_metadata_json: self.provider_metadata(),
        });
        self.state = Lifecycle::Finished;
    }
}

/// A `source` for a web search result.
fn search_result(block: &mut OpenBlock, result: &SearchResultWire<'_>, out: &mut Vec<Event>) {
    let Some(url) = &result.url else {
        return;
    };
    out.push(Event::url_source(
        block.next_source_id(),
        url.clone().into_owned(),
        result.title.as_ref().map(|t| t.clone().into_owned()),
    ));
}

/// A `source` for a citation: of its URL, or of the document it cites (the API reference: plain
/// text documents are cited by characters, PDFs by pages, custom content by blocks), with where
/// the text sits kept as sent in the metadata; one of another type is passed over.
fn citation(block: &mut OpenBlock, citation: &CitationWire<'_>, out: &mut Vec<Event>) {
    if let Some(url) = &citation.url {
        out.push(Event::url_source(
            block.next_source_id(),
            url.clone().into_owned(),
            citation.title.as_ref().map(|t| t.clone().into_owned()),
        ));
        return;
    }
    let (kind, media_type) = match citation.kind.as_deref() {
        Some(kind @ "char_location") => (kind, Some("text/plain")),
        Some(kind @ "page_location") => (kind, Some("application/pdf")),
        Some(kind @ ("content_block_location" | "search_result_location")) => (kind, None),
        _ => return,
    };
    // The type is one of the literals above: its JSON text needs no escaping.
    let kind_json = format!("\"{kind}\"");
    let metadata = super::raw_object([
        ("type", Some(kind_json.as_str())),
        ("cited_text", citation.cited_text.map(Raw::get)),
        ("document_index", citation.document_index.map(Raw::get)),
        ("file_id", citation.file_id.map(Raw::get)),
        ("source", citation.source.map(Raw::get)),
        ("search_result_index", citation.search_result_index.map(Raw::get)),
        ("start_char_index", citation.start_char_index.map(Raw::get)),
        ("end_char_index", citation.end_char_index.map(Raw::get)),
        ("start_page_number", citation.start_page_number.map(Raw::get)),
        ("end_page_number", citation.end_page_number.map(Raw::get)),
        ("start_block_index", citation.start_block_index.map(Raw::get)),
        ("end_block_index", citation.end_block_index.map(Raw::get)),
    ]);
    out.push(Event::Source(Box::new(Source {
        id: block.next_source_id(),
        kind: SourceKind::Document,
        url: None,
        title: citation
            .document_title
            .as_ref()
            .or(citation.title.as_ref())
            .map(|t| t.clone().into_owned()),
        media_type: media_type.map(str::to_owned),
        filename: None,
        provider_metadata_json: metadata,
    })));
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // The scan reads the usual payloads, serde the rest (see `scan`).
        let mut payload = Payload::default();
        read_payload(data, &mut payload, Payload::scan)?;
        self.apply(&mut payload, data, out)
    }

    /// A `type` of Anthropic's own, read by this decoder, is what `mismatch` would find first.
    fn first_payload(
        &mut self,
        family: Family,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let mut payload = Payload::default();
        let read = read_payload(data, &mut payload, Payload::scan);
        refuse_other(
            family,
            event,
            data,
            read.is_ok() && tag_names(family, payload.kind.as_deref()),
        )?;
        read?;
        self.apply(&mut payload, data, out)
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.state == Lifecycle::Finished {
            return;
        }
        self.blocks.clear();
        super::incomplete(&mut self.parts, &self.counts.usage(), out);
        self.state = Lifecycle::Finished;
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

impl Decoder {
    /// What a payload read says. The payload is lent, not given: given, it was copied on each call
    /// (a `memcpy` of the struct, 3 % of anthropic's instructions), inlined or not; out of line,
    /// the split cost as much as the first payload's check it saves.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn apply(&mut self, payload: &mut Payload<'_>, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let kind = payload.kind.take().ok_or_else(|| missing("payload", "type"))?;
        let known = KNOWN_EVENTS.contains(&kind.as_ref());
        if self.state == Lifecycle::Finished && kind != "ping" && known {
            return Err(unexpected(format!("`{kind}` after the end of the message")));
        }
        let index = || payload.index.ok_or_else(|| missing(&kind, "index"));
        match kind.as_ref() {
            "message_start" => {
                if self.state == Lifecycle::Started {
                    return Err(unexpected("a second `message_start`".to_owned()));
                }
                let Obj(message) = payload.message.take().ok_or_else(|| missing(&kind, "message"))?;
                if let Some(raw) = message.usage.and_then(Raw::object) {
                    self.update_usage(raw, false)?;
                }
                self.state = Lifecycle::Started;
                out.push(Event::StreamStart {
                    id: message.id.map(Cow::into_owned),
                    model: message.model.map(Cow::into_owned),
                    created: None,
                });
            }
            "content_block_start" => {
                let index = index()?;
                let Obj(block) = payload
                    .content_block
                    .as_mut()
                    .ok_or_else(|| missing(&kind, "content_block"))?;
                if let Some(block_kind) = self.block_start(index, block, out)? {
                    out.push(Event::Unknown {
                        kind: block_kind,
                        raw: data.to_owned(),
                    });
                }
            }
            "content_block_delta" => {
                let index = index()?;
                let Obj(delta) = payload.delta.as_mut().ok_or_else(|| missing(&kind, "delta"))?;
                self.block_delta(index, delta, out)?;
            }
            "content_block_stop" => self.block_stop(index()?, out)?,
            "message_delta" => {
                if let Some(raw) = payload.usage.and_then(Raw::object) {
                    self.update_usage(raw, true)?;
                }
                if let Some(Obj(delta)) = payload.delta.take() {
                    if let Some(reason) = delta.stop_reason {
                        self.stop_reason = Some(reason.into_owned());
                    }
                    if let Some(raw) = delta.stop_sequence {
                        self.stop_sequence_raw = Some(raw.get().to_owned());
                    }
                }
            }
            "message_stop" => {
                if let Some(raw) = payload.metrics.and_then(Raw::object) {
                    self.update_metrics(raw)?;
                }
                self.finish(out);
            }
            "error" => {
                let (error_type, message) = match payload.error.take() {
                    Some(Obj(e)) => (e.kind, e.message),
                    None => (None, None),
                };
                let error_type = error_type.map_or_else(|| "error".to_owned(), Cow::into_owned);
                let message = message.map_or_else(|| error_type.clone(), Cow::into_owned);
                self.provider_error(message, error_type, Some(data.to_owned()), out);
            }
            // `ping`, and after the end of the message nothing is reported.
            _ if known || self.state == Lifecycle::Finished => {}
            _ => out.push(Event::Unknown {
                kind: kind.into_owned(),
                raw: data.to_owned(),
            }),
        }
        Ok(())
    }
}
