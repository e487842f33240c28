//! streamdelta-core: bytes of an LLM API streaming response in, one provider-independent event
//! stream out. Pure Rust (no Python here); `streamdelta-python` wraps it.
#![deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic))]

pub mod depth;
pub mod error;
pub mod events;
pub mod eventstream;
mod families;
pub mod json;
pub mod message;
pub mod parser;
pub mod sse;

pub use error::{Error, ErrorKind, Result};
pub use events::{Event, FinishReason, PartId, Usage};
pub use families::parts::DEFAULT_MAX_OPEN_PARTS;
pub use families::Family;
pub use message::Message;
pub use parser::{OnError, Options, StreamParser};
