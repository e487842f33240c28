use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    event_type: Option<Vec<u8>>,
    message_type: Option<Vec<u8>>,
    payload: Vec<u8>,
    index: u64,
    offset: u64,
}

/// Feeds `chunks`, then closes; every frame seen and every error message, in order.
fn run(chunks: &[&[u8]], max: usize) -> (Vec<Seen>, Vec<String>) {
    let mut dec = EventStreamDecoder::new(max);
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    let mut sink = |f: FrameRef<'_>| {
        seen.push(Seen {
            event_type: f.headers.event_type.map(<[u8]>::to_vec),
            message_type: f.headers.message_type.map(<[u8]>::to_vec),
            payload: f.payload.to_vec(),
            index: f.frame_index,
            offset: f.start_offset,
        });
        Ok(())
    };
    for chunk in chunks {
        let mut result = dec.feed(chunk, &mut sink);
        while let Err(e) = result {
            errors.push(e.to_string());
            result = dec.feed(&[], &mut sink);
        }
    }
    if let Err(e) = dec.close(&mut sink) {
        errors.push(e.to_string());
    }
    (seen, errors)
}

fn chunk_frame(payload: &str) -> Vec<u8> {
    encode_frame(
        &[
            (":event-type", "chunk"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.as_bytes(),
    )
}

fn two_frames() -> Vec<u8> {
    let mut body = chunk_frame(r#"{"bytes":"eyJ0eXBlIjoicGluZyJ9"}"#);
    body.extend_from_slice(&chunk_frame(r#"{"bytes":"e30="}"#));
    body
}

#[test]
fn crc32_known_values() {
    // zlib.crc32 values.
    let cases: [(&[u8], u32); 4] = [
        (b"", 0),
        (b"a", 0xe8b7_be43),
        (b"123456789", 0xcbf4_3926),
        (b"The quick brown fox jumps over the lazy dog", 0x414f_a339),
    ];
    for (data, expected) in cases {
        assert_eq!(crc32(data), expected, "{data:?}");
    }
}

#[test]
fn decodes_frames_and_their_headers() {
    let body = two_frames();
    let (seen, errors) = run(&[&body], 1 << 20);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].event_type.as_deref(), Some(&b"chunk"[..]));
    assert_eq!(seen[0].message_type.as_deref(), Some(&b"event"[..]));
    assert_eq!(seen[0].payload, br#"{"bytes":"eyJ0eXBlIjoicGluZyJ9"}"#);
    assert_eq!((seen[0].index, seen[0].offset), (0, 0));
    assert_eq!(
        (seen[1].index, seen[1].offset),
        (1, chunk_frame(r#"{"bytes":"eyJ0eXBlIjoicGluZyJ9"}"#).len() as u64)
    );
}

#[test]
fn every_cut_point_and_byte_by_byte() {
    let body = two_frames();
    let (whole, _) = run(&[&body], 1 << 20);
    for cut in 0..=body.len() {
        let (a, b) = body.split_at(cut);
        assert_eq!(run(&[a, b], 1 << 20), (whole.clone(), vec![]), "cut at {cut}");
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(run(&bytes, 1 << 20), (whole, vec![]));
}

#[test]
fn every_header_value_type_is_skipped() {
    let mut head = Vec::new();
    let typed: [(u8, &[u8]); 10] = [
        (0, b""),
        (1, b""),
        (2, b"\x01"),
        (3, b"\x00\x02"),
        (4, b"\x00\x00\x00\x03"),
        (5, b"\x00\x00\x00\x00\x00\x00\x00\x04"),
        (6, b"\x00\x03abc"),
        (8, b"\x00\x00\x01\x8f\x00\x00\x00\x00"),
        (9, b"0123456789abcdef"),
        (7, b"\x00\x05chunk"),
    ];
    for (n, (kind, value)) in typed.iter().enumerate() {
        let name = if *kind == 7 {
            ":event-type".to_owned()
        } else {
            format!("h{n}")
        };
        head.push(name.len() as u8);
        head.extend_from_slice(name.as_bytes());
        head.push(*kind);
        head.extend_from_slice(value);
    }
    let frame = raw_frame(&head, b"{}");
    let (seen, errors) = run(&[&frame], 1 << 20);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(seen[0].event_type.as_deref(), Some(&b"chunk"[..]));
    assert_eq!(seen[0].payload, b"{}");
}

/// A frame with the given raw header section, checksums right.
fn raw_frame(head: &[u8], payload: &[u8]) -> Vec<u8> {
    let total = (MIN_FRAME_LEN + head.len() + payload.len()) as u32;
    let mut out = total.to_be_bytes().to_vec();
    out.extend_from_slice(&(head.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32(&out.clone()).to_be_bytes());
    out.extend_from_slice(head);
    out.extend_from_slice(payload);
    out.extend_from_slice(&crc32(&out.clone()).to_be_bytes());
    out
}

#[test]
fn faults() {
    let good = chunk_frame("{}");
    let n = good.len();
    let mut bad_message_crc = good.clone();
    bad_message_crc[n - 1] ^= 1;
    let mut bad_prelude_crc = good.clone();
    bad_prelude_crc[11] ^= 1;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "message crc",
            bad_message_crc,
            "bad event-stream frame: message checksum mismatch",
        ),
        (
            "prelude crc",
            bad_prelude_crc,
            "bad event-stream frame: prelude checksum mismatch",
        ),
        (
            "short frame",
            raw_prelude(8, 0),
            "bad event-stream frame: frame length 8 is shorter than the 16-byte minimum at byte 0, event 0",
        ),
        (
            "headers too long",
            raw_prelude(20, 5),
            "bad event-stream frame: headers length 5 does not fit in a frame of 20 bytes at byte 0, event 0",
        ),
        (
            "unknown header type",
            raw_frame(b"\x01x\x0a", b""),
            "bad event-stream frame: header value type 10 is unknown at byte 0, event 0",
        ),
        (
            "header overrun",
            raw_frame(b"\x01x\x07\x00\x09abc", b""),
            "bad event-stream frame: a header runs past the end of the header section at byte 0, event 0",
        ),
    ];
    for (name, frame, message) in cases {
        let (_, errors) = run(&[&frame], 1 << 20);
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert!(errors[0].starts_with(message), "{name}: {}", errors[0]);
    }
}

fn raw_prelude(total: u32, headers: u32) -> Vec<u8> {
    let mut out = total.to_be_bytes().to_vec();
    out.extend_from_slice(&headers.to_be_bytes());
    out.extend_from_slice(&crc32(&out.clone()).to_be_bytes());
    out
}

#[test]
fn bad_message_crc_skips_only_that_frame() {
    let mut body = chunk_frame("{\"a\":1}");
    let n = body.len();
    body[n - 5] ^= 0x20; // a payload byte
    body.extend_from_slice(&chunk_frame("{}"));
    for cut in 0..=body.len() {
        let (seen, errors) = run(&[&body[..cut], &body[cut..]], 1 << 20);
        assert_eq!(errors.len(), 1, "cut {cut}");
        assert_eq!(seen.len(), 1, "cut {cut}");
        assert_eq!(
            (seen[0].index, seen[0].offset, &seen[0].payload[..]),
            (1, n as u64, &b"{}"[..])
        );
    }
}

#[test]
fn lost_framing_drops_the_rest() {
    let mut body = raw_prelude(8, 0);
    body.extend_from_slice(&chunk_frame("{}"));
    let (seen, errors) = run(&[&body[..5], &body[5..]], 1 << 20);
    assert!(seen.is_empty());
    assert_eq!(errors.len(), 1);
}

#[test]
fn oversized_frame_is_skipped_by_length() {
    let big = chunk_frame(&"x".repeat(100));
    let small = chunk_frame("{}");
    let mut body = big.clone();
    body.extend_from_slice(&small);
    for cut in 0..=body.len() {
        let (seen, errors) = run(&[&body[..cut], &body[cut..]], 100);
        assert_eq!(
            errors,
            vec![
                "event data larger than `max_event_bytes` (100 bytes); raise `max_event_bytes` to accept it at byte 0, event 0"
            ],
            "cut {cut}"
        );
        assert_eq!(seen.len(), 1, "cut {cut}");
        assert_eq!((seen[0].index, seen[0].offset), (1, big.len() as u64));
    }
}

#[test]
fn a_cut_frame_is_dropped_at_close() {
    let body = two_frames();
    let (seen, errors) = run(&[&body[..body.len() - 3]], 1 << 20);
    assert_eq!((seen.len(), errors.len()), (1, 0));
}

proptest! {
    #[test]
    fn any_split_gives_the_same_frames(
        payloads in proptest::collection::vec("[ -~]{0,40}", 1..5),
        cuts in proptest::collection::vec(0usize..400, 0..12),
    ) {
        let mut body = Vec::new();
        for p in &payloads {
            body.extend_from_slice(&chunk_frame(p));
        }
        let (whole, errors) = run(&[&body], 1 << 20);
        prop_assert!(errors.is_empty());
        prop_assert_eq!(whole.len(), payloads.len());
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for c in cuts {
            chunks.push(&body[last..c]);
            last = c;
        }
        chunks.push(&body[last..]);
        prop_assert_eq!(run(&chunks, 1 << 20), (whole, vec![]));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), cut in 0usize..300) {
        let cut = cut.min(bytes.len());
        let _ = run(&[&bytes[..cut], &bytes[cut..]], 256);
    }
}
