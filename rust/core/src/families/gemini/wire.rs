//! `streamGenerateContent` chunks as sent (the fields the decoder reads).

use std::borrow::Cow;

use serde::Deserialize;

use crate::families::schema::wire;
use crate::families::{List, Obj};

wire! {
    pub(super) struct Chunk<'a> {
        candidates: list(Candidate<'a>),
        usage_metadata as "usageMetadata": obj(UsageMetadata),
        prompt_feedback as "promptFeedback": rare(Obj<PromptFeedback<'a>>),
        model_version as "modelVersion": str,
        response_id as "responseId": str,
        error: rare(Obj<ApiError<'a>>),
    }
}

wire! {
    pub(super) struct Candidate<'a> {
        content: obj(Content<'a>),
        finish_reason as "finishReason": str,
        index: u64,
        grounding_metadata as "groundingMetadata": rare(Obj<GroundingMetadata<'a>>),
    }
}

wire! {
    pub(super) struct Content<'a> {
        parts: list(Part<'a>),
    }
}

wire! {
    pub(super) struct Part<'a> {
        text: str,
        thought: bool,
        thought_signature as "thoughtSignature": str,
        function_call as "functionCall": obj(FunctionCall<'a>),
        /// Code the model ran with the code execution tool: `{"language", "code", "id"?}`.
        executable_code as "executableCode": raw,
        /// A built-in tool's call (Gemini 3): `{"toolType", "args"?, "id"?}`.
        tool_call as "toolCall": raw,
        /// What running `executableCode` gave: `{"outcome", "output"?, "id"?}`.
        code_execution_result as "codeExecutionResult": raw,
        /// A built-in tool's response (Gemini 3): `{"toolType", "response"?, "id"?}`.
        tool_response as "toolResponse": raw,
    }
}

/// The members of an `executableCode`, `toolCall`, `codeExecutionResult` or `toolResponse` the
/// decoder reads, read only when one comes.
#[derive(Debug, Deserialize)]
pub(super) struct ServerPart<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "toolType"
    )]
    pub(super) tool_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) args: Option<crate::families::Raw<'a>>,
    #[serde(borrow)]
    pub(super) response: Option<crate::families::Raw<'a>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) outcome: Option<Cow<'a, str>>,
}

wire! {
    pub(super) struct FunctionCall<'a> {
        id: str,
        name: str,
        args: raw,
    }
}

wire! {
    pub(super) struct UsageMetadata {
        prompt as "promptTokenCount": u64,
        candidates as "candidatesTokenCount": u64,
        thoughts as "thoughtsTokenCount": u64,
        cached_content as "cachedContentTokenCount": u64,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroundingMetadata<'a> {
    #[serde(borrow)]
    pub(super) grounding_chunks: Option<List<GroundingChunk<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroundingChunk<'a> {
    #[serde(borrow)]
    pub(super) web: Option<Obj<WebSource<'a>>>,
    #[serde(borrow)]
    pub(super) retrieved_context: Option<Obj<WebSource<'a>>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct WebSource<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) uri: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) title: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PromptFeedback<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) block_reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiError<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) message: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) status: Option<Cow<'a, str>>,
}
