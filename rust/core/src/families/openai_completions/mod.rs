//! The `openai-completions` wire family: the legacy `POST /v1/completions` with `stream: true`
//! (`object: "text_completion"`, `choices[].text`), still served by `OpenAI` (`gpt-3.5-turbo-instruct`),
//! vLLM and TGI-style servers.
//!
//! A completion chunk is a chat chunk whose choices carry their text where chat puts
//! `delta.content`; everything else (ids, choices, `[DONE]`, the trailing usage chunk, `usage`'s
//! meaning, an `error` object, when the finish comes) is chat's, so each chunk is read with its own
//! schema and handed to the `openai-chat` decoder in chat's shape: the decisions listed in
//! `openai_chat` hold here as they are, but for the token logprobs: a choice's `logprobs` is an
//! object of parallel lists (`{tokens, token_logprobs, top_logprobs, text_offset}`), put as sent on
//! the choice's text delta when it holds a member (`crate::logprobs` joins such objects member by
//! member on the part and the message); a choice with logprobs and no text passes them over, as chat.
//! The Python twin, `reference/families/openai_completions.py`, does the same.

#[cfg(test)]
mod tests;
mod wire;

use crate::error::ErrorKind;
use crate::events::Event;

use super::openai_chat::{self, wire as chat, TokenLogprobs};
use super::parts::Parts;
use super::{logprobs_object, read_payload, FamilyDecoder, Obj};
use wire::Chunk;

#[derive(Debug, Default)]
pub struct Decoder(openai_chat::Decoder);

/// The chat chunk that says what `chunk` says.
fn as_chat(chunk: Chunk<'_>) -> chat::Chunk<'_> {
    let choices = chunk.choices.map(|choices| {
        choices
            .into_iter()
            .map(|Obj(choice)| {
                Obj(chat::Choice {
                    index: choice.index,
                    delta: choice.text.map(|text| {
                        Obj(chat::Delta {
                            content: Some(crate::families::schema::StrOrList::Str(text)),
                            ..chat::Delta::default()
                        })
                    }),
                    finish_reason: choice.finish_reason,
                    // Read by `payload`'s reader of logprobs, not chat's.
                    logprobs: choice.logprobs,
                    ..chat::Choice::default()
                })
            })
            .collect()
    });
    chat::Chunk {
        id: chunk.id,
        model: chunk.model,
        choices,
        usage: chunk.usage,
        error: chunk.error,
        ..chat::Chunk::default()
    }
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(result) = self.0.terminal(data, out) {
            return result;
        }
        let mut chunk = Chunk::default();
        read_payload(data, &mut chunk, Chunk::scan)?;
        self.0
            .apply_with(&as_chat(chunk), out, |_, raw| TokenLogprobs::text(logprobs_object(raw)))
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        self.0.end(out);
    }

    fn parts_mut(&mut self) -> &mut Parts {
        self.0.parts_mut()
    }
}
