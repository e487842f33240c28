//! The `ollama` wire family: Ollama's native `/api/chat` and `/api/generate` (NDJSON lines).
//!
//! Each line carries a piece of text (`message.content`, or `response` for `/api/generate`) and of
//! thinking (`message.thinking`, or `thinking`), which form one text or reasoning part while they
//! follow one another, numbered `"0"`, `"1"`, … like Gemini's. Tool calls come whole
//! (`message.tool_calls`, arguments an object): each is a complete tool part at once, its id the
//! one sent or `call_{n}`, its arguments the raw JSON text of `arguments` as sent. The line with
//! `done: true` is the terminal event: `done_reason` and the token counts (`prompt_eval_count`
//! input, `eval_count` output, thinking included) make the finish. An `{"error": "..."}` line ends
//! the stream as the provider's error. `created_at` and the durations are passed over.

#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::events::{error_kind, Event, FinishReason, Usage};

use super::parts::{PartKind, Parts};
use super::{read_payload, FamilyDecoder, Obj};
use wire::{Line, ToolCall};

#[derive(Debug, Default)]
pub struct Decoder {
    parts: Parts,
    started: bool,
    /// The finish (or the provider's error) was sent: nothing follows.
    ended: bool,
    /// The open text or reasoning part.
    block: Option<(PartKind, String)>,
    next_part: u64,
    calls: u64,
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let mut line = Line::default();
        read_payload(data, &mut line, Line::scan)?;
        if self.ended {
            return Ok(());
        }
        if let Some(message) = line.error {
            self.parts.close_all(out);
            self.block = None;
            self.ended = true;
            out.push(Event::Error {
                message: message.into_owned(),
                kind: error_kind::PROVIDER_ERROR.to_owned(),
                raw: Some(data.to_owned()),
            });
            out.push(finish(FinishReason::Error, None, Usage::default()));
            return Ok(());
        }
        if !self.started {
            self.started = true;
            out.push(Event::StreamStart {
                id: None,
                model: line.model.map(Cow::into_owned),
                created: line.created_at.as_deref().and_then(super::time::rfc3339_seconds),
            });
        }
        let message = line.message.as_ref().map(|m| &m.0);
        let thinking = message.and_then(|m| m.thinking.as_deref()).or(line.thinking.as_deref());
        self.piece(PartKind::Reasoning, thinking.unwrap_or(""), out)?;
        let text = message.and_then(|m| m.content.as_deref()).or(line.response.as_deref());
        self.piece(PartKind::Text, text.unwrap_or(""), out)?;
        for call in message.and_then(|m| m.tool_calls.as_ref()).into_iter().flatten() {
            self.call(call, out)?;
        }
        if line.done == Some(true) {
            self.ended = true;
            self.parts.close_all(out);
            self.block = None;
            let raw = line.done_reason.map(Cow::into_owned);
            let reason = match raw.as_deref() {
                None | Some("stop") if self.calls > 0 => FinishReason::ToolCalls,
                None | Some("stop") => FinishReason::Stop,
                Some("length") => FinishReason::Length,
                Some(_) => FinishReason::Other,
            };
            let input = line.prompt_eval_count.unwrap_or(0);
            let output = line.eval_count.unwrap_or(0);
            let usage = Usage {
                input_tokens: input,
                output_tokens: output,
                total_tokens: input.saturating_add(output),
                ..Usage::default()
            };
            out.push(finish(reason, raw, usage));
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        if !std::mem::replace(&mut self.ended, true) {
            self.block = None;
            super::incomplete(&mut self.parts, &Usage::default(), out);
        }
    }

    fn parts_mut(&mut self) -> &mut Parts {
        &mut self.parts
    }
}

fn finish(reason: FinishReason, raw_reason: Option<String>, usage: Usage) -> Event {
    Event::Finish {
        reason,
        raw_reason,
        usage,
        provider_metadata_json: None,
    }
}

impl Decoder {
    /// A piece of text or thinking: into the open part of its kind, or a new one (closing the other).
    fn piece(&mut self, kind: PartKind, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if text.is_empty() {
            return Ok(());
        }
        let id = match self.block.take() {
            Some((open, id)) if open == kind => id,
            other => {
                if let Some((_, id)) = other {
                    self.parts.end(&id, None, out);
                }
                let id = self.next_part.to_string();
                self.next_part += 1;
                self.parts.start(kind, &id, "", false, out)?;
                id
            }
        };
        match kind {
            PartKind::Reasoning => self.parts.reasoning(&id, text, out)?,
            _ => self.parts.text(&id, text, out)?,
        }
        self.block = Some((kind, id));
        Ok(())
    }

    fn call(&mut self, call: &Obj<ToolCall<'_>>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some((_, id)) = self.block.take() {
            self.parts.end(&id, None, out);
        }
        let id = match &call.id {
            Some(id) => id.clone().into_owned(),
            None => format!("call_{}", self.calls),
        };
        self.calls += 1;
        let function = call.function.as_ref().map(|f| &f.0);
        let name = function.and_then(|f| f.name.as_deref()).unwrap_or("");
        self.parts.start(PartKind::ToolInput, &id, name, false, out)?;
        if let Some(args) = function.and_then(|f| f.arguments) {
            self.parts.tool_input(&id, args.get(), out);
        }
        self.parts.end(&id, None, out);
        Ok(())
    }
}
