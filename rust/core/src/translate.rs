//! Bytes of one family in, bytes of another out: a [`StreamParser`] whose events go straight into
//! an [`Encoder`], never leaving Rust (a gateway needs the bytes, not the events).

use crate::encode::{Encoder, Target};
use crate::error::Result;
use crate::events::Event;
use crate::families::Family;
use crate::message::Message;
use crate::parser::{Options, StreamParser};

#[derive(Debug)]
pub struct Translator {
    parser: StreamParser,
    encoder: Encoder,
}

impl Translator {
    /// `family` is the input's (`None`: detected); `target` the output's.
    pub fn new(target: Target, family: Option<Family>, options: Options) -> Self {
        Self {
            parser: StreamParser::new(family, options),
            encoder: Encoder::new(target),
        }
    }

    /// Appends to `out` the bytes the chunk's events encode to. On a parse error `out` holds the
    /// bytes of the events before the fault (the parser stays usable, as `StreamParser` does).
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<()> {
        // The output is about as long as the input (0.5 to 0.9 of it over the corpus, per
        // target, but longer on a body of many short deltas: 108 of the 261 corpus bodies into
        // Responses): room for twice the input at once spares the doublings of a growing buffer,
        // each a reallocation and a copy (a tenth of a translation's time, perf); the room not
        // written is never touched.
        let room = chunk.len().saturating_mul(2);
        if out.is_empty() && out.capacity() < room {
            // Nothing in it to keep: a new buffer, where growing this one would copy its whole
            // capacity (five bodies larger than the buffer before them cost 0.38M instructions
            // so, callgrind, corpus into Responses).
            *out = Vec::with_capacity(room);
        } else {
            out.reserve(room);
        }
        let encoder = &mut self.encoder;
        self.parser.feed_with(chunk, &mut |events| {
            encode(encoder, events, out);
        })
    }

    /// Ends the input: the last events, then the end of the output.
    pub fn close(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let encoder = &mut self.encoder;
        self.parser.close_with(&mut |events| {
            encode(encoder, events, out);
        })?;
        self.encoder.close(out);
        Ok(())
    }

    /// The message assembled from the input so far.
    pub fn message(&self) -> &Message {
        self.parser.message()
    }
}

/// Encodes a payload's events, then drops them where they lie (taken out one by one, each was
/// moved before it was read, and the drain dropped after: 0.21M instructions over the corpus, callgrind).
fn encode(encoder: &mut Encoder, events: &mut Vec<Event>, out: &mut Vec<u8>) {
    for event in events.iter() {
        encoder.event(event, out);
    }
    events.clear();
}
