//! A lone JSON body: the error object a server sends instead of a stream with a 4xx or 5xx
//! (`{"error": {"message": ...}}` from most providers, `{"error": "..."}` from Ollama
//! and others, `{"object": "error", "message": ...}` from vLLM, `{"message": ...}` from AWS
//! Bedrock and Cohere). Recognised in whatever family was asked for, so that the provider's message is never
//! lost behind "incomplete stream".

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
        _ => aws_message(&body),
    }
}

/// The members an AWS REST-JSON error body is made of (Bedrock's 4xx and 5xx: `ValidationException`,
/// `AccessDeniedException`, ... carry only `message`); the error type, when named in the body and
/// not only in the `x-amzn-ErrorType` header, is `__type`. Bodies with anything else are not taken
/// for one, so that no stream's first value is.
const AWS_ERROR_MEMBERS: [&str; 3] = ["message", "Message", "__type"];

/// The message of an AWS error body, read as botocore's REST-JSON parser reads it: `message`, else
/// `Message`.
fn aws_message(body: &serde_json::Map<String, Value>) -> Option<String> {
    if !body.keys().all(|k| AWS_ERROR_MEMBERS.contains(&k.as_str())) {
        return None;
    }
    body.get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_owned)
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
