//! streamdelta-core: bytes of an LLM API streaming response in, one provider-independent event
//! stream out. Pure Rust (no Python here); `streamdelta-python` wraps it.
//!
//! ```
//! use streamdelta_core::{Event, FinishReason, Family, Options, StreamParser};
//!
//! let body = concat!(
//!     "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
//!     "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n",
//!     "data: [DONE]\n\n",
//! );
//! let mut parser = StreamParser::new(Some(Family::OpenAiChat), Options::default());
//! let mut events = Vec::new();
//! // Network chunks may split the body anywhere.
//! let (first, rest) = body.as_bytes().split_at(30);
//! parser.feed(first, &mut events)?;
//! parser.feed(rest, &mut events)?;
//! parser.close(&mut events)?;
//!
//! let kinds: Vec<&str> = events.iter().map(Event::type_name).collect();
//! assert_eq!(
//!     kinds,
//!     ["stream_start", "text_start", "text_delta", "text_delta", "text_end", "finish"]
//! );
//! assert!(matches!(events.last(), Some(Event::Finish { reason: FinishReason::Stop, .. })));
//! assert_eq!(parser.message().text, "Hello");
//! # Ok::<(), streamdelta_core::Error>(())
//! ```
#![deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic))]

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod b64;
pub mod depth;
pub mod encode;
pub mod error;
pub mod events;
pub mod eventstream;
mod families;
pub mod framing;
pub mod json;
pub mod logprobs;
pub mod many;
pub mod message;
pub mod parser;
pub mod sse;
pub mod translate;

pub use encode::{Encoder, Target};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, FinishReason, PartId, Source, SourceKind, Usage};
pub use families::parts::DEFAULT_MAX_OPEN_PARTS;
pub use families::Family;
pub use message::{Message, Part};
pub use parser::{OnError, Options, StreamParser};
pub use translate::Translator;
