//! Bedrock's `ConverseStream` events (one per frame, named by `:event-type`), also what Amazon Nova
//! sends through Invoke (one per `chunk`, named by its only member).
//!
//! Part ids: the content block index for text and reasoning, the `toolUseId` for tool calls,
//! `<block index>:<n>` for the sources a block's citations give. A block's kind comes from its
//! start (`toolUse`, `toolResult`) or, where none is sent (text, reasoning), from its first delta;
//! empty text is no content. Blocks of other kinds (images) and unknown events are passed over.
//!
//! Tools Bedrock runs itself (Nova's code interpreter): the call is a `toolUse` of type
//! `server_tool_use` (a provider-executed tool call), its result a `toolResult` block, which
//! becomes one `tool_result` at its stop (or at the finish, if never stopped; a cut stream or an
//! error drops it: part of a result is not the tool's result). Its `id` is the start's
//! `toolUseId` (a start without one yields nothing), its name the call's, `is_error` the start's
//! `status` `error`; its text a JSON array of the items of every `toolResult` delta in order, each
//! item as sent (one delta's array is thus its text as sent, less any space inside its brackets;
//! a delta that is no array counts as one item).
//!
//! Decisions:
//! - `messageStop` and `metadata` both end the stream, in either order (the service sends
//!   `metadata` last): `finish` comes after the second, or at the end of the body after
//!   `messageStop` alone. Any event after `finish` is a fault.
//! - Usage: `inputTokens` excludes the cache, as Anthropic's does, so the cache reads and writes
//!   are added; each field as last reported; Invoke's invocation metrics fill what was never.
//! - `finish.provider_metadata_json`: `{"usage": …, "metrics": …, "additionalModelResponseFields":
//!   …, "amazon-bedrock-invocationMetrics": …}`, each raw as sent, when present.

use crate::error::ErrorKind;
use crate::events::Event;
use crate::families::anthropic::usage::{Counts, MetricsWire};
use crate::families::anthropic::BlockKind;
use crate::families::parts::{PartKind, Parts};
use crate::families::server_calls::ServerCalls;
use crate::families::{parse_json, parse_object, read_payload, Obj, Raw};

use super::wire::{CitationWire, ConverseUsageWire, ConverseWire, DeltaWire, ResultStartWire, StartWire};
use super::{finish_reason, unexpected};

#[derive(Debug)]
struct Block {
    index: u64,
    /// `None` until the first delta tells.
    kind: Option<BlockKind>,
    id: String,
    sources: u64,
    /// What a `toolResult` block holds so far.
    result: Option<PendingResult>,
}

#[derive(Debug)]
struct PendingResult {
    is_error: bool,
    /// The items of its deltas so far, joined by commas.
    items: String,
}

/// Where the stream is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Open,
    /// `messageStop` came, `metadata` not yet.
    Stopped,
    /// `metadata` came, `messageStop` not yet.
    Measured,
    Finished,
}

#[derive(Debug, Default)]
pub struct Decoder {
    pub(super) parts: Parts,
    blocks: Vec<Block>,
    counts: Counts,
    stop_reason: Option<String>,
    usage_raw: Option<String>,
    metrics_raw: Option<String>,
    additional_raw: Option<String>,
    invocation_metrics_raw: Option<String>,
    started: bool,
    state: State,
    /// The provider-executed calls so far: what their results answer.
    server_calls: ServerCalls,
}

fn owned(raw: Option<Raw<'_>>) -> Option<String> {
    raw.map(|r| r.get().to_owned())
}

impl Decoder {
    /// One event: `name` is its type, `data` its JSON object.
    pub fn event(&mut self, name: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let mut event = ConverseWire::default();
        read_payload(data, &mut event, ConverseWire::scan)?;
        if self.state == State::Finished {
            return Err(unexpected(format!("`{name}` after the end of the message")));
        }
        let index = || {
            event
                .index
                .ok_or_else(|| unexpected(format!("`{name}` without `contentBlockIndex`")))
        };
        match name {
            "messageStart" => {
                if self.started {
                    return Err(unexpected("a second `messageStart`".to_owned()));
                }
                self.started = true;
                out.push(Event::StreamStart {
                    id: None,
                    model: None,
                    created: None,
                });
            }
            "contentBlockStart" => {
                let index = index()?;
                let start = event.start.take();
                self.block_start(index, start.as_ref().map(|s| &s.0), out)?;
            }
            "contentBlockDelta" => {
                let index = index()?;
                let Obj(delta) = event
                    .delta
                    .take()
                    .ok_or_else(|| unexpected(format!("`{name}` without `delta`")))?;
                self.block_delta(index, &delta, out)?;
            }
            "contentBlockStop" => self.block_stop(index()?, out),
            "messageStop" => {
                if self.state == State::Stopped {
                    return Err(unexpected("a second `messageStop`".to_owned()));
                }
                self.stop_reason = event.stop_reason.map(std::borrow::Cow::into_owned);
                self.additional_raw = owned(event.additional);
                if self.state == State::Measured {
                    self.finish(out);
                } else {
                    self.state = State::Stopped;
                }
            }
            "metadata" => {
                if let Some(raw) = event.usage.and_then(Raw::object) {
                    let mut wire = ConverseUsageWire::default();
                    read_payload(raw.get(), &mut wire, ConverseUsageWire::scan)?;
                    self.counts
                        .report([wire.input, wire.output, wire.cache_read, wire.cache_write]);
                    self.usage_raw = Some(raw.get().to_owned());
                }
                if let Some(raw) = event.metrics {
                    self.metrics_raw = Some(raw.get().to_owned());
                }
                if self.state == State::Stopped {
                    self.finish(out);
                } else {
                    self.state = State::Measured;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Invoke's invocation metrics (AWS's count of the call): they fill only what the stream never
    /// reported.
    pub fn invocation_metrics(&mut self, raw: Raw<'_>) -> Result<(), ErrorKind> {
        let wire: MetricsWire = parse_object(raw.get())?;
        self.counts.fill_from(&wire);
        self.invocation_metrics_raw = Some(raw.get().to_owned());
        Ok(())
    }

    fn block_start(
        &mut self,
        index: u64,
        start: Option<&StartWire<'_>>,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        if self.blocks.iter().any(|b| b.index == index) {
            return Err(unexpected(format!("content block {index} started twice")));
        }
        let mut block = Block {
            index,
            kind: None,
            id: index.to_string(),
            sources: 0,
            result: None,
        };
        if let Some(start) = start {
            if let Some(Obj(tool)) = &start.tool_use {
                let id = tool
                    .id
                    .as_deref()
                    .ok_or_else(|| unexpected("`toolUse` without `toolUseId`".to_owned()))?;
                let executed = tool.kind.as_deref() == Some("server_tool_use");
                let name = tool.name.as_deref().unwrap_or("");
                self.parts.start(PartKind::ToolInput, id, name, executed, out)?;
                if executed {
                    self.server_calls.push(id, name);
                }
                block.kind = Some(BlockKind::Tool);
                id.clone_into(&mut block.id);
            } else if let Some(raw) = start.tool_result {
                block.kind = Some(BlockKind::Other);
                let wire = parse_json::<Obj<ResultStartWire<'_>>>(raw.get()).ok();
                if let Some(Obj(wire)) = wire {
                    if let Some(id) = wire.id {
                        block.id = id.into_owned();
                        block.result = Some(PendingResult {
                            is_error: wire.status.as_deref() == Some("error"),
                            items: String::new(),
                        });
                    }
                }
            }
        }
        self.blocks.push(block);
        Ok(())
    }

    fn block_delta(&mut self, index: u64, delta: &DeltaWire<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let pos = if let Some(pos) = self.blocks.iter().position(|b| b.index == index) {
            pos
        } else {
            self.blocks.push(Block {
                index,
                kind: None,
                id: index.to_string(),
                sources: 0,
                result: None,
            });
            self.blocks.len() - 1
        };
        let Self { blocks, parts, .. } = self;
        let Some(block) = blocks.get_mut(pos) else {
            return Ok(());
        };
        if block.kind == Some(BlockKind::Other) {
            if let (Some(result), Some(raw)) = (block.result.as_mut(), delta.tool_result) {
                result.add(raw.get());
            }
            return Ok(());
        }
        if let Some(text) = delta.text.as_deref().filter(|t| !t.is_empty()) {
            fit(block, BlockKind::Text, "text")?;
            parts.text(&block.id, text, out)?;
        }
        if let Some(Obj(tool)) = &delta.tool_use {
            if block.kind != Some(BlockKind::Tool) {
                return Err(unexpected(format!(
                    "`toolUse` for content block {index}, which is no tool use"
                )));
            }
            parts.tool_input(&block.id, tool.input.as_deref().unwrap_or(""), out);
        }
        if let Some(Obj(reasoning)) = &delta.reasoning {
            fit(block, BlockKind::Reasoning, "reasoningContent")?;
            if let Some(text) = reasoning.text.as_deref().filter(|t| !t.is_empty()) {
                parts.reasoning(&block.id, text, out)?;
            }
            let signed = reasoning.signature.as_deref().or(reasoning.redacted.as_deref());
            if signed.is_some() && !parts.is_open(&block.id) {
                parts.start(PartKind::Reasoning, &block.id, "", false, out)?;
            }
            if let Some(signature) = reasoning.signature.as_deref() {
                parts.sign(&block.id, signature, true);
            }
            if let Some(data) = reasoning.redacted.as_deref() {
                // Redacted reasoning keeps its encrypted data where a signature goes, as
                // Anthropic's `redacted_thinking` does: it is what a follow-up request sends back.
                parts.set_redacted(&block.id);
                parts.sign(&block.id, data, true);
            }
        }
        if let Some(Obj(citation)) = &delta.citation {
            source(block, citation, out);
        }
        Ok(())
    }

    fn block_stop(&mut self, index: u64, out: &mut Vec<Event>) {
        // A stop for a block never started nor written to (the service sends one after an empty
        // text block) closes nothing.
        if let Some(pos) = self.blocks.iter().position(|b| b.index == index) {
            let block = self.blocks.remove(pos);
            self.emit_result(block.id.as_str(), block.result.as_ref(), out);
            if matches!(
                block.kind,
                Some(BlockKind::Text | BlockKind::Reasoning | BlockKind::Tool)
            ) {
                self.parts.end(&block.id, None, out);
            }
        }
    }

    fn provider_metadata(&self) -> Option<String> {
        crate::families::raw_object([
            ("usage", self.usage_raw.as_deref()),
            ("metrics", self.metrics_raw.as_deref()),
            ("additionalModelResponseFields", self.additional_raw.as_deref()),
            (
                "amazon-bedrock-invocationMetrics",
                self.invocation_metrics_raw.as_deref(),
            ),
        ])
    }

    /// The `tool_result` of a `toolResult` block.
    fn emit_result(&self, id: &str, result: Option<&PendingResult>, out: &mut Vec<Event>) {
        if let Some(result) = result {
            let text = format!("[{}]", result.items);
            self.server_calls.result(id, text, result.is_error, out);
        }
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        for block in &self.blocks {
            self.emit_result(&block.id, block.result.as_ref(), out);
        }
        self.parts.close_all(out);
        self.blocks.clear();
        out.push(Event::Finish {
            reason: finish_reason(self.stop_reason.as_deref()),
            raw_reason: self.stop_reason.clone(),
            usage: self.counts.usage(),
            provider_metadata_json: self.provider_metadata(),
        });
        self.state = State::Finished;
    }

    /// An exception frame: what is open is closed, the error reported, the stream finished.
    pub fn provider_error(&mut self, message: String, kind: String, raw: Option<String>, out: &mut Vec<Event>) {
        self.blocks.clear();
        super::provider_error(&mut self.parts, &self.counts, [message, kind], raw, out);
        self.state = State::Finished;
    }

    pub fn end(&mut self, out: &mut Vec<Event>) {
        match self.state {
            State::Finished => {}
            State::Stopped => self.finish(out),
            State::Open | State::Measured => {
                self.blocks.clear();
                crate::families::incomplete(&mut self.parts, &self.counts.usage(), out);
                self.state = State::Finished;
            }
        }
    }
}

impl PendingResult {
    /// Adds a `toolResult` delta's items: an array's (its text inside the brackets), else itself.
    fn add(&mut self, raw: &str) {
        let items = match raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            Some(inner) => inner.trim_matches(JSON_SPACE),
            None => raw,
        };
        if items.is_empty() {
            return;
        }
        if !self.items.is_empty() {
            self.items.push(',');
        }
        self.items.push_str(items);
    }
}

/// The whitespace JSON allows between tokens.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Sets the kind of a block on its first delta; a delta of another kind later is a fault.
fn fit(block: &mut Block, kind: BlockKind, what: &str) -> Result<(), ErrorKind> {
    match block.kind {
        None => {
            block.kind = Some(kind);
            Ok(())
        }
        Some(k) if k == kind => Ok(()),
        Some(_) => Err(unexpected(format!(
            "`{what}` does not fit content block {}",
            block.index
        ))),
    }
}

/// A `source` for a citation that names a web URL.
fn source(block: &mut Block, citation: &CitationWire<'_>, out: &mut Vec<Event>) {
    let url = citation
        .location
        .as_ref()
        .and_then(|l| l.web.as_ref())
        .and_then(|w| w.url.as_deref());
    let Some(url) = url else {
        return;
    };
    out.push(Event::url_source(
        format!("{}:{}", block.index, block.sources),
        url.to_owned(),
        citation.title.as_ref().map(|t| t.clone().into_owned()),
    ));
    block.sources += 1;
}
