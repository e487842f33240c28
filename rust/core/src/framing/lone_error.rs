//! A lone JSON body: the error object a server sends instead of a stream with a 4xx or 5xx
//! (`{"error": {"message": ...}}` from most providers, `{"error": "..."}` from Ollama
//! and others, `{"object": "error", "message": ...}` from vLLM, `{"message": ...}` from AWS and
//! Cohere). Recognised in whatever family was
//! asked for, so that the provider's message is never lost behind "incomplete stream".

use serde_json::Value;

use crate::events::{error_kind, Event, FinishReason, Usage};
use crate::families::parse_json;

/// The provider's message when `data` (the first value of a body of JSON values) is an error
/// body: the `error` string, or its `message`; the whole body when it names no message.
fn provider_message(data: &str) -> Option<String> {
    // Within the depth limit only, so that serde's recursion limit and Python's never decide.
    crate::depth::check(data).ok()?;
    let Value::Object(body) = parse_json::<Value>(data).ok()? else {
        return None;
    };
    let message = |object: &serde_json::Map<String, Value>| {
        object
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| data.to_owned(), str::to_owned)
    };
    match body.get("error") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Object(error)) => Some(message(error)),
        _ if body.get("object").and_then(Value::as_str) == Some("error") => Some(message(&body)),
        // AWS (Bedrock) and Cohere: `{"message": "..."}` alone (no stream starts with a string `message`).
        _ => body.get("message").and_then(Value::as_str).map(str::to_owned),
    }
}

/// The events of an error body (`error(kind="provider_error")`, then `finish(reason="error")`), or
/// `false` when `data` is not one.
pub fn lone_error(data: &str, out: &mut Vec<Event>) -> bool {
    let Some(message) = provider_message(data) else {
        return false;
    };
    out.push(Event::Error {
        message,
        kind: error_kind::PROVIDER_ERROR.to_owned(),
        raw: Some(data.to_owned()),
    });
    out.push(Event::Finish {
        reason: FinishReason::Error,
        raw_reason: None,
        usage: Usage::default(),
        provider_metadata_json: None,
    });
    true
}
