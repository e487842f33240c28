//! The chunks of the legacy `POST /v1/completions` with `stream: true` (the fields the decoder reads;
//! `logprobs` is passed over).

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
    }
}
