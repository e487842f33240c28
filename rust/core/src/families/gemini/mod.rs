//! The `gemini` wire family: `streamGenerateContent?alt=sse` chunks (AI Studio and Vertex).
//!
//! Gemini has no part ids and no terminal event. Text and thought parts that follow one another
//! form one text or reasoning part, numbered `"0"`, `"1"`, … in order of appearance; a function call
//! keeps its `functionCall.id` when sent, else gets `call_{n}` (n counts the calls of the stream).
//!
//! Function call arguments: Gemini sends an `args` object, not text. The tool call's arguments are
//! the raw JSON text of `args` exactly as it appears in the payload (whitespace and key order
//! included, `{}` when absent), so that nothing is re-serialized: no float formatting or escaping
//! choice can differ between the Rust core and the Python reference (which finds the same slice).
//!
//! `thoughtSignature`: a signature always ends up on a `reasoning_end`. It signs and closes the open
//! reasoning part when there is one; otherwise (a signature on a function call part or on a plain
//! text part, e.g. Gemini 3's trailing empty text part) it yields a reasoning start/end pair of its
//! own, placed right before that part's content. A pair right before a `tool_input_start` holds the
//! signature of that function call, to be sent back on it.
//!
//! `usageMetadata` is a running total: the latest object replaces the usage, never summed. The
//! finish comes at end of stream, since usage may follow the `finishReason` chunk; a stream that
//! ended without a `finishReason` (or `promptFeedback.blockReason`, or an error) is incomplete.
//! Grounding sources are numbered `src_{n}` and reported once per URL; a document retrieved by file
//! search (no URL) once per `retrievedContext`, which it keeps as sent in its metadata.
//!
//! Tools Gemini runs itself: `executableCode` and `toolCall` are provider-executed tool calls;
//! `codeExecutionResult` and `toolResponse` their `tool_result`s. A result answers the call its
//! `id` names; Gemini 2 sends no ids, and its result answers the latest provider-executed call
//! (the call is always right before its result). A result with neither gets a `call_{n}` of its
//! own. The result text is the `codeExecutionResult` object as sent (its `outcome` and `output`
//! both matter; an error when `outcome` is `OUTCOME_FAILED` or `OUTCOME_DEADLINE_EXCEEDED`), or
//! the `response` of a `toolResponse` as sent (`null` when absent, as for a file search).
//!
//! Generated media (`inlineData` parts: image generation models, TTS) are `file` events, `file_{n}`
//! (n counts the stream's files), of the part's `mimeType` (`application/octet-stream` when none)
//! with its base64 `data` decoded; a `thought: true` one (an interim image of a thinking image
//! model) is `partial`. The part ends the open text or reasoning part first, and its
//! `thoughtSignature` signs what a function call's signs. Data that is not base64 gives no file: the
//! `inlineData` object as sent is an `unknown` of kind `inlineData`.

#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Source, SourceKind, Usage};

use super::parts::{PartKind, Parts};
use super::scan::{FieldsRead, Scan, Scanned};
use super::server_calls::ServerCalls;
use super::{parse_json, parse_payload, read_payload, refuse_other, Family, FamilyDecoder, Obj, Raw};
use wire::{Chunk, FunctionCall, GroundingMetadata, InlineData, Part, RetrievedTexts, ServerPart, UsageMetadata};

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    state: State,
    /// The open text or reasoning part.
    block: Option<(PartKind, String)>,
    next_part: u64,
    /// Calls so far (the `n` of a synthesized `call_{n}`).
    calls: u64,
    /// Files so far (the `n` of `file_{n}`).
    files: u64,
    /// Whether a function call (one the caller must run) was seen: a `STOP` is then `tool_calls`.
    function_calls: bool,
    /// The last `finishReason` (or prompt block reason), raw.
    finish_reason: Option<String>,
    errored: bool,
    /// URLs already reported as sources.
    source_urls: Vec<String>,
    /// The provider-executed calls so far: what their results answer.
    server_calls: ServerCalls,
}

/// Where the stream is. Gemini has no terminal event: the stream ends when its body does, and
/// what is fed after that end is read as before it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Fresh,
    /// `stream_start` was sent.
    Started,
    /// The end was handled (the finish sent, or the stream reported incomplete) before any
    /// `stream_start`.
    EndedUnstarted,
    /// The end was handled after `stream_start`.
    Ended,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // The scan reads the usual chunks, serde the rest (see `scan`).
        let mut chunk = Chunk::default();
        read_payload(data, &mut chunk, Chunk::scan)?;
        self.apply(&mut chunk, data, out)
    }

    /// A chunk with `candidates` or `usageMetadata` and no `type`, `object` or `choices`, read
    /// whole by the scan: `detect` can then only find Gemini (those three are all it reads ahead of
    /// `candidates`), or nothing where its probe cannot read the payload, so `mismatch` finds
    /// nothing. Other members (Vertex's `createTime`) change nothing there.
    fn first_payload(
        &mut self,
        family: Family,
        event: &str,
        data: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let mut read = (Chunk::default(), false);
        let scanned = Scan::whole(data, &mut read, scan_noting_others).is_ok();
        let (mut chunk, others) = read;
        let vouched = scanned && !others && (chunk.candidates.is_some() || chunk.usage_metadata.is_some());
        refuse_other(family, event, data, vouched)?;
        if !scanned {
            chunk = parse_payload(data)?;
        }
        self.apply(&mut chunk, data, out)
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        self.state = match self.state {
            State::Fresh => State::EndedUnstarted,
            State::Started => State::Ended,
            State::EndedUnstarted | State::Ended => return,
        };
        let reason = match (self.errored, &self.finish_reason) {
            (true, _) => FinishReason::Error,
            (false, Some(raw)) => finish_reason(raw, self.function_calls),
            (false, None) => return super::incomplete(&mut self.parts, &self.usage, out),
        };
        self.parts.close_all(out);
        out.push(Event::Finish {
            reason,
            raw_reason: if self.errored { None } else { self.finish_reason.clone() },
            usage: self.usage.clone(),
            provider_metadata_json: None,
        });
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

/// `Chunk::scan`, noting (`.1`) whether a member that names another family in `detect` came.
fn scan_noting_others<'a>(s: &mut Scan<'a>, read: &mut (Chunk<'a>, bool)) -> Scanned<()> {
    let (chunk, others) = read;
    let mut seen = FieldsRead::default();
    s.object(|s, key| {
        let own = Chunk::scan_field(s, chunk, &mut seen, key)?;
        // A key with escapes gives the scan up, so these are the keys as serde reads them.
        *others |= !own && matches!(key, "type" | "object" | "choices");
        Ok(own)
    })
}

impl Decoder {
    /// What a chunk read says. The chunk is lent, not given, so that it is not copied (as for
    /// Anthropic's payloads).
    fn apply(&mut self, chunk: &mut Chunk<'_>, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(Obj(e)) = chunk.error.take() {
            self.errored = true;
            out.push(Event::Error {
                message: e.message.map(Cow::into_owned).unwrap_or_default(),
                kind: e.status.map_or_else(|| "error".to_owned(), Cow::into_owned),
                raw: Some(data.to_owned()),
            });
            return Ok(());
        }
        if matches!(self.state, State::Fresh | State::EndedUnstarted) {
            self.state = if self.state == State::Fresh {
                State::Started
            } else {
                State::Ended
            };
            out.push(Event::StreamStart {
                id: chunk.response_id.take().map(Cow::into_owned),
                model: chunk.model_version.take().map(Cow::into_owned),
                created: None,
            });
        }
        // Streaming sends one candidate; with `candidateCount` > 1 the others are not this message.
        let candidates = chunk.candidates.iter().flatten().enumerate();
        for (n, candidate) in candidates.filter(|(_, c)| c.index.unwrap_or(0) == 0) {
            for part in candidate.content.iter().flat_map(|c| c.parts.iter().flatten()) {
                self.part(part, out)?;
            }
            if let Some(grounding) = &candidate.grounding_metadata {
                self.sources(grounding, data, n, out)?;
            }
            if let Some(reason) = &candidate.finish_reason {
                self.finish_reason = Some(reason.clone().into_owned());
            }
        }
        if let Some(reason) = chunk.prompt_feedback.take().and_then(|f| f.0.block_reason) {
            self.finish_reason.get_or_insert_with(|| reason.into_owned());
        }
        if let Some(u) = chunk.usage_metadata.take() {
            self.usage = usage(&u);
        }
        Ok(())
    }
}

impl Decoder {
    fn part(&mut self, part: &Part<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let signature = part.thought_signature.as_deref();
        if let Some(call) = &part.function_call {
            self.before_tool(signature, out)?;
            return self.call(call, out);
        }
        if let Some((raw, code)) = part
            .executable_code
            .map(|r| (r, true))
            .or(part.tool_call.map(|r| (r, false)))
        {
            self.before_tool(signature, out)?;
            return self.server_call(raw, code, out);
        }
        if let Some((raw, code)) = part
            .code_execution_result
            .map(|r| (r, true))
            .or(part.tool_response.map(|r| (r, false)))
        {
            self.before_tool(signature, out)?;
            // A result is no part: what reasoning is open ends before it, as before a call.
            self.close_block(PartKind::Reasoning, out);
            self.server_result(raw, code, out);
            return Ok(());
        }
        if let Some(raw) = part.inline_data {
            self.before_tool(signature, out)?;
            // A file is no part either: what reasoning is open ends before it.
            self.close_block(PartKind::Reasoning, out);
            self.file(raw, part.thought == Some(true), out);
            return Ok(());
        }
        let text = part.text.as_deref().unwrap_or("");
        if part.thought == Some(true) {
            if !text.is_empty() {
                self.block(PartKind::Reasoning, out)?;
                if let Some((_, id)) = &self.block {
                    self.parts.reasoning(id, text, out)?;
                }
            }
            if let Some(signature) = signature {
                self.sign(signature, out)?;
            }
        } else {
            if let Some(signature) = signature {
                self.close_block(PartKind::Text, out);
                self.sign(signature, out)?;
            }
            if !text.is_empty() {
                self.block(PartKind::Text, out)?;
                if let Some((_, id)) = &self.block {
                    self.parts.text(id, text, out)?;
                }
            }
        }
        Ok(())
    }

    /// Before a tool part: the open text ends, and the part's signature signs what it signs.
    fn before_tool(&mut self, signature: Option<&str>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        self.close_block(PartKind::Text, out);
        if let Some(signature) = signature {
            self.sign(signature, out)?;
        }
        Ok(())
    }

    /// Makes the open text or reasoning part one of `kind`, closing one of the other kind.
    fn block(&mut self, kind: PartKind, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        match self.block.take() {
            Some((open, id)) if open == kind => self.block = Some((open, id)),
            other => {
                if let Some((_, id)) = other {
                    self.parts.end(&id, None, out);
                }
                let id = self.next_id();
                self.parts.start(kind, &id, "", false, out)?;
                self.block = Some((kind, id));
            }
        }
        Ok(())
    }

    fn close_block(&mut self, kind: PartKind, out: &mut Vec<Event>) {
        if let Some((open, id)) = self.block.take() {
            if open == kind {
                self.parts.end(&id, None, out);
            } else {
                self.block = Some((open, id));
            }
        }
    }

    /// Puts a signature on a `reasoning_end`: the open reasoning part's, or a pair of its own.
    fn sign(&mut self, signature: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let id = match self.block.take() {
            Some((PartKind::Reasoning, id)) => id,
            other => {
                self.block = other;
                let id = self.next_id();
                self.parts.start(PartKind::Reasoning, &id, "", false, out)?;
                id
            }
        };
        self.parts.sign(&id, signature, false);
        self.parts.end(&id, None, out);
        Ok(())
    }

    fn call(&mut self, call: &FunctionCall<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // Parts closes the open reasoning part itself when the tool part starts.
        if let Some((PartKind::Reasoning, _)) = self.block {
            self.block = None;
        }
        let id = match &call.id {
            Some(id) => id.clone().into_owned(),
            None => format!("call_{}", self.calls),
        };
        self.calls += 1;
        self.function_calls = true;
        let name = call.name.as_deref().unwrap_or("");
        self.parts.start(PartKind::ToolInput, &id, name, false, out)?;
        if let Some(args) = call.args {
            self.parts.tool_input(&id, args.get(), out);
        }
        self.parts.end(&id, None, out);
        Ok(())
    }

    /// A call of a tool Gemini ran (`executableCode`: named `code_execution`, the object itself its
    /// arguments; `toolCall`: named by its `toolType`, its `args` the arguments), a complete
    /// provider-executed tool part. A member that cannot be read (not an object) reads as absent.
    fn server_call(&mut self, raw: Raw<'_>, code: bool, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some((PartKind::Reasoning, _)) = self.block {
            self.block = None;
        }
        let wire = read_server_part(raw);
        let id = match wire.as_ref().and_then(|w| w.id.as_deref()) {
            Some(id) => id.to_owned(),
            None => format!("call_{}", self.calls),
        };
        self.calls += 1;
        let (name, arguments) = if code {
            (CODE_EXECUTION, Some(raw))
        } else {
            let name = wire.as_ref().and_then(|w| w.tool_type.as_deref()).unwrap_or("");
            (name, wire.as_ref().and_then(|w| w.args))
        };
        self.parts.start(PartKind::ToolInput, &id, name, true, out)?;
        if let Some(arguments) = arguments {
            self.parts.tool_input(&id, arguments.get(), out);
        }
        self.parts.end(&id, None, out);
        self.server_calls.push(&id, name);
        Ok(())
    }

    /// The result of a tool Gemini ran (`codeExecutionResult` when `code`, else `toolResponse`):
    /// see the module notes for the call it answers and its text.
    fn server_result(&mut self, raw: Raw<'_>, code: bool, out: &mut Vec<Event>) {
        let wire = read_server_part(raw);
        let wire = wire.as_ref();
        let id = if let Some(id) = wire.and_then(|w| w.id.as_deref()).or(self.server_calls.last_id()) {
            id.to_owned()
        } else {
            self.calls += 1;
            format!("call_{}", self.calls - 1)
        };
        let (name, result, is_error) = if code {
            let outcome = wire.and_then(|w| w.outcome.as_deref());
            let failed = matches!(outcome, Some("OUTCOME_FAILED" | "OUTCOME_DEADLINE_EXCEEDED"));
            (CODE_EXECUTION, raw.get(), failed)
        } else {
            let name = wire
                .and_then(|w| w.tool_type.as_deref())
                .or(self.server_calls.name(&id))
                .unwrap_or("");
            let response = wire.and_then(|w| w.response).map_or("null", |r| r.get());
            (name, response, false)
        };
        super::server_calls::tool_result(&id, name, result.to_owned(), is_error, out);
    }

    /// The sources of candidate `candidate`'s grounding: a URL once; a retrieved document (file
    /// search: a `retrievedContext` with no `uri`) once per `retrievedContext` as sent, which is its
    /// metadata (the chunk's text, its store, its custom metadata).
    fn sources(
        &mut self,
        grounding: &GroundingMetadata<'_>,
        data: &str,
        candidate: usize,
        out: &mut Vec<Event>,
    ) -> Result<(), ErrorKind> {
        let mut texts = None;
        for (n, chunk) in grounding.grounding_chunks.iter().flatten().enumerate() {
            let Some(source) = chunk.web.as_ref().or(chunk.retrieved_context.as_ref()) else {
                continue;
            };
            if let Some(url) = source.uri.as_deref() {
                super::source_once(&mut self.source_urls, url, source.title.as_deref(), out);
                continue;
            }
            if chunk.web.is_some() {
                continue;
            }
            let texts = match &mut texts {
                Some(texts) => texts,
                None => texts.insert(parse_json::<Obj<RetrievedTexts>>(data)?.0),
            };
            let Some(raw) = texts.get(candidate, n) else {
                continue;
            };
            // A document is known by its text as sent, in the list of URLs (no URL is a JSON object).
            if self.source_urls.iter().any(|seen| seen == raw) {
                continue;
            }
            out.push(Event::Source(Box::new(Source {
                id: format!("src_{}", self.source_urls.len()),
                kind: SourceKind::Document,
                url: None,
                title: source.title.as_deref().map(str::to_owned),
                media_type: None,
                filename: None,
                provider_metadata_json: Some(raw.to_owned()),
            })));
            self.source_urls.push(raw.to_owned());
        }
        Ok(())
    }

    /// An `inlineData` part: see the module notes.
    #[cold]
    fn file(&mut self, raw: Raw<'_>, partial: bool, out: &mut Vec<Event>) {
        let wire = parse_json::<Obj<InlineData<'_>>>(raw.get()).ok().map(|Obj(w)| w);
        let wire = wire.as_ref();
        let Some(data) = wire.and_then(|w| w.data.as_deref()).and_then(crate::b64::decode) else {
            out.push(Event::Unknown {
                kind: "inlineData".to_owned(),
                raw: raw.get().to_owned(),
            });
            return;
        };
        let media_type = wire.and_then(|w| w.mime_type.as_deref()).filter(|m| !m.is_empty());
        out.push(Event::File {
            id: format!("file_{}", self.files),
            media_type: media_type.unwrap_or("application/octet-stream").to_owned(),
            data,
            partial,
        });
        self.files += 1;
    }

    fn next_id(&mut self) -> String {
        let id = self.next_part.to_string();
        self.next_part += 1;
        id
    }
}

/// The name of the code execution tool's calls and results (Gemini names none).
const CODE_EXECUTION: &str = "code_execution";

/// The members of a provider-executed call or result; `None` where they cannot be read (not an
/// object), so that each reads as absent.
fn read_server_part(raw: Raw<'_>) -> Option<ServerPart<'_>> {
    parse_json::<Obj<ServerPart<'_>>>(raw.get()).ok().map(|Obj(w)| w)
}

fn usage(u: &UsageMetadata) -> Usage {
    let input = u.prompt.unwrap_or(0);
    let thoughts = u.thoughts.unwrap_or(0);
    let output = u.candidates.unwrap_or(0).saturating_add(thoughts);
    Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input.saturating_add(output),
        reasoning_tokens: thoughts,
        cache_read_tokens: u.cached_content.unwrap_or(0),
        cache_write_tokens: 0,
        cost: None,
    }
}

fn finish_reason(raw: &str, called_tools: bool) -> FinishReason {
    match raw {
        "STOP" if called_tools => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" => FinishReason::ContentFilter,
        "MALFORMED_FUNCTION_CALL" => FinishReason::Error,
        _ => FinishReason::Other,
    }
}
