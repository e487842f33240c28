use proptest::prelude::*;

use super::*;

fn ev(event: &str, data: &str, id: &str, retry: Option<u64>) -> SseEvent {
    SseEvent {
        event: event.to_owned(),
        data: data.to_owned(),
        id: id.to_owned(),
        retry,
    }
}

fn decode_chunks(chunks: &[&[u8]], flush_at_eof: bool) -> Vec<SseEvent> {
    let mut decoder = SseTokenizer::new(DEFAULT_MAX_EVENT_BYTES, flush_at_eof);
    let mut out = Vec::new();
    let mut sink = |e: SseEventRef<'_>| {
        out.push(SseEvent::from(e));
        Ok(())
    };
    for chunk in chunks {
        decoder.feed(chunk, &mut sink).expect("no limit is reached");
    }
    decoder.close(&mut sink).expect("no limit is reached");
    out
}

/// One case per rule of the spec's "interpreting an event stream".
#[allow(clippy::too_many_lines)] // a table, one row per rule
fn spec_cases() -> Vec<(&'static str, &'static [u8], Vec<SseEvent>)> {
    vec![
        ("data line", b"data: hi\n\n", vec![ev("message", "hi", "", None)]),
        (
            "lf cr crlf line ends",
            b"data: a\r\rdata: b\r\n\r\ndata: c\n\n",
            vec![
                ev("message", "a", "", None),
                ev("message", "b", "", None),
                ev("message", "c", "", None),
            ],
        ),
        (
            "comment ignored",
            b": keep-alive\ndata: x\n\n",
            vec![ev("message", "x", "", None)],
        ),
        ("field without colon", b"data\n\n", vec![ev("message", "", "", None)]),
        (
            "one space stripped",
            b"data:  two\n\n",
            vec![ev("message", " two", "", None)],
        ),
        ("no space to strip", b"data:x\n\n", vec![ev("message", "x", "", None)]),
        (
            "data lines joined",
            b"data: a\ndata: b\ndata\n\n",
            vec![ev("message", "a\nb\n", "", None)],
        ),
        (
            "event type then reset",
            b"event: up\ndata: 1\n\ndata: 2\n\n",
            vec![ev("up", "1", "", None), ev("message", "2", "", None)],
        ),
        (
            "empty event type is message",
            b"event:\ndata: 1\n\n",
            vec![ev("message", "1", "", None)],
        ),
        (
            "id persists",
            b"id: 7\ndata: a\n\ndata: b\n\n",
            vec![ev("message", "a", "7", None), ev("message", "b", "7", None)],
        ),
        (
            "id with nul ignored",
            b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
            vec![ev("message", "a", "1", None), ev("message", "b", "1", None)],
        ),
        (
            "empty id resets",
            b"id: 1\ndata: a\n\nid\ndata: b\n\n",
            vec![ev("message", "a", "1", None), ev("message", "b", "", None)],
        ),
        (
            "retry digits",
            b"retry: 1500\ndata: a\n\n",
            vec![ev("message", "a", "", Some(1500))],
        ),
        (
            "retry not digits ignored",
            b"retry: 15x\ndata: a\n\nretry: -1\ndata: b\n\nretry:\ndata: c\n\n",
            vec![
                ev("message", "a", "", None),
                ev("message", "b", "", None),
                ev("message", "c", "", None),
            ],
        ),
        (
            "retry saturates",
            b"retry: 99999999999999999999999\ndata: a\n\n",
            vec![ev("message", "a", "", Some(u64::MAX))],
        ),
        (
            "no dispatch without data",
            b"event: e\n\nid: 3\n\ndata: z\n\n",
            vec![ev("message", "z", "3", None)],
        ),
        (
            "unknown field ignored",
            b"foo: bar\ndata: a\n\n",
            vec![ev("message", "a", "", None)],
        ),
        (
            "field name is case sensitive",
            b"Data: a\ndata: b\n\n",
            vec![ev("message", "b", "", None)],
        ),
        (
            "bom stripped once",
            b"\xEF\xBB\xBFdata: a\n\n",
            vec![ev("message", "a", "", None)],
        ),
        ("second bom kept", b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n", vec![]),
        (
            "invalid utf8 replaced",
            b"data: a\xFFb\xE2\x82\n\n",
            vec![ev("message", "a\u{FFFD}b\u{FFFD}", "", None)],
        ),
        (
            "pending event dropped at eof",
            b"data: a\n\ndata: b\n",
            vec![ev("message", "a", "", None)],
        ),
        (
            "colon in value kept",
            b"data: a: b\n\n",
            vec![ev("message", "a: b", "", None)],
        ),
        ("space before colon is part of the name", b"data : x\n\n", vec![]),
    ]
}

#[test]
fn spec_table() {
    for (name, input, expected) in spec_cases() {
        assert_eq!(decode_chunks(&[input], false), expected, "case {name}");
    }
}

#[test]
fn spec_table_byte_by_byte() {
    for (name, input, expected) in spec_cases() {
        let chunks: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(decode_chunks(&chunks, false), expected, "case {name}");
    }
}

#[test]
fn flush_at_eof_dispatches_pending_event() {
    assert_eq!(
        decode_chunks(&[b"data: a\n\ndata: b"], true),
        vec![ev("message", "a", "", None), ev("message", "b", "", None)]
    );
    assert_eq!(decode_chunks(&[b"data: b\n"], true), vec![ev("message", "b", "", None)]);
}

#[test]
fn cr_split_from_lf_across_chunks() {
    let events = decode_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"], false);
    assert_eq!(events, vec![ev("message", "a\nb", "", None)]);
}

#[test]
fn bom_split_across_chunks() {
    let events = decode_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"], false);
    assert_eq!(events, vec![ev("message", "a", "", None)]);
    // Two bytes of a BOM then end of stream: they were ordinary (invalid) text.
    assert_eq!(decode_chunks(&[b"\xEF\xBB"], true), vec![]);
}

#[test]
fn utf8_char_split_across_chunks() {
    let events = decode_chunks(&[b"data: \xC3", b"\xA9\n\n"], false);
    assert_eq!(events, vec![ev("message", "é", "", None)]);
}

#[test]
fn decoder_state_is_readable() {
    let mut decoder = SseTokenizer::default();
    decoder
        .feed(b"retry: 10\nid: x\ndata: a\n\n", &mut |_| Ok(()))
        .expect("ok");
    assert_eq!(decoder.retry(), Some(10));
    assert_eq!(decoder.last_event_id(), "x");
    assert_eq!(decoder.events_dispatched(), 1);
}

#[test]
fn line_limit_raises_with_offset_and_recovers() {
    let mut decoder = SseTokenizer::new(8, false);
    let mut out = Vec::new();
    let mut sink = |e: SseEventRef<'_>| {
        out.push(SseEvent::from(e));
        Ok(())
    };
    decoder.feed(b"data: a\n\ndata: ", &mut sink).expect("under the limit");
    let err = decoder.feed(b"0123456789", &mut sink).expect_err("line over the limit");
    assert_eq!(err.kind, ErrorKind::LineTooLong { limit: 8 });
    assert_eq!(err.offset, 9);
    assert_eq!(
        err.to_string(),
        "line longer than `max_event_bytes` (8 bytes); raise `max_event_bytes` to accept it at byte 9"
    );
    decoder
        .feed(b"more\ndata: b\n\n", &mut sink)
        .expect("the long line was skipped");
    assert_eq!(out, vec![ev("message", "a", "", None), ev("message", "b", "", None)]);
}

#[test]
fn event_limit_raises_and_keeps_rest_of_chunk() {
    let mut decoder = SseTokenizer::new(10, false);
    let mut out = Vec::new();
    let mut sink = |e: SseEventRef<'_>| {
        out.push(SseEvent::from(e));
        Ok(())
    };
    let err = decoder
        .feed(
            b"data: a\n\ndata: 1234\ndata: 5678\ndata: 9\ndata: 10\n\ndata: b\n\n",
            &mut sink,
        )
        .expect_err("event over the limit");
    assert_eq!(err.kind, ErrorKind::EventTooLarge { limit: 10 });
    assert_eq!(err.offset, 31);
    decoder.feed(b"", &mut sink).expect("the rest is replayed");
    assert_eq!(out, vec![ev("message", "a", "", None), ev("message", "b", "", None)]);
}

/// Events and errors (kind, offset) of `body` cut at `cut`, reading on after each error.
fn events_and_errors(body: &[u8], cut: usize, limit: usize) -> (Vec<SseEvent>, Vec<(ErrorKind, u64)>) {
    let mut decoder = SseTokenizer::new(limit, true);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut sink = |e: SseEventRef<'_>| {
        out.push(SseEvent::from(e));
        Ok(())
    };
    let (head, tail) = body.split_at(cut);
    for chunk in [head, tail] {
        let mut result = decoder.feed(chunk, &mut sink);
        while let Err(err) = result {
            errors.push((err.kind, err.offset));
            result = decoder.feed(b"", &mut sink);
        }
    }
    if let Err(err) = decoder.close(&mut sink) {
        errors.push((err.kind, err.offset));
    }
    (out, errors)
}

/// The first `data` value is borrowed from the chunk when its line lies in it, or taken over with
/// the buffer that gathered its line: the size limit counts the same either way, wherever the cut.
#[test]
fn event_limit_is_the_same_for_every_cut() {
    // Lines up to 12 bytes; the second event's data would be 13.
    let body = b"data:123456\ndata:78901\n\ndata:123456\ndata:789012\n\ndata:abcdefg\n\nevent: e\ndata: x\ndata:\n\n";
    let (events, errors) = events_and_errors(body, 0, 12);
    assert_eq!(
        events,
        vec![
            ev("message", "123456\n78901", "", None),
            ev("message", "abcdefg", "", None),
            ev("e", "x\n", "", None),
        ]
    );
    assert_eq!(errors, vec![(ErrorKind::EventTooLarge { limit: 12 }, 36)]);
    for cut in 1..=body.len() {
        assert_eq!(
            events_and_errors(body, cut, 12),
            (events.clone(), errors.clone()),
            "cut at {cut}"
        );
    }
}

#[test]
fn callback_error_stops_and_replays_rest() {
    let mut decoder = SseTokenizer::default();
    let mut seen = Vec::new();
    let mut sink = |e: SseEventRef<'_>| {
        if e.data == "bad" {
            return Err(Error::new(ErrorKind::InvalidJson { detail: "x".into() }, e.end_offset));
        }
        seen.push(e.data.to_owned());
        Ok(())
    };
    let err = decoder
        .feed(b"data: a\n\ndata: bad\n\ndata: c\n\n", &mut sink)
        .expect_err("bad");
    assert_eq!(err.offset, 20);
    decoder.close(&mut sink).expect("rest");
    assert_eq!(seen, vec!["a", "c"]);
}

proptest! {
    #[test]
    fn any_split_gives_same_events(input in proptest::collection::vec(
        prop_oneof![Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '), Just(b'd'), Just(b'a'), Just(b't'),
                    Just(0xEFu8), Just(0xBB), Just(0xBF), Just(0xC3), Just(0xA9), any::<u8>()], 0..200),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
        flush in any::<bool>())
    {
        let whole = decode_chunks(&[&input], flush);
        let mut points: Vec<usize> = cuts.iter().map(|c| if input.is_empty() { 0 } else { c % input.len() }).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for p in points {
            chunks.push(&input[last..p]);
            last = p;
        }
        chunks.push(&input[last..]);
        prop_assert_eq!(decode_chunks(&chunks, flush), whole);
    }

    /// Event-stream lines (data lines above all, some over the limits) cut anywhere: the same events
    /// and errors as the whole body, whichever path the line took across the cut.
    #[test]
    fn lines_cut_anywhere_read_as_whole(
        lines in proptest::collection::vec(prop_oneof![
            "data: [a-z]{0,30}", "data:[a-z ]{0,30}", "data", "data:", "data: ", "event: [a-z]{1,5}",
            ": [a-z]{0,10}", "id: [0-9]{1,3}", "", "dat[a-z]{0,3}: x",
        ], 0..12),
        ends in proptest::collection::vec(prop_oneof![Just("\n"), Just("\r\n"), Just("\r")], 12),
        cut in any::<usize>(),
        limit in 4usize..40,
    ) {
        let body: String = lines.iter().zip(&ends).flat_map(|(line, end)| [line.as_str(), end]).collect();
        let body = body.as_bytes();
        let cut = if body.is_empty() { 0 } else { cut % (body.len() + 1) };
        prop_assert_eq!(events_and_errors(body, cut, limit), events_and_errors(body, 0, limit));
    }

    #[test]
    fn data_lines_roundtrip(lines in proptest::collection::vec("[^\r\n]{0,20}", 1..5)) {
        let mut body = String::new();
        for l in &lines {
            body.push_str("data:");
            body.push_str(l);
            body.push('\n');
        }
        body.push('\n');
        let events = decode_chunks(&[body.as_bytes()], false);
        let expected: Vec<String> = lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l).to_owned()).collect();
        prop_assert_eq!(events.len(), 1);
        prop_assert_eq!(&events[0].data, &expected.join("\n"));
    }
}
