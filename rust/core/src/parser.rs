//! One response stream: framing, the family decoder (chosen or detected), and the assembled message.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use crate::error::{Error, ErrorKind, Result};
use crate::events::{error_kind, Event, PartId, Usage};
use crate::eventstream::{EventStreamDecoder, FrameRef};
use crate::families::parts::DEFAULT_MAX_OPEN_PARTS;
use crate::families::{bedrock, cut_short, detect, detect_sketched, AnyDecoder, Family};
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
    /// Hand out every payload as `raw(data)` ahead of its events (Vercel's `includeRawChunks`).
    pub include_raw: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            on_error: OnError::Raise,
            max_open_parts: DEFAULT_MAX_OPEN_PARTS,
            include_raw: false,
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

/// Where a stream is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Input may come.
    Open,
    /// `close()` has been called: no more input (a `close()` that raised may be called again).
    Closed,
    /// The end of the stream (open parts closed, `finish`) has been emitted.
    Ended,
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
    /// Bytes fed so far.
    fed: u64,
    /// Input handed back by [`defer`](Self::defer), read before the next chunk.
    deferred: Vec<u8>,
    /// Whether input may still come and whether the end of the stream has been emitted.
    end: End,
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
            fed: 0,
            deferred: Vec::new(),
            end: End::Open,
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
        static EMPTY: LazyLock<Message> = LazyLock::new(Message::default);
        self.assembly.message.as_deref().unwrap_or(&EMPTY)
    }

    /// The assembled message, taken out of the parser (no copy of its strings).
    pub fn into_message(self) -> Message {
        self.assembly.message.map(|m| *m).unwrap_or_default()
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
    /// events before the fault, the rest of the chunk is read by the next call. After
    /// [`close`](Self::close) it refuses any input ([`ErrorKind::Closed`]) and changes nothing.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<()> {
        self.feed_with(chunk, &mut |events: &mut Vec<Event>| out.append(events))
    }

    /// [`feed`](Self::feed), handing the events of each payload to `emit` as soon as they exist
    /// (already folded into the message); `emit` takes them out of the vector it is given, and
    /// what it leaves is dropped. A caller converting events (the Python bindings) then frees each
    /// payload's strings before the next payload allocates its own: holding a whole body's events
    /// first made the allocator about 14 % of the time of a parse from Python (perf, chat corpus).
    ///
    /// The message's joined texts (`text`, `reasoning`, `refusal`) take the chunk's deltas at the
    /// end of the call, all at once (`Message::apply_batched`): inside `emit` they lag.
    pub fn feed_with(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        if self.end != End::Open {
            return Err(Error::new(ErrorKind::Closed, self.fed));
        }
        let result = self.read(chunk, emit);
        self.assembly.join();
        result
    }

    /// Reads what [`defer`](Self::defer) handed back, then `chunk`.
    fn read(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        let joined;
        let chunk = if self.deferred.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.deferred).as_slice(), chunk].concat();
            joined.as_slice()
        };
        self.fed += chunk.len() as u64;
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
        let mut input = chunk;
        sink.read(on_error, |sink| {
            // The chunk on the first run; what a fault left unread is carried by the framing.
            let bytes = std::mem::take(&mut input);
            match framing {
                Framing::Sse(sse) => sse.feed(bytes, &mut |e| sink.payload(decoder, options, &e)),
                Framing::Json(values) => {
                    let shape = values.shape();
                    values.feed(bytes, &mut |v| sink.value(decoder, options, shape, answered, v))
                }
                Framing::EventStream(es) => es.feed(bytes, &mut |f| sink.frame(decoder, options, &f)),
                Framing::Undecided => Ok(()),
            }
        })
    }

    /// Ends the stream: flushes the last event, closes what is open, reports a cut stream.
    pub fn close(&mut self, out: &mut Vec<Event>) -> Result<()> {
        self.close_with(&mut |events: &mut Vec<Event>| out.append(events))
    }

    /// [`close`](Self::close), handing the events to `emit` as [`feed_with`](Self::feed_with) does.
    pub fn close_with(&mut self, emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        let result = self.end_with(emit);
        self.assembly.join();
        result
    }

    fn end_with(&mut self, emit: &mut dyn FnMut(&mut Vec<Event>)) -> Result<()> {
        if self.end != End::Ended && !self.deferred.is_empty() {
            // Read as the end of the last chunk would have been; the stream is closed even if
            // they hold a fault, as when a fault is met in what the framing carries.
            let result = self.read(&[], emit);
            self.end = End::Closed;
            result?;
        }
        if self.end == End::Open {
            self.end = End::Closed;
        }
        let Call {
            framing,
            decoder,
            options,
            mut sink,
            end,
            answered,
        } = self.call(emit);
        let on_error = options.on_error;
        let result = sink.read(on_error, |sink| match framing {
            Framing::Sse(sse) => sse.close(&mut |e| sink.payload(decoder, options, &e)),
            Framing::Json(values) => {
                let shape = values.shape();
                values.close(&mut |v| sink.value(decoder, options, shape, answered, v))
            }
            Framing::EventStream(es) => es.close(&mut |f| sink.frame(decoder, options, &f)),
            Framing::Undecided => Ok(()),
        });
        if result.is_ok() && *end != End::Ended {
            *end = End::Ended;
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

    /// Hands back `rest`, the unread end of the chunk last fed, to be read before the next chunk
    /// (or by [`close`](Self::close)): the events are those of the chunk fed whole. For a caller
    /// that feeds a large chunk in slices and stops early (the Python bindings, on a signal or a
    /// fault); after a fault, what the framing kept of the slice is read first, as it would be.
    pub fn defer(&mut self, rest: &[u8]) {
        self.deferred.extend_from_slice(rest);
    }

    /// Whether [`feed`](Self::feed) takes input: no [`close`](Self::close) yet.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.end == End::Open
    }

    /// Ends the input as [`close`](Self::close) does before it reads the end of the stream, for a
    /// caller that read the deferred rest itself and met a fault there: the stream is closed even
    /// so, and the next `close` reads what the fault left.
    pub fn end_input(&mut self) {
        if self.end == End::Open {
            self.end = End::Closed;
        }
    }

    /// The input [`defer`](Self::defer) handed back and no call has read yet, taken out: the
    /// caller feeds it, in front of its next chunk.
    pub fn take_deferred(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.deferred)
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
            end: &mut self.end,
            answered: &mut self.answered,
        }
    }

    /// The argument text streamed so far for tool call `id` (complete once its `tool_call` came).
    pub fn tool_arguments(&self, id: &str) -> Option<&str> {
        self.assembly.tool_call(id).map(|call| call.text.as_str())
    }

    /// Tool call `id` is still streaming: its `tool_input_end` has not come yet.
    pub fn tool_call_streaming(&self, id: &str) -> bool {
        self.assembly.tool_call(id).is_some_and(|call| call.streaming)
    }
}

/// What the parser keeps of the events it emits: the message, and each tool call's arguments.
#[derive(Debug, Default)]
struct Assembly {
    /// Made at the first event, unless `skip_message`: the Python bindings fold their own, and a
    /// parser holding an unused message inline (500 bytes) copied it on its way into each Python
    /// `StreamParser`.
    message: Option<Box<Message>>,
    skip_message: bool,
    /// Every tool call streamed, in the order they began (a reused id begins a new one).
    tool_calls: Vec<ToolArguments>,
    /// The latest call of each id, by its index in `tool_calls`: a fragment costs the same however
    /// many calls came before (a search of them made long streams quadratic).
    by_id: HashMap<PartId, usize>,
    /// The call the last fragment went to. A run of fragments mostly belongs to one call, whose
    /// events share its id's `Arc`: a pointer comparison finds it without hashing the id (callgrind,
    /// a parse of 200k fragments of four calls: 9.7 % more instructions than the search this
    /// replaces when each fragment hashed its id, 0.1 % more with this).
    last: usize,
    /// Stored calls looked at by the lookups of fragments so far: the test of their cost.
    #[cfg(test)]
    probes: usize,
}

#[derive(Debug)]
struct ToolArguments {
    id: PartId,
    text: String,
    streaming: bool,
}

impl Assembly {
    fn join(&mut self) {
        if let Some(message) = &mut self.message {
            message.join();
        }
    }

    fn apply(&mut self, events: &[Event]) {
        for event in events {
            if !self.skip_message {
                self.message.get_or_insert_with(Box::default).apply_batched(event);
            }
            let (id, delta) = match event {
                Event::ToolInputStart { id, .. } => {
                    self.last = self.tool_calls.len();
                    self.by_id.insert(id.clone(), self.last);
                    self.tool_calls.push(ToolArguments {
                        id: id.clone(),
                        text: String::new(),
                        streaming: true,
                    });
                    continue;
                }
                Event::ToolInputDelta { id, delta } => (id, Some(delta)),
                Event::ToolInputEnd { id } => (id, None),
                _ => continue,
            };
            if let Some(call) = self.latest_mut(id) {
                match delta {
                    Some(delta) => call.text.push_str(delta),
                    None => call.streaming = false,
                }
            }
        }
    }

    /// The latest call of `id`. `last` is always a latest call: it is set by a start (which makes
    /// the new call its id's latest) or from `by_id`.
    fn latest_mut(&mut self, id: &PartId) -> Option<&mut ToolArguments> {
        #[cfg(test)]
        {
            self.probes += 1;
        }
        let same = self
            .tool_calls
            .get(self.last)
            .is_some_and(|call| Arc::ptr_eq(&call.id, id));
        if !same {
            self.last = *self.by_id.get(id)?;
        }
        self.tool_calls.get_mut(self.last)
    }

    fn tool_call(&self, id: &str) -> Option<&ToolArguments> {
        self.by_id.get(id).and_then(|&index| self.tool_calls.get(index))
    }
}

struct Call<'s> {
    framing: &'s mut Framing,
    decoder: &'s mut Option<AnyDecoder>,
    options: Options,
    sink: Sink<'s>,
    end: &'s mut End,
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
    /// Runs `step`, a framing's `feed` or `close`. With `on_error="emit"` a fault of the framing
    /// itself (a bad frame, a line or an event over `max_event_bytes`; a payload's faults are
    /// events already) is reported in line, and `step` runs again on what the fault left unread:
    /// every fault consumes input, so this ends.
    #[inline]
    fn read(&mut self, on_error: OnError, mut step: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        loop {
            match (step(self), on_error) {
                (Err(err), OnError::Emit) => {
                    self.pending.push(Event::Error {
                        message: err.to_string(),
                        kind: error_kind::PARSE_ERROR.to_owned(),
                        raw: None,
                    });
                    self.flush();
                }
                (result, _) => return result,
            }
        }
    }

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
        let mark = self.pending.len();
        if v.value_index == 0 && shape == Shape::Ndjson && framing::lone_error(v.data, self.pending) {
            if options.include_raw {
                self.pending.insert(mark, raw(v.data));
            }
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

    fn frame(&mut self, decoder: &mut Option<AnyDecoder>, options: Options, f: &FrameRef<'_>) -> Result<()> {
        let result = handle_frame(decoder, options, f, self.pending);
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
    if options.include_raw {
        out.push(raw(e.data));
    }
    // A decoder checks the depth limit itself, and only on payloads its scan does not read.
    let result = match decoder {
        // A body of another family: said at once, not left to a quiet empty result.
        Some(d) if first => d.first_payload(e.event, e.data, out),
        Some(d) => d.payload(e.event, e.data, out),
        None => crate::depth::check(e.data).and_then(|()| match detect_sketched(e.event, e.data) {
            Some(family) => {
                let before = out.len();
                let result = decoder
                    .insert(AnyDecoder::with_max_open_parts(family, options.max_open_parts))
                    .payload(e.event, e.data, out);
                // A payload the decoder refuses may not be JSON at all, which the sketch does not
                // check: then no family was told, as `detect` says.
                if result.is_err() && detect(e.event, e.data).is_none() {
                    *decoder = None;
                    out.truncate(before);
                    return Err(family_unknown());
                }
                result
            }
            None => Err(family_unknown()),
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

fn family_unknown() -> ErrorKind {
    ErrorKind::UnexpectedPayload {
        detail: "cannot tell the wire family from the first payload; pass `family=`".to_owned(),
    }
}

fn handle_frame(
    decoder: &mut Option<AnyDecoder>,
    options: Options,
    f: &FrameRef<'_>,
    out: &mut Vec<Event>,
) -> Result<()> {
    let payload = String::from_utf8_lossy(f.payload);
    if options.include_raw {
        out.push(raw(&payload));
    }
    let mut inner = None;
    let result =
        crate::depth::check(&payload).and_then(|()| match decoder.as_mut().and_then(AnyDecoder::bedrock_mut) {
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
    match options.on_error {
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

fn raw(data: &str) -> Event {
    Event::Raw { data: data.to_owned() }
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

    #[test]
    fn feed_after_close_is_refused_and_changes_nothing() {
        let mut parser = StreamParser::new(Some(Family::Gemini), Options::default());
        let events = run(&mut parser);
        let message = parser.message().clone();
        let mut out = Vec::new();
        let err = parser.feed(BODY, &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Closed);
        assert_eq!(
            err.to_string(),
            format!("`feed()` after `close()`: the stream has ended at byte {}", BODY.len())
        );
        assert!(out.is_empty());
        assert_eq!(*parser.message(), message);
        parser.close(&mut out).unwrap();
        assert!(out.is_empty(), "a second close adds nothing");
        assert_eq!(events.last().map(|e| matches!(e, Event::Finish { .. })), Some(true));
    }

    const MESSAGE_START: &str =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\n";

    fn block(index: usize, id: &str) -> String {
        format!(
            "event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":{index},\
             \"content_block\":{{\"type\":\"tool_use\",\"id\":\"{id}\",\"name\":\"f\",\"input\":{{}}}}}}\n\n"
        )
    }

    fn delta(index: usize, json: &str) -> String {
        format!(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":{index},\
             \"delta\":{{\"type\":\"input_json_delta\",\"partial_json\":\"{json}\"}}}}\n\n"
        )
    }

    fn stop(index: usize) -> String {
        format!("event: content_block_stop\ndata: {{\"type\":\"content_block_stop\",\"index\":{index}}}\n\n")
    }

    /// An Anthropic stream: a tool call left open, `finished` calls that start, stream and end,
    /// then `deltas` fragments of the open one.
    fn open_call_after_many(finished: usize, deltas: usize) -> Vec<u8> {
        let mut body = String::from(MESSAGE_START) + &block(0, "toolu_open");
        for k in 1..=finished {
            body += &block(k, &format!("toolu_{k}"));
            body += &delta(k, "{}");
            body += &stop(k);
        }
        for _ in 0..deltas {
            body += &delta(0, "1");
        }
        body.into_bytes()
    }

    #[test]
    fn a_reused_tool_call_id_starts_afresh() {
        // Two calls of one id, the second interleaved with another call: the fragments of each go
        // to the latest call of their id, found by pointer or by the index alike.
        let body = [
            MESSAGE_START,
            &block(0, "t"),
            &delta(0, "1"),
            &stop(0),
            &block(1, "t"),
            &block(2, "u"),
            &delta(1, "2"),
            &delta(2, "x"),
            &delta(1, "3"),
        ]
        .concat();
        let mut parser = StreamParser::new(Some(Family::Anthropic), Options::default());
        let mut out = Vec::new();
        parser.feed(body.as_bytes(), &mut out).unwrap();
        assert_eq!(parser.tool_arguments("t"), Some("23"));
        assert!(parser.tool_call_streaming("t"));
        assert_eq!(parser.tool_arguments("u"), Some("x"));
    }

    #[test]
    fn a_tool_argument_lookup_costs_the_same_however_many_calls_came_before() {
        // Regression (issue 19): every fragment searched the calls seen so far, so a stream with
        // many finished calls and a long open one took quadratic time. Counted, not timed: the
        // stored calls a lookup looks at, which a search of them all makes `finished * deltas`.
        let (finished, deltas) = (2_000, 2_000);
        let mut parser = StreamParser::new(Some(Family::Anthropic), Options::default());
        let mut out = Vec::new();
        parser.feed(&open_call_after_many(finished, deltas), &mut out).unwrap();
        assert_eq!(parser.tool_arguments("toolu_open"), Some("1".repeat(deltas).as_str()));
        assert_eq!(parser.tool_arguments("toolu_7"), Some("{}"));
        assert!(parser.tool_call_streaming("toolu_open"));
        assert!(!parser.tool_call_streaming("toolu_7"));
        // A fragment or an end each: `finished` calls of one fragment, `deltas` fragments, no ends.
        let lookups = finished * 2 + deltas;
        assert!(
            parser.assembly.probes <= lookups,
            "{} stored calls looked at for {lookups} fragments",
            parser.assembly.probes
        );
    }
}

#[cfg(test)]
mod deferred_tests {
    use std::fmt::Write;

    use super::*;

    /// An Anthropic stream with a payload that is not JSON and a line over the limit midway.
    fn faulty_body() -> Vec<u8> {
        let mut body = String::from(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\n\
             event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\
             \"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        );
        for (k, text) in ["a", "b", &"x".repeat(300), "c"].into_iter().enumerate() {
            if k == 1 {
                body += "data: {broken\n\n";
            }
            let _ = write!(
                body,
                "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\
                 \"delta\":{{\"type\":\"text_delta\",\"text\":\"{text}\"}}}}\n\n"
            );
        }
        body.into_bytes()
    }

    /// The calls a caller makes on one parser: every event and every fault (its message).
    struct Calls {
        parser: StreamParser,
        events: Vec<Event>,
        faults: Vec<String>,
    }

    impl Calls {
        fn new(options: Options) -> Self {
            let parser = StreamParser::new(Some(Family::Anthropic), options);
            Self {
                parser,
                events: Vec::new(),
                faults: Vec::new(),
            }
        }

        fn feed(&mut self, chunk: &[u8]) {
            if let Err(err) = self.parser.feed(chunk, &mut self.events) {
                self.faults.push(err.to_string());
            }
        }

        /// `close()`, again after each fault until it succeeds.
        fn close(mut self) -> (Vec<Event>, Vec<String>) {
            while let Err(err) = self.parser.close(&mut self.events) {
                self.faults.push(err.to_string());
            }
            (self.events, self.faults)
        }
    }

    #[test]
    fn deferred_input_reads_as_the_chunk_fed_whole() {
        let body = faulty_body();
        for on_error in [OnError::Raise, OnError::Emit] {
            let options = Options {
                max_event_bytes: 256,
                on_error,
                ..Options::default()
            };
            let mut calls = Calls::new(options);
            calls.feed(&body);
            let whole = calls.close();
            assert_eq!(
                whole.1.len(),
                if on_error == OnError::Raise { 2 } else { 0 },
                "{:?}",
                whole.1
            );
            for at in 0..=body.len() {
                let (head, rest) = body.split_at(at);
                // Read by close().
                let mut calls = Calls::new(options);
                calls.feed(head);
                calls.parser.defer(rest);
                assert_eq!(calls.close(), whole, "split at {at}, {on_error:?}, read by close()");
                // Taken back and fed in front of the next chunk, which is itself deferred in part.
                let mut calls = Calls::new(options);
                calls.feed(head);
                calls.parser.defer(rest);
                let mut next = calls.parser.take_deferred();
                assert_eq!(next, rest);
                let half = next.split_off(next.len() / 2);
                calls.feed(&next);
                calls.parser.defer(&half);
                calls.feed(b"");
                assert_eq!(calls.close(), whole, "split at {at}, {on_error:?}, fed again");
                // Read in slices before close() as the Python bindings do: a fault hands the
                // unread slices back and ends the input; close() reads what it left.
                let mut calls = Calls::new(options);
                calls.feed(head);
                calls.parser.defer(rest);
                let taken = calls.parser.take_deferred();
                let mut slices = taken.chunks(97);
                while let Some(slice) = slices.next() {
                    if let Err(err) = calls.parser.feed(slice, &mut calls.events) {
                        calls.faults.push(err.to_string());
                        calls
                            .parser
                            .defer(&slices.by_ref().flatten().copied().collect::<Vec<u8>>());
                        calls.parser.end_input();
                        assert!(!calls.parser.is_open());
                        break;
                    }
                }
                assert_eq!(calls.close(), whole, "split at {at}, {on_error:?}, read in slices");
            }
        }
    }
}
