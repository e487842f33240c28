//! The AWS event-stream frame decoder on arbitrary bytes: no panic, and the same frames and faults
//! (with the same offsets) however the bytes are split into chunks.
//!
//! Input: a flags byte, a seed byte, then either raw bytes (flag bit 0) or one frame per line,
//! built with valid lengths and checksums (`event-type<TAB>payload`, or just a payload), so that
//! mutations reach the header and payload paths instead of stopping at the prelude checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamdelta_core::eventstream::{encode_frame, EventStreamDecoder, FrameRef};
use streamdelta_fuzz::{chunks, drive, Item};

#[derive(Debug, PartialEq)]
struct Frame {
    headers: String,
    payload: Vec<u8>,
    index: u64,
    offset: u64,
}

fn frames(lines: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for line in lines.split(|&b| b == b'\n') {
        let (event, payload) = match line.iter().position(|&b| b == b'\t') {
            Some(tab) => line.split_at(tab),
            None => (&b"chunk"[..], line),
        };
        let event = String::from_utf8_lossy(event);
        let payload = payload.strip_prefix(b"\t").unwrap_or(payload);
        let headers = [
            (":event-type", event.as_ref()),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ];
        body.extend_from_slice(&encode_frame(&headers, payload));
    }
    body
}

fn drive_frames(limit: usize, pieces: &[&[u8]]) -> Vec<Item<Frame>> {
    let mut decoder = EventStreamDecoder::new(limit);
    drive(pieces, |items, input| {
        let mut sink = |f: FrameRef<'_>| {
            items.push(Item::Event(Frame {
                headers: format!("{:?}", f.headers),
                payload: f.payload.to_vec(),
                index: f.frame_index,
                offset: f.start_offset,
            }));
            Ok(())
        };
        let result = match input {
            Some(bytes) => decoder.feed(bytes, &mut sink),
            None => decoder.close(&mut sink),
        };
        result.map_err(|e| items.push(Item::Fault(e.to_string()))).is_ok()
    })
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, rest @ ..] = data else {
        return;
    };
    let body = if flags & 1 == 1 { rest.to_vec() } else { frames(rest) };
    let limit = if flags & 2 == 0 { 16 << 20 } else { 64 };
    let whole = drive_frames(limit, &[&body]);
    let pieces = chunks(&body, u64::from(*seed), usize::from(*seed % 64) + 1);
    assert_eq!(whole, drive_frames(limit, &pieces), "random chunks");
});
