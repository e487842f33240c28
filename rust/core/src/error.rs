//! The one error type of the core: what went wrong and where in the byte stream.
//!
//! Messages follow jiter's voice (lower case, tokens in backticks). Python shows them verbatim,
//! and the pure-Python reference builds the very same text, so both backends raise identical errors.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A line of the event stream grew past the limit without a line end.
    LineTooLong { limit: usize },
    /// The `data` of one event grew past the limit.
    EventTooLarge { limit: usize },
    /// A payload that should be JSON is not; `detail` says why.
    InvalidJson { detail: String },
    /// A payload is JSON but not of the shape the wire family defines.
    UnexpectedPayload { detail: String },
    /// An AWS event-stream frame is malformed (bad length, bad CRC, bad header).
    BadFrame { detail: String },
    /// A JSON document asked for as a whole has not been completed; `detail` says what is open.
    IncompleteJson { detail: &'static str },
    /// A per-stream limit (open parts, nesting depth) was exceeded.
    LimitExceeded {
        what: &'static str,
        limit: usize,
        option: &'static str,
    },
    /// Input after the end of the stream: `close()` has been called.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// Absolute byte offset in the stream where the fault was found.
    pub offset: u64,
    /// Index of the (SSE or frame) event the fault belongs to, when known.
    pub event_index: Option<u64>,
    /// A short excerpt of the faulty input, when there is one.
    pub excerpt: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, offset: u64) -> Self {
        Self {
            kind,
            offset,
            event_index: None,
            excerpt: None,
        }
    }

    #[must_use]
    pub fn with_event_index(mut self, index: u64) -> Self {
        self.event_index = Some(index);
        self
    }

    #[must_use]
    pub fn with_excerpt(mut self, text: &str) -> Self {
        self.excerpt = Some(excerpt(text));
        self
    }
}

/// The first 60 characters of `text` on one line (CR and LF escaped), with `...` when cut.
pub fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut out = String::with_capacity(MAX_CHARS + 3);
    for (n, c) in text.chars().enumerate() {
        if n == MAX_CHARS {
            out.push_str("...");
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LineTooLong { limit } => write!(
                f,
                "line longer than `max_event_bytes` ({limit} bytes); raise `max_event_bytes` to accept it"
            ),
            Self::EventTooLarge { limit } => write!(
                f,
                "event data larger than `max_event_bytes` ({limit} bytes); raise `max_event_bytes` to accept it"
            ),
            Self::InvalidJson { detail } => write!(f, "invalid JSON payload: {detail}"),
            Self::IncompleteJson { detail } => write!(f, "incomplete JSON document: EOF while parsing {detail}"),
            Self::UnexpectedPayload { detail } => write!(f, "unexpected payload: {detail}"),
            Self::BadFrame { detail } => write!(f, "bad event-stream frame: {detail}"),
            Self::LimitExceeded { what, limit, option } => {
                write!(f, "more than {limit} {what}; raise `{option}` to accept it")
            }
            Self::Closed => f.write_str("`feed()` after `close()`: the stream has ended"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)?;
        if let Some(index) = self.event_index {
            write!(f, ", event {index}")?;
        }
        if let Some(text) = &self.excerpt {
            write!(f, ", near `{text}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
