//! The splitter of the JSON framings (NDJSON, and the items of one JSON array) on arbitrary bytes:
//! no panic; the same values and faults (with the same offsets) however the bytes are split; and
//! on every body `serde_json` reads as a stream of values (NDJSON) or as one array, the values
//! handed on are serde's, in order.
//!
//! Input: a flags byte (bit 0: array, else NDJSON; bit 1: a small `max_event_bytes`), a seed byte,
//! then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use streamdelta_core::framing::{JsonValueRef, JsonValues, Shape};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_fuzz::{chunks, drive, Item};

#[derive(Debug, PartialEq)]
struct Piece {
    data: String,
    index: u64,
    start: u64,
    end: u64,
}

fn split(shape: Shape, limit: usize, pieces: &[&[u8]]) -> Vec<Item<Piece>> {
    let mut splitter = JsonValues::new(shape, limit);
    drive(pieces, |items, input| {
        let mut sink = |v: JsonValueRef<'_>| {
            items.push(Item::Event(Piece {
                data: v.data.to_owned(),
                index: v.value_index,
                start: v.start_offset,
                end: v.end_offset,
            }));
            Ok(())
        };
        let result = match input {
            Some(bytes) => splitter.feed(bytes, &mut sink),
            None => splitter.close(&mut sink),
        };
        result.map_err(|e| items.push(Item::Fault(e.to_string()))).is_ok()
    })
}

/// What serde reads in `body`, when it reads all of it.
fn serdes(shape: Shape, body: &[u8]) -> Option<Vec<Value>> {
    match shape {
        Shape::Array => serde_json::from_slice::<Vec<Value>>(body).ok(),
        Shape::Ndjson => serde_json::Deserializer::from_slice(body)
            .into_iter::<Value>()
            .collect::<Result<Vec<_>, _>>()
            .ok(),
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, body @ ..] = data else {
        return;
    };
    let shape = if flags & 1 == 1 { Shape::Array } else { Shape::Ndjson };
    let limit = if flags & 2 == 0 { DEFAULT_MAX_EVENT_BYTES } else { 64 };
    let whole = split(shape, limit, &[body]);
    let pieces = chunks(body, u64::from(*seed), usize::from(*seed % 64) + 1);
    assert_eq!(whole, split(shape, limit, &pieces), "random chunks");
    if body.len() <= 2048 {
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(whole, split(shape, limit, &bytes), "byte by byte");
    }
    // Under the small limit some values are (rightly) refused: serde has no limit to compare with.
    let Some(expected) = serdes(shape, body).filter(|_| flags & 2 == 0) else {
        return;
    };
    let got: Vec<Option<Value>> = whole
        .iter()
        .map(|item| match item {
            Item::Event(p) => serde_json::from_str(&p.data).ok(),
            Item::Fault(_) => None,
        })
        .collect();
    let want: Vec<Option<Value>> = expected.into_iter().map(Some).collect();
    assert_eq!(got, want, "serde reads the body otherwise");
});
