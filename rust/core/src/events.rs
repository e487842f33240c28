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

/// One normalized event. Part ids tie starts, deltas and ends together.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StreamStart {
        id: Option<String>,
        model: Option<String>,
    },
    TextStart {
        id: PartId,
    },
    TextDelta {
        id: PartId,
        text: String,
    },
    TextEnd {
        id: PartId,
    },
    ReasoningStart {
        id: PartId,
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
    ToolInputStart {
        id: PartId,
        name: String,
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
    },
    Source {
        id: String,
        url: String,
        title: Option<String>,
    },
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
}

impl Event {
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
            Self::ToolInputStart { .. } => "tool_input_start",
            Self::ToolInputDelta { .. } => "tool_input_delta",
            Self::ToolInputEnd { .. } => "tool_input_end",
            Self::ToolCall { .. } => "tool_call",
            Self::Source { .. } => "source",
            Self::Finish { .. } => "finish",
            Self::Error { .. } => "error",
            Self::Unknown { .. } => "unknown",
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
