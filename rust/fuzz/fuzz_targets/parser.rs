//! The stream parser, every family, on SSE bodies built from the fuzz input: no panic; the same
//! events and faults however the body is chunked; `on_error="raise"` (continuing after each fault)
//! yields exactly what `on_error="emit"` yields; the ordering rules hold.
//!
//! Input: a flags byte, a seed byte, then either a raw body (flag bit 3) or one payload per line,
//! each sent as `data: <payload>` with an `event: <name>` line first when the line holds a tab
//! (`name<TAB>payload`, the format `scripts/fuzz_corpus.py` writes the corpus seeds in); for the
//! `bedrock` family each line becomes an event-stream frame (the payload wrapped in `{"bytes":…}`
//! as base64 when flag bit 5 is set, else sent as the frame payload itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamdelta_core::eventstream::encode_frame;
use streamdelta_core::parser::{OnError, Options};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::Family;
use streamdelta_fuzz::{check_ordering, chunks, drive_parser, events_of};

fn sse_body(lines: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(lines.len() * 2);
    for line in lines.split(|&b| b == b'\n') {
        let payload = match line.iter().position(|&b| b == b'\t') {
            Some(tab) => {
                let (name, rest) = line.split_at(tab);
                body.extend_from_slice(b"event: ");
                body.extend_from_slice(name);
                body.push(b'\n');
                rest.get(1..).unwrap_or_default()
            }
            None => line,
        };
        body.extend_from_slice(b"data: ");
        body.extend_from_slice(payload);
        body.extend_from_slice(b"\n\n");
    }
    body
}

fn frames_body(lines: &[u8], wrap: bool) -> Vec<u8> {
    let mut body = Vec::new();
    for line in lines.split(|&b| b == b'\n') {
        let payload = if wrap {
            format!(r#"{{"bytes":"{}"}}"#, base64(line)).into_bytes()
        } else {
            line.to_vec()
        };
        let headers = [
            (":event-type", "chunk"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ];
        body.extend_from_slice(&encode_frame(&headers, &payload));
    }
    body
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, rest @ ..] = data else {
        return;
    };
    let family = match flags & 7 {
        1 => Some(Family::OpenAiChat),
        2 => Some(Family::OpenAiResponses),
        3 => Some(Family::Anthropic),
        4 => Some(Family::Gemini),
        5 => Some(Family::Bedrock),
        _ => None,
    };
    let body = match (flags & 8 == 0, family) {
        (false, _) => rest.to_vec(),
        (true, Some(Family::Bedrock)) => frames_body(rest, flags & 32 != 0),
        (true, _) => sse_body(rest),
    };
    let max_event_bytes = if flags & 16 == 0 { DEFAULT_MAX_EVENT_BYTES } else { 256 };
    let options = |on_error| Options {
        max_event_bytes,
        on_error,
        ..Options::default()
    };
    let emit = drive_parser(family, options(OnError::Emit), &[&body]);
    let pieces = chunks(&body, u64::from(*seed), usize::from(*seed % 32) + 1);
    let chunked = drive_parser(family, options(OnError::Emit), &pieces);
    // `==` is exact here: JSON has no NaN, so no `cost` compares unequal to itself.
    assert_eq!(emit, chunked, "chunked");
    let raised = drive_parser(family, options(OnError::Raise), &pieces);
    assert_eq!(emit, raised, "raise vs emit");
    check_ordering(&events_of(&emit));
});
