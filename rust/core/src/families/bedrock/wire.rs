//! The JSON payloads of Bedrock's event-stream frames.

use std::borrow::Cow;

use serde::Deserialize;

/// A `chunk` event frame's payload: one Anthropic event, base64-encoded.
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
