//! The chunks of the legacy `POST /v1/completions` with `stream: true` (the fields the decoder reads).

use crate::families::schema::wire;

wire! {
    pub(super) struct Chunk<'a> {
        id: str,
        model: str,
        choices: list(Choice<'a>),
        usage: raw,
        error: raw,
    }
}

wire! {
    pub(super) struct Choice<'a> {
        index: u64,
        text: str,
        finish_reason: str,
        /// `{tokens, token_logprobs, top_logprobs, text_offset}` when asked for: kept as sent.
        logprobs: raw,
    }
}
