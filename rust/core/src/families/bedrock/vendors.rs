//! Invoke chunks of the text vendors (Meta Llama, Mistral, Amazon Titan, Cohere): each chunk is a
//! piece of text, and the last one names why generation stopped and carries Bedrock's invocation
//! metrics. The text is one part, id `0`; the chunk that names a stop reason ends the stream.
//!
//! Usage: the vendor's own counts (Llama's `prompt_token_count` / `generation_token_count`,
//! Titan's `inputTextTokenCount` / `totalOutputTextTokenCount`) as last reported, the invocation
//! metrics filling what they never gave. `finish.provider_metadata_json` is
//! `{"amazon-bedrock-invocationMetrics": …}` when they came.

use crate::error::ErrorKind;
use crate::events::Event;
use crate::families::anthropic::usage::{Counts, MetricsWire};
use crate::families::parts::Parts;
use crate::families::{parse_object, read_payload, Raw};

use super::finish_reason;
use super::wire::TextChunkWire;

const PART: &str = "0";

#[derive(Debug, Default)]
pub struct Decoder {
    pub(super) parts: Parts,
    counts: Counts,
    metrics_raw: Option<String>,
    finished: bool,
}

impl Decoder {
    pub fn chunk(&mut self, data: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        let mut chunk = TextChunkWire::default();
        read_payload(data, &mut chunk, TextChunkWire::scan)?;
        if self.finished {
            return Err(super::unexpected("a `chunk` after the end of the message".to_owned()));
        }
        let mut stop = chunk
            .stop_reason
            .as_deref()
            .or(chunk.completion_reason.as_deref())
            .or(chunk.finish_reason.as_deref());
        let texts = [
            chunk.generation.as_deref(),
            chunk.output_text.as_deref(),
            chunk.text.as_deref(),
        ];
        for text in texts.into_iter().flatten() {
            self.text(text, out)?;
        }
        for piece in chunk.outputs.iter().chain(chunk.generations.iter()).flatten() {
            self.text(piece.text.as_deref().unwrap_or(""), out)?;
            stop = stop.or(piece.stop_reason.as_deref()).or(piece.finish_reason.as_deref());
        }
        for choice in chunk.choices.iter().flatten() {
            for content in [&choice.message, &choice.delta].into_iter().flatten() {
                self.text(content.content.as_deref().unwrap_or(""), out)?;
            }
            stop = stop
                .or(choice.stop_reason.as_deref())
                .or(choice.finish_reason.as_deref());
        }
        self.counts.report([
            chunk.prompt_token_count.or(chunk.input_text_token_count),
            chunk.generation_token_count.or(chunk.output_text_token_count),
            None,
            None,
        ]);
        if let Some(raw) = chunk.metrics.and_then(Raw::object) {
            let wire: MetricsWire = parse_object(raw.get())?;
            self.counts.fill_from(&wire);
            self.metrics_raw = Some(raw.get().to_owned());
        }
        if let Some(reason) = stop {
            self.parts.close_all(out);
            out.push(Event::Finish {
                reason: finish_reason(Some(reason)),
                raw_reason: Some(reason.to_owned()),
                usage: self.counts.usage(),
                provider_metadata_json: crate::families::raw_object([(
                    "amazon-bedrock-invocationMetrics",
                    self.metrics_raw.as_deref(),
                )]),
            });
            self.finished = true;
        }
        Ok(())
    }

    fn text(&mut self, text: &str, out: &mut Vec<Event>) -> Result<(), ErrorKind> {
        if text.is_empty() {
            return Ok(());
        }
        self.parts.text(PART, text, out)
    }

    pub fn provider_error(&mut self, message: String, kind: String, raw: Option<String>, out: &mut Vec<Event>) {
        super::provider_error(&mut self.parts, &self.counts, [message, kind], raw, out);
        self.finished = true;
    }

    pub fn end(&mut self, out: &mut Vec<Event>) {
        if !self.finished {
            crate::families::incomplete(&mut self.parts, &self.counts.usage(), out);
            self.finished = true;
        }
    }
}
