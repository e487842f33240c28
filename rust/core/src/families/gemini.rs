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
//! Grounding sources are numbered `src_{n}` and reported once per URL.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::ErrorKind;
use crate::events::{Event, FinishReason, Usage};

use super::parts::{PartKind, Parts};
use super::scan::{first, Scan};
use super::{read_payload, FamilyDecoder, List, Obj, Raw};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chunk<'a> {
    #[serde(borrow)]
    candidates: Option<List<Candidate<'a>>>,
    usage_metadata: Option<Obj<UsageMetadata>>,
    #[serde(borrow)]
    prompt_feedback: Option<Obj<PromptFeedback<'a>>>,
    #[serde(borrow)]
    model_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    response_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error: Option<Obj<ApiError<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate<'a> {
    #[serde(borrow)]
    content: Option<Obj<Content<'a>>>,
    #[serde(borrow)]
    finish_reason: Option<Cow<'a, str>>,
    index: Option<u64>,
    #[serde(borrow)]
    grounding_metadata: Option<Obj<GroundingMetadata<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct Content<'a> {
    #[serde(borrow)]
    parts: Option<List<Part<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    thought: Option<bool>,
    #[serde(borrow)]
    thought_signature: Option<Cow<'a, str>>,
    #[serde(borrow)]
    function_call: Option<Obj<FunctionCall<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct FunctionCall<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    args: Option<Raw<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroundingMetadata<'a> {
    #[serde(borrow)]
    grounding_chunks: Option<List<GroundingChunk<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroundingChunk<'a> {
    #[serde(borrow)]
    web: Option<Obj<WebSource<'a>>>,
    #[serde(borrow)]
    retrieved_context: Option<Obj<WebSource<'a>>>,
}

#[derive(Debug, Deserialize)]
struct WebSource<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct UsageMetadata {
    #[serde(rename = "promptTokenCount")]
    prompt: Option<u64>,
    #[serde(rename = "candidatesTokenCount")]
    candidates: Option<u64>,
    #[serde(rename = "thoughtsTokenCount")]
    thoughts: Option<u64>,
    #[serde(rename = "cachedContentTokenCount")]
    cached_content: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback<'a> {
    #[serde(borrow)]
    block_reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct ApiError<'a> {
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
}

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    usage: Usage,
    started: bool,
    /// The open text or reasoning part.
    block: Option<(PartKind, String)>,
    next_part: u64,
    calls: u64,
    /// The last `finishReason` (or prompt block reason), raw.
    finish_reason: Option<String>,
    errored: bool,
    finished: bool,
    /// URLs already reported as sources.
    source_urls: Vec<String>,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        // The scan reads the usual chunks, serde the rest (see `scan`).
        let mut chunk = Chunk::default();
        read_payload(data, &mut chunk, scan_chunk)?;
        if let Some(Obj(e)) = chunk.error {
            self.errored = true;
            out.push(Event::Error {
                message: e.message.map(Cow::into_owned).unwrap_or_default(),
                kind: e.status.map_or_else(|| "error".to_owned(), Cow::into_owned),
                raw: Some(data.to_owned()),
            });
            return Ok(());
        }
        if !self.started {
            self.started = true;
            out.push(Event::StreamStart {
                id: chunk.response_id.map(Cow::into_owned),
                model: chunk.model_version.map(Cow::into_owned),
            });
        }
        // Streaming sends one candidate; with `candidateCount` > 1 the others are not this message.
        for candidate in chunk.candidates.iter().flatten().filter(|c| c.index.unwrap_or(0) == 0) {
            for part in candidate.content.iter().flat_map(|c| c.parts.iter().flatten()) {
                self.part(part, out)?;
            }
            if let Some(grounding) = &candidate.grounding_metadata {
                self.sources(grounding, out);
            }
            if let Some(reason) = &candidate.finish_reason {
                self.finish_reason = Some(reason.clone().into_owned());
            }
        }
        if let Some(reason) = chunk.prompt_feedback.and_then(|f| f.0.block_reason) {
            self.finish_reason.get_or_insert_with(|| reason.into_owned());
        }
        if let Some(u) = chunk.usage_metadata {
            self.usage = usage(&u);
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if self.finished {
            return;
        }
        self.finished = true;
        let reason = match (self.errored, &self.finish_reason) {
            (true, _) => FinishReason::Error,
            (false, Some(raw)) => finish_reason(raw, self.calls > 0),
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

impl Decoder {
    fn part(&mut self, part: &Part<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let signature = part.thought_signature.as_deref();
        if let Some(call) = &part.function_call {
            self.close_block(PartKind::Text, out);
            if let Some(signature) = signature {
                self.sign(signature, out)?;
            }
            return self.call(call, out);
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
        let name = call.name.as_deref().unwrap_or("");
        self.parts.start(PartKind::ToolInput, &id, name, false, out)?;
        if let Some(args) = call.args {
            self.parts.tool_input(&id, args.get(), out);
        }
        self.parts.end(&id, None, out);
        Ok(())
    }

    fn sources(&mut self, grounding: &GroundingMetadata<'_>, out: &mut Vec<Event>) {
        for chunk in grounding.grounding_chunks.iter().flatten() {
            let Some(source) = chunk.web.as_ref().or(chunk.retrieved_context.as_ref()) else {
                continue;
            };
            let Some(url) = source.uri.as_deref() else {
                continue;
            };
            if self.source_urls.iter().any(|u| u == url) {
                continue;
            }
            out.push(Event::Source {
                id: format!("src_{}", self.source_urls.len()),
                url: url.to_owned(),
                title: source.title.as_deref().map(str::to_owned),
            });
            self.source_urls.push(url.to_owned());
        }
    }

    fn next_id(&mut self) -> String {
        let id = self.next_part.to_string();
        self.next_part += 1;
        id
    }
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

/// Fills `chunk` as serde would read it, or gives up with `None` where the scan cannot vouch for that
/// (see `scan`).
fn scan_chunk<'a>(s: &mut Scan<'a>, chunk: &mut Chunk<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "candidates" => (first(&mut seen, 0)?, s.opt_list(&mut chunk.candidates, scan_candidate)?),
            "usageMetadata" => (first(&mut seen, 1)?, s.opt_obj(&mut chunk.usage_metadata, scan_usage)?),
            "modelVersion" => (first(&mut seen, 2)?, chunk.model_version = s.opt_str()?),
            "responseId" => (first(&mut seen, 3)?, chunk.response_id = s.opt_str()?),
            // Rare: serde reads them.
            "promptFeedback" => (first(&mut seen, 4)?, s.null_only()?),
            "error" => (first(&mut seen, 5)?, s.null_only()?),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_candidate<'a>(s: &mut Scan<'a>, candidate: &mut Candidate<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "content" => (first(&mut seen, 0)?, s.opt_obj(&mut candidate.content, scan_content)?),
            "finishReason" => (first(&mut seen, 1)?, candidate.finish_reason = s.opt_str()?),
            "index" => (first(&mut seen, 2)?, candidate.index = s.opt_u64()?),
            "groundingMetadata" => (first(&mut seen, 3)?, s.null_only()?),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_content<'a>(s: &mut Scan<'a>, content: &mut Content<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        if key != "parts" {
            return Some(false);
        }
        first(&mut seen, 0)?;
        s.opt_list(&mut content.parts, scan_part)?;
        Some(true)
    })
}

fn scan_part<'a>(s: &mut Scan<'a>, part: &mut Part<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "text" => (first(&mut seen, 0)?, part.text = s.opt_str()?),
            "thought" => (first(&mut seen, 1)?, part.thought = s.opt_bool()?),
            "thoughtSignature" => (first(&mut seen, 2)?, part.thought_signature = s.opt_str()?),
            "functionCall" => (
                first(&mut seen, 3)?,
                s.opt_obj(&mut part.function_call, scan_function_call)?,
            ),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_function_call<'a>(s: &mut Scan<'a>, call: &mut FunctionCall<'a>) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        match key {
            "id" => (first(&mut seen, 0)?, call.id = s.opt_str()?),
            "name" => (first(&mut seen, 1)?, call.name = s.opt_str()?),
            "args" => (first(&mut seen, 2)?, call.args = s.opt_raw()?),
            _ => return Some(false),
        };
        Some(true)
    })
}

fn scan_usage(s: &mut Scan<'_>, usage: &mut UsageMetadata) -> Option<()> {
    let mut seen = 0;
    s.object(|s, key| {
        let (bit, slot) = match key {
            "promptTokenCount" => (0, &mut usage.prompt),
            "candidatesTokenCount" => (1, &mut usage.candidates),
            "thoughtsTokenCount" => (2, &mut usage.thoughts),
            "cachedContentTokenCount" => (3, &mut usage.cached_content),
            _ => return Some(false),
        };
        first(&mut seen, bit)?;
        *slot = s.opt_u64()?;
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
        crate::families::test_support::events(Family::Gemini, body)
    }

    const THINK_CALL: &str = concat!(
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hm\",\"thought\":true}]}}],",
        "\"responseId\":\"r\",\"modelVersion\":\"m\",\"usageMetadata\":{\"promptTokenCount\":3,\"thoughtsTokenCount\":9}}\r\n\r\n",
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\": 1.50}},",
        "\"thoughtSignature\":\"SIG\"}]},\"finishReason\":\"STOP\"}],",
        "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4,\"thoughtsTokenCount\":9}}\r\n\r\n",
    );

    #[test]
    fn table() {
        let cases: [(&str, &str, &[&str]); 4] = [
            (
                "thought then signed call",
                THINK_CALL,
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
                "signature alone on empty text",
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"S\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
                &["stream_start", "reasoning_start", "reasoning_end", "finish"],
            ),
            (
                "no finish reason",
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]}}]}\r\n\r\n",
                &["stream_start", "text_start", "text_delta", "text_end", "error", "finish"],
            ),
            (
                "error body",
                "data: {\"error\":{\"code\":500,\"message\":\"m\",\"status\":\"INTERNAL\"}}\r\n\r\n",
                &["error", "finish"],
            ),
        ];
        for (name, body, expected) in cases {
            assert_eq!(types(&events(body)), expected, "{name}");
        }
    }

    #[test]
    fn usage_is_latest_and_arguments_raw() {
        let out = events(THINK_CALL);
        assert_eq!(
            out.get(3),
            Some(&Event::ReasoningEnd {
                id: "0".into(),
                signature: Some("SIG".into()),
                redacted: false
            })
        );
        assert!(
            matches!(out.get(7), Some(Event::ToolCall { id, arguments, .. }) if &**id == "call_0" && arguments == "{\"a\": 1.50}")
        );
        let Some(Event::Finish { reason, usage, .. }) = out.last() else {
            panic!("no finish")
        };
        assert_eq!(*reason, FinishReason::ToolCalls);
        assert_eq!(
            (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens),
            (3, 13, 9)
        );
    }

    #[test]
    fn finish_reasons() {
        let table = [
            ("STOP", false, FinishReason::Stop),
            ("STOP", true, FinishReason::ToolCalls),
            ("MAX_TOKENS", false, FinishReason::Length),
            ("SPII", false, FinishReason::ContentFilter),
            ("MALFORMED_FUNCTION_CALL", true, FinishReason::Error),
            ("OTHER", false, FinishReason::Other),
        ];
        for (raw, called, expected) in table {
            assert_eq!(finish_reason(raw, called), expected, "{raw}");
        }
    }

    #[test]
    fn arrays_are_not_structs() {
        let mut out = Vec::new();
        let mut parser = crate::parser::StreamParser::new(Some(Family::Gemini), crate::parser::Options::default());
        let err = parser
            .feed(b"data: {\"promptFeedback\": [null]}\r\n\r\n", &mut out)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected payload: JSON of the wrong shape at byte 0, event 0, near `{\"promptFeedback\": [null]}`"
        );
    }

    proptest! {
        #[test]
        fn any_split_gives_same_events(cuts in proptest::collection::vec(0..THINK_CALL.len(), 0..12)) {
            let out = crate::families::test_support::events_split(Family::Gemini, THINK_CALL, cuts);
            prop_assert_eq!(out, events(THINK_CALL));
        }
    }

    const SCAN_SEEDS: [&str; 5] = [
        r#"{"candidates": [{"content": {"parts": [{"text": "Hi \"there\"\n\u00e9","thought": true,"thoughtSignature": "c2ln"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 2,"totalTokenCount": 11,"thoughtsTokenCount": 4,"cachedContentTokenCount": 0,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 9}]},"modelVersion": "gemini-2.5-flash","responseId": "abc"}"#,
        r#"{"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"probability": 1e-3}]}],"modelVersion": null,"responseId": null,"promptFeedback": null,"error": null}"#,
        r#"{"candidates": [], "usageMetadata": null, "thought": false}"#,
        r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]}}]}"#,
        r#"{"candidates": [{"groundingMetadata": {}}], "promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 1, "promptTokenCount": 2}}"#,
    ];

    fn assert_scan_agrees(data: &str) {
        crate::families::scan::test_support::assert_agrees(
            data,
            |d| scanned(d, scan_chunk),
            crate::families::parse_object::<Chunk<'_>>,
        );
    }

    #[test]
    fn scan_reads_common_chunks_and_agrees_with_serde() {
        crate::families::scan::test_support::check_seeds(&SCAN_SEEDS, 4, assert_scan_agrees, |d| {
            scanned(d, scan_chunk).is_some()
        });
    }

    proptest! {
        #[test]
        fn scan_is_sound_under_mutation(data in crate::families::scan::test_support::mutated(&SCAN_SEEDS)) {
            assert_scan_agrees(&data);
        }
    }
}
