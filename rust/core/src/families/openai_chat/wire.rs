//! The chunks of `POST /chat/completions` as sent (the fields the decoder reads).

use serde::Deserialize;

use crate::families::schema::wire;
use crate::families::Obj;

wire! {
    pub(in crate::families) struct Chunk<'a> {
        id: str,
        model: str,
        created: raw,
        /// Marked with the fields read before it, for the template (`super::template`).
        choices: list(Choice<'a>) mark(seen_at_choices),
        usage: raw,
        x_groq: obj(XGroq<'a>),
        error: raw,
        /// Perplexity: the URLs the answer cites, repeated on every chunk (read by `super::cites`).
        citations: raw,
        /// Perplexity: what its search found (`url`, `title`), repeated on every chunk.
        search_results: raw,
    }
}

wire! {
    pub(in crate::families) struct XGroq<'a> {
        usage: raw,
    }
}

wire! {
    pub(in crate::families) struct Choice<'a> {
        index: u64,
        /// Marked with where its value begins and the fields read by then, for the template.
        delta: obj(Delta<'a>) mark(delta_at),
        finish_reason: str,
        /// Token log probabilities, when asked for: read by `super::TokenLogprobs` only when sent.
        logprobs: raw,
    }
}

wire! {
    /// A choice's `logprobs`: the lists of the tokens of its `content` and of its `refusal`.
    pub(in crate::families) struct ChoiceLogprobs<'a> {
        content: raw,
        refusal: raw,
    }
}

wire! {
    pub(in crate::families) struct Delta<'a> {
        /// Text, or (Mistral Magistral) a list of typed chunks.
        content: str_or_list(ContentChunk<'a>),
        refusal: str,
        reasoning_content: str,
        reasoning: str,
        reasoning_details: list(Detail<'a>),
        tool_calls: list(ToolCallDelta<'a>),
        /// The deprecated single `function_call`: handled as tool call index 0.
        function_call: obj(FunctionDelta<'a>),
        provider_metadata: raw,
        /// `url_citation` annotations (`OpenAI` search models, `OpenRouter` web search), read by
        /// `super::cites`.
        annotations: raw,
        /// `OpenRouter`'s generated images (`super::media`), read only when sent: a list read with
        /// the chunk would make every `Delta` 64 bytes larger.
        images: raw,
        /// `OpenAI`'s audio output (`super::media`), read only when sent.
        audio: raw,
    }
}

/// One of `delta.images`: `{"type": "image_url", "image_url": {"url": "data:…;base64,…"}}`.
#[derive(Debug, Deserialize)]
pub(in crate::families) struct Image<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_obj")]
    pub(in crate::families) image_url: Option<Obj<ImageUrl<'a>>>,
}

#[derive(Debug, Deserialize)]
pub(in crate::families) struct ImageUrl<'a> {
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(in crate::families) url: Option<std::borrow::Cow<'a, str>>,
}

wire! {
    /// A `delta.audio`: the first carries the `id`, later ones base64 `data` and `transcript` text.
    pub(in crate::families) struct AudioDelta<'a> {
        id: str,
        data: str,
        transcript: str,
    }
}

wire! {
    pub(in crate::families) struct ContentChunk<'a> {
        kind as "type": str,
        text: str,
        thinking: list(ThinkingChunk<'a>),
    }
}

wire! {
    pub(in crate::families) struct ThinkingChunk<'a> {
        kind as "type": str,
        text: str,
    }
}

wire! {
    pub(in crate::families) struct Detail<'a> {
        kind as "type": str,
        text: str,
        summary: str,
        data: str,
        signature: str,
    }
}

wire! {
    pub(in crate::families) struct ToolCallDelta<'a> {
        index: u64,
        id: str,
        kind as "type": str,
        function: obj(FunctionDelta<'a>),
    }
}

wire! {
    pub(in crate::families) struct FunctionDelta<'a> {
        name: str,
        arguments: str,
    }
}

/// A chunk's `error`: an object, or (some servers) a message alone.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum WireError {
    Object(Obj<ErrorObject>),
    Message(String),
}

#[derive(Deserialize)]
pub(super) struct ErrorObject {
    #[serde(default, deserialize_with = "crate::families::schema::lenient_string")]
    pub(super) message: Option<String>,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::families::schema::lenient_string"
    )]
    pub(super) kind: Option<String>,
    pub(super) code: Option<ErrorCode>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ErrorCode {
    Int(i64),
    UInt(u64),
    Text(String),
    Other(serde::de::IgnoredAny),
}
