//! The SSE tokenizer on arbitrary bytes: no panic, and the same events and faults (with the same
//! offsets) however the bytes are split into chunks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamdelta_core::sse::{SseTokenizer, DEFAULT_MAX_EVENT_BYTES};
use streamdelta_fuzz::{chunks, drive_sse};

fuzz_target!(|data: &[u8]| {
    let [flags, seed, body @ ..] = data else {
        return;
    };
    let flush_at_eof = flags & 1 == 1;
    // Small limits now and then, so that the over-limit paths are explored as well.
    let limit = match (flags >> 1) & 3 {
        0 => DEFAULT_MAX_EVENT_BYTES,
        1 => 8,
        2 => 64,
        _ => 512,
    };
    let run = |pieces: &[&[u8]]| drive_sse(&mut SseTokenizer::new(limit, flush_at_eof), pieces);
    let whole = run(&[body]);
    let max_chunk = usize::from(*seed % 64) + 1;
    assert_eq!(whole, run(&chunks(body, u64::from(*seed), max_chunk)), "random chunks");
    if body.len() <= 2048 {
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(whole, run(&bytes), "byte by byte");
    }
});
