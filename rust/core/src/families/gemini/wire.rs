//! `streamGenerateContent` chunks as sent (the fields the decoder reads).

use std::borrow::Cow;

use serde::Deserialize;

use crate::families::schema::wire;
use crate::families::{List, Obj, Raw};

wire! {
    pub(super) struct Chunk<'a> {
        candidates: list(Candidate<'a>),
        usage_metadata as "usageMetadata": obj(UsageMetadata),
        prompt_feedback as "promptFeedback": rare(PromptFeedback<'a>),
        model_version as "modelVersion": str,
        response_id as "responseId": str,
        error: rare(ApiError<'a>),
    }
}

wire! {
    pub(super) struct Candidate<'a> {
        content: obj(Content<'a>),
        finish_reason as "finishReason": str,
        index: u64,
        grounding_metadata as "groundingMetadata": rare(GroundingMetadata<'a>),
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
        /// Generated media (image models, TTS): `{"mimeType", "data"}`, the data base64.
        inline_data as "inlineData": raw,
    }
}

/// The members of an `inlineData` the decoder reads, read only when one comes.
#[derive(Debug, Deserialize)]
pub(super) struct InlineData<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "mimeType"
    )]
    pub(super) mime_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) data: Option<Cow<'a, str>>,
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
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_list")]
    pub(super) grounding_chunks: Option<List<GroundingChunk<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroundingChunk<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_obj")]
    pub(super) web: Option<Obj<WebSource<'a>>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_obj")]
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

/// The same chunk read again for the text of its grounding chunks' `retrievedContext` as sent, the
/// metadata of a document source. Only a chunk that cites a document is read twice; the shapes are
/// those the first reading checked, so this one fails only where that one did.
#[derive(Debug, Deserialize)]
pub(super) struct RetrievedTexts<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_list")]
    candidates: Option<List<RetrievedCandidate<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrievedCandidate<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_obj")]
    grounding_metadata: Option<Obj<RetrievedGrounding<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrievedGrounding<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_list")]
    grounding_chunks: Option<List<RetrievedChunk<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetrievedChunk<'a> {
    #[serde(borrow)]
    retrieved_context: Option<Raw<'a>>,
}

impl<'a> RetrievedTexts<'a> {
    /// The `retrievedContext` of grounding chunk `chunk` of candidate `candidate`, as sent.
    pub(super) fn get(&self, candidate: usize, chunk: usize) -> Option<&'a str> {
        let candidate = self.candidates.as_ref()?.get(candidate)?;
        let chunks = candidate.grounding_metadata.as_ref()?.grounding_chunks.as_ref()?;
        chunks.get(chunk)?.retrieved_context.map(Raw::get)
    }
}
