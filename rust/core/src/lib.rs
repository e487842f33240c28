//! streamdelta-core: bytes of an LLM API streaming response in, one provider-independent event
//! stream out. Pure Rust (no Python here); `streamdelta-python` wraps it.
#![deny(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic))]

pub mod error;
pub mod sse;

pub use error::{Error, ErrorKind, Result};
pub mod json;
