//! The normalized event model: what every wire family is mapped onto (DESIGN.md, "Normalized events").

/// Why a response ended, one vocabulary for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    Error,
    Other,
}

impl FinishReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::ContentFilter => "content_filter",
            Self::Error => "error",
            Self::Other => "other",
        }
    }
}

/// What a `source` points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Url,
    Document,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Document => "document",
        }
    }
}

/// Token usage with one meaning for every provider (DESIGN.md): `input_tokens` counts every prompt
/// token, cached or not; `output_tokens` every generated token, reasoning included.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub reasoning_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub cost: Option<f64>,
}

/// The id of a part (text, reasoning, tool call): shared by its start, every delta and its end
/// rather than copied into each (one allocation per delta less; measured in docs/performance.md).
pub type PartId = std::sync::Arc<str>;

/// A citation or search source; offsets, cited text and file ids stay in the metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub kind: SourceKind,
    /// Always set for `url` sources; documents may have none.
    pub url: Option<String>,
    pub title: Option<String>,
    pub media_type: Option<String>,
    pub filename: Option<String>,
    pub provider_metadata_json: Option<String>,
}

/// One normalized event. Part ids tie starts, deltas and ends together.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StreamStart {
        id: Option<String>,
        model: Option<String>,
        /// Creation time in unix seconds, when the wire says.
        created: Option<i64>,
    },
    /// `choice` (on every start) is the choice index: 0 unless the request asked for n > 1.
    TextStart {
        id: PartId,
        choice: u32,
    },
    TextDelta {
        id: PartId,
        text: String,
        /// The log probabilities of the delta's tokens, when the request asked for them: the wire's
        /// JSON array exactly as sent (`OpenAI` chat `choices[].logprobs.content`, Responses
        /// `logprobs`), or the legacy completions' object of parallel lists (`choices[].logprobs`);
        /// `None` when absent or empty. Parsed by nobody here: it costs one `None`.
        logprobs: Option<String>,
    },
    TextEnd {
        id: PartId,
    },
    ReasoningStart {
        id: PartId,
        choice: u32,
    },
    ReasoningDelta {
        id: PartId,
        text: String,
    },
    ReasoningEnd {
        id: PartId,
        signature: Option<String>,
        redacted: bool,
    },
    /// The model declines (`OpenAI`'s `refusal`): kept apart from text.
    RefusalStart {
        id: PartId,
        choice: u32,
    },
    RefusalDelta {
        id: PartId,
        text: String,
        /// As on `TextDelta` (chat `choices[].logprobs.refusal`).
        logprobs: Option<String>,
    },
    RefusalEnd {
        id: PartId,
    },
    ToolInputStart {
        id: PartId,
        name: String,
        choice: u32,
        provider_executed: bool,
    },
    ToolInputDelta {
        id: PartId,
        delta: String,
    },
    ToolInputEnd {
        id: PartId,
    },
    ToolCall {
        id: PartId,
        name: String,
        /// The complete arguments as JSON text, exactly as sent (`{}` when none were sent).
        arguments: String,
        provider_executed: bool,
        /// The wire's own type for a call that is not the family's plain function call (Responses
        /// `custom_tool_call`, `apply_patch_call`, `web_search_call`, ...): what a request writes it
        /// back as. `None` for a plain function call, and for every family that has one kind only.
        call_type: Option<String>,
    },
    /// The result of a tool the provider ran (web search, code execution, MCP, ...).
    ToolResult {
        /// The id of the call it answers.
        id: PartId,
        name: String,
        /// The result as raw JSON text, exactly as sent.
        result: String,
        is_error: bool,
        provider_executed: bool,
    },
    /// Generated media (an image, audio): `data` decoded from the wire's base64.
    File {
        id: String,
        media_type: String,
        data: Vec<u8>,
        /// A preview (`OpenAI`'s partial images), not the final file.
        partial: bool,
    },
    /// A citation or search source. Boxed: held inline it was the largest variant and made every
    /// event 152 bytes, past the moves the compiler writes inline (each move of an event became a
    /// `memcpy` call; callgrind, openai-chat corpus).
    Source(Box<Source>),
    Finish {
        reason: FinishReason,
        raw_reason: Option<String>,
        usage: Usage,
        /// Provider-specific extras as raw JSON text, parsed only when asked for.
        provider_metadata_json: Option<String>,
    },
    Error {
        message: String,
        kind: String,
        /// The provider's error payload as raw JSON text, when there was one.
        raw: Option<String>,
    },
    /// A payload, item or content block the decoder does not model (tolerant reader): its type
    /// and its JSON text exactly as sent.
    Unknown {
        kind: String,
        raw: String,
    },
    /// One payload exactly as sent, ahead of the events it produced (only with `include_raw`).
    Raw {
        data: String,
    },
}

impl Event {
    /// A `source` of kind `url`, with nothing more than a title.
    pub fn url_source(id: String, url: String, title: Option<String>) -> Self {
        Self::Source(Box::new(Source {
            id,
            kind: SourceKind::Url,
            url: Some(url),
            title,
            media_type: None,
            filename: None,
            provider_metadata_json: None,
        }))
    }

    /// The `type` string of the event, as in `to_dict()`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::StreamStart { .. } => "stream_start",
            Self::TextStart { .. } => "text_start",
            Self::TextDelta { .. } => "text_delta",
            Self::TextEnd { .. } => "text_end",
            Self::ReasoningStart { .. } => "reasoning_start",
            Self::ReasoningDelta { .. } => "reasoning_delta",
            Self::ReasoningEnd { .. } => "reasoning_end",
            Self::RefusalStart { .. } => "refusal_start",
            Self::RefusalDelta { .. } => "refusal_delta",
            Self::RefusalEnd { .. } => "refusal_end",
            Self::ToolInputStart { .. } => "tool_input_start",
            Self::ToolInputDelta { .. } => "tool_input_delta",
            Self::ToolInputEnd { .. } => "tool_input_end",
            Self::ToolCall { .. } => "tool_call",
            Self::ToolResult { .. } => "tool_result",
            Self::File { .. } => "file",
            Self::Source(_) => "source",
            Self::Finish { .. } => "finish",
            Self::Error { .. } => "error",
            Self::Unknown { .. } => "unknown",
            Self::Raw { .. } => "raw",
        }
    }
}

/// Error kinds the library itself reports as `error` events.
pub mod error_kind {
    /// The stream ended before its terminal event.
    pub const INCOMPLETE_STREAM: &str = "incomplete_stream";
    /// A payload could not be parsed and the parser was made with `on_error="emit"`.
    pub const PARSE_ERROR: &str = "parse_error";
    /// The provider sent an error: mid-stream, or as a lone JSON body instead of a stream.
    pub const PROVIDER_ERROR: &str = "provider_error";
}
