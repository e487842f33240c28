//! One response stream: framing, the family decoder (chosen or detected), and the assembled message.

use crate::error::{Error, ErrorKind, Result};
use crate::events::{error_kind, Event, PartId, Usage};
use crate::eventstream::{EventStreamDecoder, FrameRef};
use crate::families::parts::DEFAULT_MAX_OPEN_PARTS;
use crate::families::{bedrock, cut_short, detect, mismatch, AnyDecoder, Family};
use crate::framing::{self, JsonValueRef, JsonValues, Shape};
use crate::message::Message;
use crate::sse::{SseEventRef, SseTokenizer, DEFAULT_MAX_EVENT_BYTES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// A faulty payload raises (the events before it are kept, the parser stays usable).
    Raise,
    /// A faulty payload becomes an `error` event of kind `parse_error`.
    Emit,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub max_event_bytes: usize,
    pub on_error: OnError,
    /// How many parts (text, reasoning, tool calls) may be open at once.
    pub max_open_parts: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            on_error: OnError::Raise,
            max_open_parts: DEFAULT_MAX_OPEN_PARTS,
        }
    }
}

/// How the body is cut into payloads.
#[derive(Debug)]
enum Framing {
    /// Before the first byte, which decides (see [`Framing::sniff`]).
    Undecided,
    Sse(SseTokenizer),
    EventStream(EventStreamDecoder),
    /// NDJSON, a lone JSON body, or a JSON array's items.
    Json(JsonValues),
}

impl Framing {
    /// The framing of a body that starts with `first`: `[` a JSON array, `{` NDJSON or a lone JSON
    /// body (an error a server sends for any family), a NUL an event-stream prelude (its total
    /// length is under 16 MiB; SSE text never starts so), else SSE. `bedrock` is event-stream.
    fn sniff(first: u8, family: Option<Family>, max_event_bytes: usize) -> Self {
        match (framing::sniff(first), family) {
            (Some(shape), _) => Self::Json(JsonValues::new(shape, max_event_bytes)),
            (None, None | Some(Family::Bedrock)) if first == 0 || family.is_some() => {
                Self::EventStream(EventStreamDecoder::new(max_event_bytes))
            }
            // A response body is finite: its last event counts even without the blank line.
            (None, _) => Self::Sse(SseTokenizer::new(max_event_bytes, true)),
        }
    }
}

#[derive(Debug)]
pub struct StreamParser {
    /// The requested family; `None` for auto-detection.
    requested: Option<Family>,
    framing: Framing,
    decoder: Option<AnyDecoder>,
    options: Options,
    assembly: Assembly,
    /// The events of the payload being read, before they are handed out (kept for its capacity).
    pending: Vec<Event>,
    closed: bool,
    /// The body was a provider's lone error: its events are out, nothing else follows.
    answered: bool,
    /// A payload came (the first one is checked against the family asked for).
    seen_payload: bool,
}

impl StreamParser {
    pub fn new(family: Option<Family>, options: Options) -> Self {
        Self {
            requested: family,
            framing: Framing::Undecided,
            decoder: family.map(|f| AnyDecoder::with_max_open_parts(f, options.max_open_parts)),
            options,
            assembly: Assembly::default(),
            pending: Vec::new(),
            closed: false,
            answered: false,
            seen_payload: false,
        }
    }

    /// The family in use: the one asked for, or the one detected (once the first payload came).
    pub fn family(&self) -> Option<Family> {
        match (&self.framing, self.requested) {
            (_, Some(family)) => Some(family),
            (Framing::EventStream(_), None) => Some(Family::Bedrock),
            (_, None) => self.decoder.as_ref().map(AnyDecoder::family),
        }
    }

    /// The message assembled from the events so far (empty after [`without_message`](Self::without_message)).
    pub fn message(&self) -> &Message {
        &self.assembly.message
    }

    /// A parser that does not fold its events into [`message`](Self::message), for a caller that
    /// assembles the message itself from what it made of the events: the Python bindings build it
    /// from their event objects, so the core's copies of ids, signatures and tool calls were waste.
    #[must_use]
    pub fn without_message(mut self) -> Self {
        self.assembly.skip_message = true;
        self
    }

    /// Feeds one chunk; the events it completes are appended to `out`. On error, `out` holds the
    /// events before the fault, the rest of the chunk is read by the next call.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<()> {
        self.feed_with(chunk, &mut |events: &mut Vec<Event>| out.append(events))
    }

    /// [`feed`](Self::feed), handing the events of each payload to `emit` as soon as they exist
    /// (already folded into the message); `emit` takes them out of the vector it is given, and
    /// what it leaves is dropped. A caller converting events (the Python bindings) then frees each
    /// payload's strings before the next payload allocates its own: holding a whole body's events
    /// first made the allocator about 14 % of the time of a parse from Python (perf, chat corpus).
    pub fn feed_with(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        if matches!(self.framing, Framing::Undecided) {
            let Some(&first) = chunk.first() else {
                return Ok(());
            };
            self.framing = Framing::sniff(first, self.requested, self.options.max_event_bytes);
            if matches!(self.framing, Framing::EventStream(_)) && self.decoder.is_none() {
                self.decoder = Some(AnyDecoder::with_max_open_parts(
                    Family::Bedrock,
                    self.options.max_open_parts,
                ));
            }
        }
        let Call {
            framing,
            decoder,
            options,
            mut sink,
            answered,
            ..
        } = self.call(emit);
        let on_error = options.on_error;
        match framing {
            Framing::Sse(sse) => sse.feed(chunk, &mut |e| sink.payload(decoder, options, &e)),
            Framing::Json(values) => {
                let shape = values.shape();
                values.feed(chunk, &mut |v| sink.value(decoder, options, shape, answered, v))
            }
            Framing::EventStream(es) => {
                let mut result = es.feed(chunk, &mut |f| sink.frame(decoder, on_error, &f));
                // With `on_error="emit"` a bad frame is reported in line and reading goes on after it.
                while let (
                    Err(
                        err @ Error {
                            kind: ErrorKind::BadFrame { .. },
                            ..
                        },
                    ),
                    OnError::Emit,
                ) = (&result, on_error)
                {
                    sink.pending.push(Event::Error {
                        message: err.to_string(),
                        kind: error_kind::PARSE_ERROR.to_owned(),
                        raw: None,
                    });
                    sink.flush();
                    result = es.feed(&[], &mut |f| sink.frame(decoder, on_error, &f));
                }
                result
            }
            Framing::Undecided => Ok(()),
        }
    }

    /// Ends the stream: flushes the last event, closes what is open, reports a cut stream.
    pub fn close(&mut self, out: &mut Vec<Event>) -> Result<()> {
        self.close_with(&mut |events: &mut Vec<Event>| out.append(events))
    }

    /// [`close`](Self::close), handing the events to `emit` as [`feed_with`](Self::feed_with) does.
    pub fn close_with(&mut self, emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        let Call {
            framing,
            decoder,
            options,
            mut sink,
            closed,
            answered,
        } = self.call(emit);
        let on_error = options.on_error;
        let result = match framing {
            Framing::Sse(sse) => sse.close(&mut |e| sink.payload(decoder, options, &e)),
            Framing::Json(values) => {
                let shape = values.shape();
                values.close(&mut |v| sink.value(decoder, options, shape, answered, v))
            }
            Framing::EventStream(es) => es.close(&mut |f| sink.frame(decoder, on_error, &f)),
            Framing::Undecided => Ok(()),
        };
        if result.is_ok() && !*closed {
            *closed = true;
            if *answered {
                // The provider's error and its finish are out already.
            } else if let Some(decoder) = decoder {
                decoder.end(sink.pending);
            } else {
                cut_short("the stream ended before any payload", &Usage::default(), sink.pending);
            }
            sink.flush();
        }
        result
    }

    /// The parser split for one `feed` or `close`: the parts the framing's callback borrows apart.
    fn call<'s>(&'s mut self, emit: &'s mut dyn FnMut(&mut Vec<Event>)) -> Call<'s> {
        Call {
            framing: &mut self.framing,
            decoder: &mut self.decoder,
            options: self.options,
            sink: Sink {
                pending: &mut self.pending,
                assembly: &mut self.assembly,
                emit,
                seen_payload: &mut self.seen_payload,
            },
            closed: &mut self.closed,
            answered: &mut self.answered,
        }
    }

    /// The argument text streamed so far for tool call `id` (complete once its `tool_call` came).
    pub fn tool_arguments(&self, id: &str) -> Option<&str> {
        self.assembly
            .tool_args
            .iter()
            .rev()
            .find(|(i, _)| &**i == id)
            .map(|(_, a)| a.as_str())
    }
}

/// What the parser keeps of the events it emits: the message, and each tool call's arguments.
#[derive(Debug, Default)]
struct Assembly {
    message: Message,
    skip_message: bool,
    /// (id, argument fragments so far) of every tool call streamed, for `tool_arguments`; the id
    /// is the part's own, shared with its events.
    tool_args: Vec<(PartId, String)>,
}

impl Assembly {
    fn apply(&mut self, events: &[Event]) {
        for event in events {
            if !self.skip_message {
                self.message.apply(event);
            }
            match event {
                Event::ToolInputStart { id, .. } => self.tool_args.push((id.clone(), String::new())),
                Event::ToolInputDelta { id, delta } => {
                    // The latest call with this id: searched from the end, where the open calls are
                    // (`Arc`'s equality looks at the pointer first: a part's events share theirs).
                    if let Some((_, args)) = self.tool_args.iter_mut().rev().find(|(i, _)| i == id) {
                        args.push_str(delta);
                    }
                }
                _ => {}
            }
        }
    }
}

struct Call<'s> {
    framing: &'s mut Framing,
    decoder: &'s mut Option<AnyDecoder>,
    options: Options,
    sink: Sink<'s>,
    closed: &'s mut bool,
    answered: &'s mut bool,
}

/// Where a payload's events go: folded into the assembly, then handed to the caller.
struct Sink<'s> {
    pending: &'s mut Vec<Event>,
    assembly: &'s mut Assembly,
    emit: &'s mut dyn FnMut(&mut Vec<Event>),
    seen_payload: &'s mut bool,
}

impl Sink<'_> {
    fn payload(&mut self, decoder: &mut Option<AnyDecoder>, options: Options, e: &SseEventRef<'_>) -> Result<()> {
        let first = !std::mem::replace(self.seen_payload, true);
        let result = handle_payload(decoder, options, e, first, self.pending);
        self.flush();
        result
    }

    /// One value of a JSON framing: the payload of an SSE `data` field, but for a lone error body.
    fn value(
        &mut self,
        decoder: &mut Option<AnyDecoder>,
        options: Options,
        shape: Shape,
        answered: &mut bool,
        v: JsonValueRef<'_>,
    ) -> Result<()> {
        if *answered {
            return Ok(());
        }
        if v.value_index == 0 && shape == Shape::Ndjson && framing::lone_error(v.data, self.pending) {
            *answered = true;
            self.flush();
            return Ok(());
        }
        let e = SseEventRef {
            event: "message",
            data: v.data,
            id: "",
            retry: None,
            event_index: v.value_index,
            start_offset: v.start_offset,
            end_offset: v.end_offset,
        };
        self.payload(decoder, options, &e)
    }

    fn frame(&mut self, decoder: &mut Option<AnyDecoder>, on_error: OnError, f: &FrameRef<'_>) -> Result<()> {
        let result = handle_frame(decoder, on_error, f, self.pending);
        self.flush();
        result
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.assembly.apply(self.pending);
        (self.emit)(self.pending);
        self.pending.clear();
    }
}

fn handle_payload(
    decoder: &mut Option<AnyDecoder>,
    options: Options,
    e: &SseEventRef<'_>,
    first: bool,
    out: &mut Vec<Event>,
) -> Result<()> {
    // A decoder checks the depth limit itself, and only on payloads its scan does not read.
    let result = match decoder {
        // A body of another family: said at once, not left to a quiet empty result.
        Some(d) if first => match mismatch(d.family(), e.event, e.data) {
            Some(kind) => Err(kind),
            None => d.payload(e.event, e.data, out),
        },
        Some(d) => d.payload(e.event, e.data, out),
        None => crate::depth::check(e.data).and_then(|()| match detect(e.event, e.data) {
            Some(family) => decoder
                .insert(AnyDecoder::with_max_open_parts(family, options.max_open_parts))
                .payload(e.event, e.data, out),
            None => Err(ErrorKind::UnexpectedPayload {
                detail: "cannot tell the wire family from the first payload; pass `family=`".to_owned(),
            }),
        }),
    };
    match (result, options.on_error) {
        (Ok(()), _) => Ok(()),
        (Err(kind), OnError::Emit) => {
            let err = located(kind, e);
            out.push(Event::Error {
                message: err.to_string(),
                kind: error_kind::PARSE_ERROR.to_owned(),
                raw: Some(e.data.to_owned()),
            });
            Ok(())
        }
        (Err(kind), OnError::Raise) => Err(located(kind, e)),
    }
}

fn handle_frame(
    decoder: &mut Option<AnyDecoder>,
    on_error: OnError,
    f: &FrameRef<'_>,
    out: &mut Vec<Event>,
) -> Result<()> {
    let payload = String::from_utf8_lossy(f.payload);
    let mut inner = None;
    let result =
        crate::depth::check(&payload).and_then(|()| match decoder.as_mut().and_then(AnyDecoder::anthropic_mut) {
            Some(d) => bedrock::frame(d, f, &payload, &mut inner, out),
            None => Err(ErrorKind::UnexpectedPayload {
                detail: "event-stream frames carry the `bedrock` family only".to_owned(),
            }),
        });
    let err = match result {
        Ok(()) => return Ok(()),
        Err(kind) => Error::new(kind, f.start_offset)
            .with_event_index(f.frame_index)
            .with_excerpt(inner.as_deref().unwrap_or(&payload)),
    };
    match on_error {
        OnError::Raise => Err(err),
        OnError::Emit => {
            out.push(Event::Error {
                message: err.to_string(),
                kind: error_kind::PARSE_ERROR.to_owned(),
                raw: Some(inner.unwrap_or_else(|| payload.into_owned())),
            });
            Ok(())
        }
    }
}

fn located(kind: ErrorKind, e: &SseEventRef<'_>) -> Error {
    Error::new(kind, e.start_offset)
        .with_event_index(e.event_index)
        .with_excerpt(e.data)
}

/// Parses a whole body at once into `out` (which keeps the events before a fault).
pub fn parse(body: &[u8], family: Option<Family>, options: Options, out: &mut Vec<Event>) -> Result<()> {
    let mut parser = StreamParser::new(family, options);
    parser.feed(body, out)?;
    parser.close(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"},{\"functionCall\":{\"name\":\"f\",\"args\":{\"a\":1}}}]},\"finishReason\":\"STOP\"}],\"responseId\":\"r\"}\n\n";

    fn run(parser: &mut StreamParser) -> Vec<Event> {
        let mut out = Vec::new();
        parser.feed(BODY, &mut out).unwrap();
        parser.close(&mut out).unwrap();
        out
    }

    #[test]
    fn without_message_gives_the_same_events_and_keeps_tool_arguments() {
        let mut folding = StreamParser::new(Some(Family::Gemini), Options::default());
        let mut bare = StreamParser::new(Some(Family::Gemini), Options::default()).without_message();
        assert_eq!(run(&mut folding), run(&mut bare));
        assert_eq!(folding.message().text, "hi");
        assert_eq!(folding.message().tool_calls.len(), 1);
        assert_eq!(*bare.message(), Message::default());
        assert_eq!(bare.tool_arguments("call_0"), Some("{\"a\":1}"));
    }
}
