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

use super::openai_chat::{self, wire as chat};
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

impl Decoder {
    /// A chunk that sent logprobs: chat's events, then each choice's object put on the text delta
    /// its text made. A completion choice has no other text than `text`, and an empty one makes no
    /// delta, so the chunk's text deltas are its choices with text, in order. Apart, so that chat's
    /// decoder stays as it is and a chunk without logprobs costs one check a choice.
    #[cold]
    fn with_logprobs(&mut self, chunk: Chunk<'_>, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let objects: Vec<Option<&str>> = chunk
            .choices
            .iter()
            .flatten()
            .filter(|c| c.text.as_deref().is_some_and(|t| !t.is_empty()))
            .map(|c| logprobs_object(c.logprobs))
            .collect();
        let from = out.len();
        self.0.apply(&as_chat(chunk), out)?;
        let deltas = out.iter_mut().skip(from).filter_map(|e| match e {
            Event::TextDelta { logprobs, .. } => Some(logprobs),
            _ => None,
        });
        for (slot, object) in deltas.zip(objects) {
            *slot = object.map(str::to_owned);
        }
        Ok(())
    }
}

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(result) = self.0.terminal(data, out) {
            return result;
        }
        let mut chunk = Chunk::default();
        read_payload(data, &mut chunk, Chunk::scan)?;
        // `"logprobs":null`, sent on every chunk when not asked for, reads as `None`.
        if chunk.choices.iter().flatten().any(|c| c.logprobs.is_some()) {
            return self.with_logprobs(chunk, out);
        }
        self.0.apply(&as_chat(chunk), out)
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        self.0.end(out);
    }

    fn parts_mut(&mut self) -> &mut Parts {
        self.0.parts_mut()
    }
}
