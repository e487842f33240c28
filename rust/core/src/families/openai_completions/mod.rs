//! The `openai-completions` wire family: the legacy `POST /v1/completions` with `stream: true`
//! (`object: "text_completion"`, `choices[].text`), still served by `OpenAI` (`gpt-3.5-turbo-instruct`),
//! vLLM and TGI-style servers.
//!
//! A completion chunk is a chat chunk whose choices carry their text where chat puts
//! `delta.content`; everything else (ids, choices, `[DONE]`, the trailing usage chunk, `usage`'s
//! meaning, an `error` object, when the finish comes) is chat's, so each chunk is read with its own
//! schema and handed to the `openai-chat` decoder in chat's shape: the decisions listed in
//! `openai_chat` hold here as they are. `logprobs` is passed over (no event carries it yet).
//! The Python twin, `reference/families/openai_completions.py`, does the same.

#[cfg(test)]
mod tests;
mod wire;

use crate::error::ErrorKind;
use crate::events::Event;

use super::openai_chat::{self, wire as chat};
use super::parts::Parts;
use super::{read_payload, FamilyDecoder, Obj};
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

impl FamilyDecoder for Decoder {
    fn payload(&mut self, _event: &str, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if let Some(result) = self.0.terminal(data, out) {
            return result;
        }
        let mut chunk = Chunk::default();
        read_payload(data, &mut chunk, Chunk::scan)?;
        self.0.apply(&as_chat(chunk), out)
    }

    fn end(&mut self, out: &mut Vec<Event>) {
        self.0.end(out);
    }

    fn parts_mut(&mut self) -> &mut Parts {
        self.0.parts_mut()
    }
}
