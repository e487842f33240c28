//! The Responses API's `response.*` events as sent (the fields the decoder reads).

use std::borrow::Cow;

use serde::Deserialize;

use crate::families::schema::wire;
use crate::families::{List, Raw};

wire! {
    pub(super) struct Payload<'a> {
        kind as "type": str,
        response: obj(Response<'a>),
        item: obj(Item<'a>),
        item_id: str,
        content_index: u64,
        summary_index: u64,
        delta: str,
        /// `output_text.delta`: its tokens' log probabilities, when asked for.
        logprobs: raw,
        annotation: rare(Annotation<'a>),
        code: str,
        message: str,
        error: rare(ResponseError<'a>),
        partial_image_b64: str,
        output_format: str,
    }
}

wire! {
    pub(super) struct Response<'a> {
        id: str,
        model: str,
        created_at: raw,
        status: str,
        usage: obj(ResponseUsage),
        incomplete_details: rare(IncompleteDetails<'a>),
        error: rare(ResponseError<'a>),
    }
}

wire! {
    pub(super) struct ResponseUsage {
        input_tokens: u64,
        output_tokens: u64,
        input_tokens_details: obj(InputDetails),
        output_tokens_details: obj(OutputDetails),
    }
}

wire! {
    pub(super) struct InputDetails {
        cached_tokens: u64,
    }
}

wire! {
    pub(super) struct OutputDetails {
        reasoning_tokens: u64,
    }
}

wire! {
    pub(super) struct Item<'a> {
        kind as "type": str,
        id: str,
        call_id: str,
        name: str,
        /// A JSON string (`function_call`) or an object (`tool_search_call`).
        arguments: raw,
        input: str,
        encrypted_content: str,
        action: raw,
        operation: raw,
        environment: raw,
        execution: str,
        status: str,
        // A hosted tool's input and result fields (see `Hosted` in the module).
        queries: raw,
        code: str,
        results: raw,
        outputs: raw,
        /// `image_generation_call`: the image, base64 in a JSON string.
        result: raw,
        output_format: str,
        output: raw,
        error: raw,
        tools: raw,
    }
}

/// A `code_interpreter_call`'s `outputs`, read leniently (an item of another JSON type is passed over).
#[derive(Debug, Deserialize)]
pub(super) struct CodeOutputs<'a>(
    #[serde(borrow, deserialize_with = "crate::families::schema::lenient_list")] pub(super) Option<List<CodeOutput<'a>>>,
);

/// One of a `code_interpreter_call`'s `outputs`: `{"type": "logs", "logs"}` or `{"type": "image", "url"}`.
#[derive(Debug, Deserialize)]
pub(super) struct CodeOutput<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "type"
    )]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) url: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct IncompleteDetails<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ResponseError<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) code: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) message: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Annotation<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "type"
    )]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) url: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) title: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) filename: Option<Cow<'a, str>>,
    /// What a document citation names and where it sits, kept as sent in the source's metadata.
    #[serde(borrow)]
    pub(super) file_id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) container_id: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) index: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) start_index: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(super) end_index: Option<Raw<'a>>,
}
