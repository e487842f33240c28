//! The stream parser, every family and framing, on bodies built from the fuzz input: no panic;
//! the same events and faults however the body is chunked; `on_error="raise"` (continuing after
//! each fault) yields exactly what `on_error="emit"` yields; the ordering rules hold.
//!
//! Input: a flags byte, a seed byte, then either a raw body (flag bit 3) or payload lines that
//! `structured_body` frames as SSE, event-stream frames, NDJSON or a JSON array (see its doc
//! comment for the flag bits; `family_of` reads the family from bits 0–2 and 6); flag bit 4 sets a
//! small `max_event_bytes`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streamdelta_core::parser::{OnError, Options};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_fuzz::{check_ordering, chunks, drive_parser, events_of, family_of, structured_body};

fuzz_target!(|data: &[u8]| {
    let [flags, seed, rest @ ..] = data else {
        return;
    };
    let family = family_of(*flags);
    let body = if flags & 8 == 0 {
        structured_body(family, *flags, rest)
    } else {
        rest.to_vec()
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
