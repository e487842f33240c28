//! What the fuzz targets share: chunking driven by the input, and drivers that record everything a
//! decoder or parser produced (events and errors, in order) so that two runs can be compared.
#![allow(clippy::missing_panics_doc)]

use streamdelta_core::parser::{OnError, Options, StreamParser};
use streamdelta_core::sse::{SseEvent, SseEventRef, SseTokenizer};
use streamdelta_core::{Error, ErrorKind, Event, Family};

/// A small deterministic generator, so that the fuzz input alone decides the chunking.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// `data` cut into chunks of 1..=`max` bytes (empty chunks included now and then: they must be no-ops).
pub fn chunks(data: &[u8], seed: u64, max: usize) -> Vec<&[u8]> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let size = (rng.next() as usize % (max + 1)).min(rest.len());
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

/// One thing a decoder produced: an event, or a fault (its full message, offset included).
#[derive(Debug, Clone, PartialEq)]
pub enum Item<T> {
    Event(T),
    Fault(String),
}

/// The most faults one stream can report before the drivers stop retrying: each retry consumes
/// input, so a loop that does not end is itself a bug worth a crash.
const MAX_RETRIES: usize = 1 << 20;

/// Feeds `chunks` to an SSE decoder and closes it, continuing after every fault as a caller would.
pub fn drive_sse(decoder: &mut SseTokenizer, chunks: &[&[u8]]) -> Vec<Item<SseEvent>> {
    let mut items = Vec::new();
    let step = |items: &mut Vec<Item<SseEvent>>, decoder: &mut SseTokenizer, input: Option<&[u8]>| {
        let mut sink = |e: SseEventRef<'_>| {
            items.push(Item::Event(SseEvent::from(e)));
            Ok(())
        };
        let result = match input {
            Some(bytes) => decoder.feed(bytes, &mut sink),
            None => decoder.close(&mut sink),
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                items.push(Item::Fault(e.to_string()));
                false
            }
        }
    };
    for chunk in chunks {
        let mut input: &[u8] = chunk;
        for n in 0..=MAX_RETRIES {
            assert!(n < MAX_RETRIES, "feed() keeps failing");
            if step(&mut items, decoder, Some(input)) {
                break;
            }
            input = &[];
        }
    }
    for n in 0..=MAX_RETRIES {
        assert!(n < MAX_RETRIES, "close() keeps failing");
        if step(&mut items, decoder, None) {
            break;
        }
    }
    items
}

/// Runs a stream parser over `chunks`, then `close()`, continuing after faults. A fault is recorded
/// where it happened, as an error returned with `on_error="raise"` or a `parse_error` event with
/// `on_error="emit"`, so that both modes give one comparable sequence; a fault that comes the other
/// way (an error returned in emit mode) is a failure. After `close()` input is refused.
pub fn drive_parser(family: Option<Family>, options: Options, chunks: &[&[u8]]) -> Vec<Item<Event>> {
    let emitting = options.on_error == OnError::Emit;
    let mut parser = StreamParser::new(family, options);
    let mut items = Vec::new();
    let mut events = Vec::new();
    let record = |events: &mut Vec<Event>, items: &mut Vec<Item<Event>>| {
        for e in events.drain(..) {
            match e {
                Event::Error { message, kind, .. } if kind == "parse_error" => {
                    assert!(emitting, "a parse_error event with on_error=\"raise\": {message}");
                    items.push(Item::Fault(message));
                }
                other => items.push(Item::Event(other)),
            }
        }
    };
    let fault = |items: &mut Vec<Item<Event>>, e: Error| {
        assert!(!emitting, "on_error=\"emit\" returned an error: {e}");
        items.push(Item::Fault(e.to_string()));
    };
    for chunk in chunks {
        let mut input: &[u8] = chunk;
        for n in 0..=MAX_RETRIES {
            assert!(n < MAX_RETRIES, "feed() keeps failing");
            let result = parser.feed(input, &mut events);
            record(&mut events, &mut items);
            match result {
                Ok(()) => break,
                Err(e) => fault(&mut items, e),
            }
            input = &[];
        }
    }
    for n in 0..=MAX_RETRIES {
        assert!(n < MAX_RETRIES, "close() keeps failing");
        let result = parser.close(&mut events);
        record(&mut events, &mut items);
        match result {
            Ok(()) => break,
            Err(e) => fault(&mut items, e),
        }
    }
    assert!(parser.close(&mut events).is_ok(), "a closed parser closes again");
    assert!(events.is_empty(), "a second close emitted {events:?}");
    let refused = parser.feed(b"data: {}\n\n", &mut events).map_err(|e| e.kind);
    assert_eq!(refused, Err(ErrorKind::Closed), "feed() after close()");
    assert!(events.is_empty(), "feed() after close() emitted {events:?}");
    items
}

/// The ordering rules of DESIGN.md that hold for every stream, however malformed its payloads:
/// a part opens once and closes once, deltas sit inside their part, `tool_call` follows its
/// `tool_input_end`, and exactly one `finish` comes last.
pub fn check_ordering(events: &[&Event]) {
    use std::collections::HashSet;
    let mut open: HashSet<(&str, &str)> = HashSet::new();
    for (n, e) in events.iter().enumerate() {
        let (kind, id) = match e {
            Event::TextStart { id, .. } | Event::TextDelta { id, .. } | Event::TextEnd { id } => ("text", id),
            Event::ReasoningStart { id, .. } | Event::ReasoningDelta { id, .. } | Event::ReasoningEnd { id, .. } => {
                ("reasoning", id)
            }
            Event::RefusalStart { id, .. } | Event::RefusalDelta { id, .. } | Event::RefusalEnd { id } => {
                ("refusal", id)
            }
            Event::ToolInputStart { id, .. } | Event::ToolInputDelta { id, .. } | Event::ToolInputEnd { id } => {
                ("tool_input", id)
            }
            Event::Finish { .. } => {
                assert_eq!(n + 1, events.len(), "finish is not last: {events:#?}");
                continue;
            }
            _ => continue,
        };
        let key = (kind, &**id);
        match e {
            Event::TextStart { .. }
            | Event::ReasoningStart { .. }
            | Event::RefusalStart { .. }
            | Event::ToolInputStart { .. } => {
                assert!(open.insert(key), "{n}: {key:?} opened twice: {events:#?}");
            }
            Event::TextEnd { .. } | Event::RefusalEnd { .. } | Event::ReasoningEnd { .. } | Event::ToolInputEnd { .. } => {
                assert!(open.remove(&key), "{n}: {key:?} closed but not open: {events:#?}");
                if let Event::ToolInputEnd { id } = e {
                    assert!(
                        matches!(events.get(n + 1), Some(Event::ToolCall { id: next, .. }) if next == id),
                        "{n}: no tool_call after tool_input_end: {events:#?}"
                    );
                }
            }
            _ => assert!(open.contains(&key), "{n}: {key:?} delta outside its part: {events:#?}"),
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
    assert!(
        matches!(events.last(), Some(Event::Finish { .. })),
        "the stream does not end with finish: {events:#?}"
    );
}

/// The events of a driven run, without its faults.
pub fn events_of(items: &[Item<Event>]) -> Vec<&Event> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Event(e) => Some(e),
            Item::Fault(_) => None,
        })
        .collect()
}
