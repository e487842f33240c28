//! The final response assembled from the normalized events: a pure function of the event stream,
//! the same for every family.

use crate::events::{Event, FinishReason, Usage};

#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallRecord {
    pub id: String,
    pub name: String,
    pub arguments: String,
    pub provider_executed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub id: String,
    pub url: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    pub message: String,
    pub kind: String,
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub id: Option<String>,
    pub model: Option<String>,
    /// All text parts, concatenated.
    pub text: String,
    /// All reasoning parts, concatenated.
    pub reasoning: String,
    /// The signatures of the reasoning parts, in order (redacted data included).
    pub reasoning_signatures: Vec<String>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub sources: Vec<SourceRecord>,
    pub finish_reason: Option<FinishReason>,
    pub raw_finish_reason: Option<String>,
    pub usage: Option<Usage>,
    pub provider_metadata_json: Option<String>,
    pub errors: Vec<ErrorRecord>,
}

impl Message {
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::StreamStart { id, model } => {
                if id.is_some() {
                    self.id.clone_from(id);
                }
                if model.is_some() {
                    self.model.clone_from(model);
                }
            }
            Event::TextDelta { text, .. } => self.text.push_str(text),
            Event::ReasoningDelta { text, .. } => self.reasoning.push_str(text),
            Event::ReasoningEnd {
                signature: Some(signature),
                ..
            } => self.reasoning_signatures.push(signature.clone()),
            Event::ToolCall {
                id,
                name,
                arguments,
                provider_executed,
            } => self.tool_calls.push(ToolCallRecord {
                id: id.to_string(),
                name: name.clone(),
                arguments: arguments.clone(),
                provider_executed: *provider_executed,
            }),
            Event::Source { id, url, title } => self.sources.push(SourceRecord {
                id: id.clone(),
                url: url.clone(),
                title: title.clone(),
            }),
            Event::Finish {
                reason,
                raw_reason,
                usage,
                provider_metadata_json,
            } => {
                self.finish_reason = Some(*reason);
                self.raw_finish_reason.clone_from(raw_reason);
                self.usage = Some(usage.clone());
                self.provider_metadata_json.clone_from(provider_metadata_json);
            }
            Event::Error { message, kind, raw } => self.errors.push(ErrorRecord {
                message: message.clone(),
                kind: kind.clone(),
                raw: raw.clone(),
            }),
            _ => {}
        }
    }
}
