//! The JSON payloads of Bedrock's event-stream frames: Invoke's `chunk` wrapper and the inner JSON
//! of the vendors other than Anthropic, Converse's events, exceptions.

use std::borrow::Cow;

use serde::Deserialize;

use crate::families::schema::wire;

/// A `chunk` event frame's payload: one event of the model's own API, base64-encoded.
#[derive(Deserialize)]
pub(super) struct ChunkWire<'a> {
    #[serde(borrow)]
    pub(super) bytes: Cow<'a, str>,
}

#[derive(Deserialize)]
pub(super) struct ExceptionWire<'a> {
    #[serde(borrow)]
    pub(super) message: Option<Cow<'a, str>>,
}

wire! {
    /// The first `chunk` of an Invoke stream, read only for the members that tell its vendor.
    pub(super) struct VendorProbe<'a> {
        kind as "type": raw,
        message_start as "messageStart": raw,
        block_start as "contentBlockStart": raw,
        block_delta as "contentBlockDelta": raw,
        block_stop as "contentBlockStop": raw,
        message_stop as "messageStop": raw,
        metadata: raw,
        generation: raw,
        outputs: raw,
        choices: raw,
        output_text as "outputText": raw,
        generations: raw,
        is_finished: raw,
        event_type: raw,
    }
}

wire! {
    /// One Converse event (the frame's `:event-type` names it), or one member of an Amazon Nova
    /// Invoke chunk.
    pub(super) struct ConverseWire<'a> {
        index as "contentBlockIndex": u64,
        start: obj(StartWire<'a>),
        delta: obj(DeltaWire<'a>),
        stop_reason as "stopReason": str,
        additional as "additionalModelResponseFields": raw,
        usage: raw,
        metrics: raw,
    }
}

wire! {
    pub(super) struct StartWire<'a> {
        tool_use as "toolUse": obj(ToolStartWire<'a>),
        tool_result as "toolResult": raw,
    }
}

/// The members of a `toolResult` start the decoder reads, read only when one comes.
#[derive(Debug, Deserialize)]
pub(super) struct ResultStartWire<'a> {
    #[serde(
        borrow,
        default,
        deserialize_with = "crate::families::schema::lenient_str",
        rename = "toolUseId"
    )]
    pub(super) id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::families::schema::lenient_str")]
    pub(super) status: Option<Cow<'a, str>>,
}

wire! {
    pub(super) struct ToolStartWire<'a> {
        id as "toolUseId": str,
        name: str,
        kind as "type": str,
    }
}

wire! {
    pub(super) struct DeltaWire<'a> {
        text: str,
        tool_use as "toolUse": obj(ToolDeltaWire<'a>),
        /// A piece of a tool result: an array of `{"json"}` / `{"text"}` items.
        tool_result as "toolResult": raw,
        reasoning as "reasoningContent": obj(ReasoningWire<'a>),
        citation: obj(CitationWire<'a>),
    }
}

wire! {
    pub(super) struct ToolDeltaWire<'a> {
        input: str,
    }
}

wire! {
    pub(super) struct ReasoningWire<'a> {
        text: str,
        signature: str,
        redacted as "redactedContent": str,
    }
}

wire! {
    pub(super) struct CitationWire<'a> {
        title: str,
        location: obj(LocationWire<'a>),
    }
}

wire! {
    pub(super) struct LocationWire<'a> {
        web: obj(WebWire<'a>),
    }
}

wire! {
    pub(super) struct WebWire<'a> {
        url: str,
    }
}

wire! {
    /// Converse's token counts.
    pub(super) struct ConverseUsageWire {
        input as "inputTokens": u64,
        output as "outputTokens": u64,
        cache_read as "cacheReadInputTokens": u64,
        cache_write as "cacheWriteInputTokens": u64,
    }
}

wire! {
    /// An Amazon Nova Invoke chunk: one Converse event under its name, and on the last one
    /// Bedrock's invocation metrics.
    pub(super) struct NovaWire<'a> {
        message_start as "messageStart": raw,
        block_start as "contentBlockStart": raw,
        block_delta as "contentBlockDelta": raw,
        block_stop as "contentBlockStop": raw,
        message_stop as "messageStop": raw,
        metadata: raw,
        metrics as "amazon-bedrock-invocationMetrics": raw,
    }
}

wire! {
    /// An Invoke chunk of a text vendor, every vendor's members in one struct (no two vendors share
    /// a name): Meta Llama (`generation`, token counts, `stop_reason`), Mistral (`outputs`, or
    /// `choices` for its chat models), Amazon Titan (`outputText`, token counts,
    /// `completionReason`), Cohere (`text` and `finish_reason`, or `generations`).
    pub(super) struct TextChunkWire<'a> {
        generation: str,
        prompt_token_count: u64,
        generation_token_count: u64,
        stop_reason: str,
        outputs: list(PieceWire<'a>),
        choices: list(ChoiceWire<'a>),
        output_text as "outputText": str,
        input_text_token_count as "inputTextTokenCount": u64,
        output_text_token_count as "totalOutputTextTokenCount": u64,
        completion_reason as "completionReason": str,
        text: str,
        finish_reason: str,
        generations: list(PieceWire<'a>),
        metrics as "amazon-bedrock-invocationMetrics": raw,
    }
}

wire! {
    /// One of Mistral's `outputs` or Cohere's `generations`.
    pub(super) struct PieceWire<'a> {
        text: str,
        stop_reason: str,
        finish_reason: str,
    }
}

wire! {
    /// One of Mistral's chat `choices`.
    pub(super) struct ChoiceWire<'a> {
        message: obj(ContentWire<'a>),
        delta: obj(ContentWire<'a>),
        stop_reason: str,
        finish_reason: str,
    }
}

wire! {
    pub(super) struct ContentWire<'a> {
        content: str,
    }
}
