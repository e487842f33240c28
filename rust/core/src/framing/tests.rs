use super::*;
use crate::error::ErrorKind;
use proptest::prelude::*;

/// The values of `body` fed in pieces cut at `cuts`, as (index, start, end, text).
fn values(shape: Shape, body: &[u8], cuts: &[usize]) -> Vec<(u64, u64, u64, String)> {
    let mut splitter = JsonValues::new(shape, 1 << 20);
    let mut out = Vec::new();
    let mut on_value = |v: JsonValueRef<'_>| {
        out.push((v.value_index, v.start_offset, v.end_offset, v.data.to_owned()));
        Ok(())
    };
    let mut last = 0;
    for &cut in cuts.iter().chain([&body.len()]) {
        splitter.feed(&body[last..cut], &mut on_value).unwrap();
        last = cut;
    }
    splitter.close(&mut on_value).unwrap();
    out
}

fn texts(shape: Shape, body: &[u8]) -> Vec<String> {
    values(shape, body, &[]).into_iter().map(|v| v.3).collect()
}

#[test]
fn array_items_with_any_whitespace() {
    let body = b" [ {\"a\":\"]},[\\\"\"}\r\n,\r\n[1,{\"b\":[]}] , \"s\\\\\",-1.5e3,true ,null]\n";
    assert_eq!(
        texts(Shape::Array, body.trim_ascii_start()),
        [
            "{\"a\":\"]},[\\\"\"}",
            "[1,{\"b\":[]}]",
            "\"s\\\\\"",
            "-1.5e3",
            "true",
            "null"
        ]
    );
}

#[test]
fn ndjson_values_and_a_pretty_printed_lone_body() {
    let body = b"{\"a\":1}\n{\"b\":\n  {\"c\": \"}\"}\n}\n\n7 \"x\"";
    assert_eq!(
        texts(Shape::Ndjson, body),
        ["{\"a\":1}", "{\"b\":\n  {\"c\": \"}\"}\n}", "7", "\"x\""]
    );
}

#[test]
fn every_split_gives_the_same_values_and_offsets() {
    let body = "[{\"t\":\"é\\\"\\\\\"}\r\n,\r\n{\"u\":[[]]},12]".as_bytes();
    let whole = values(Shape::Array, body, &[]);
    assert_eq!(whole[0].1, 1);
    assert_eq!(&body[whole[1].1 as usize..whole[1].2 as usize], b"{\"u\":[[]]}");
    for a in 0..=body.len() {
        for b in a..=body.len() {
            assert_eq!(values(Shape::Array, body, &[a, b]), whole, "cuts {a} {b}");
        }
    }
}

#[test]
fn a_value_is_handed_on_as_soon_as_it_is_complete() {
    let mut splitter = JsonValues::new(Shape::Array, 100);
    let mut seen = Vec::new();
    splitter
        .feed(b"[{\"a\":1}\r\n", &mut |v| {
            seen.push(v.data.to_owned());
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, ["{\"a\":1}"]);
}

#[test]
fn faults_name_the_byte_and_reading_goes_on_after_them() {
    let mut splitter = JsonValues::new(Shape::Array, 100);
    let mut seen = Vec::new();
    let err = splitter
        .feed(b"[{}x,{\"b\":2}]", &mut |v| {
            seen.push(v.data.to_owned());
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid JSON payload: expected `,` or `]` after an array item, found `x` at byte 3"
    );
    splitter
        .feed(b"", &mut |v| {
            seen.push(v.data.to_owned());
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, ["{}", "{\"b\":2}"]);
    for (shape, body, message) in [
        (Shape::Array, &b"[}"[..], "expected a JSON value, found `}`"),
        (Shape::Array, b"[1,]", "expected a JSON value, found `]`"),
        (Shape::Array, b"[1] 2", "data after the end of the array: `2`"),
        (Shape::Array, b"{}", "expected `[`, found `{`"),
        (Shape::Ndjson, b"{}\n\x01", "expected a JSON value, found byte 0x01"),
    ] {
        let err = JsonValues::new(shape, 100).feed(body, &mut |_| Ok(())).unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::InvalidJson { detail } if detail == message),
            "{err}"
        );
    }
}

#[test]
fn a_value_over_the_limit_is_reported_once_wherever_the_chunks_end() {
    let body = b"[{\"a\":\"0123456789\"},{\"b\":1}]";
    for cut in 0..=body.len() {
        let mut splitter = JsonValues::new(Shape::Array, 12);
        let mut seen = Vec::new();
        let mut errors = Vec::new();
        let mut on_value = |v: JsonValueRef<'_>| {
            seen.push(v.data.to_owned());
            Ok(())
        };
        for piece in [&body[..cut], &body[cut..], b""] {
            let mut result = splitter.feed(piece, &mut on_value);
            while let Err(e) = result {
                errors.push(e.to_string());
                result = splitter.feed(b"", &mut on_value);
            }
        }
        splitter.close(&mut on_value).unwrap();
        assert_eq!(seen, ["{\"b\":1}"], "cut {cut}");
        assert_eq!(
            errors,
            ["event data larger than `max_event_bytes` (12 bytes); raise `max_event_bytes` to accept it at byte 1, event 0"],
            "cut {cut}"
        );
    }
}

/// Values longer than the 8-byte words the scanner reads at once, and than the 16 bytes after which a
/// string is searched by memchr: brackets and quotes inside strings, escapes, deep nesting; the values
/// end where `serde_json` says they do, however the body is cut.
#[test]
fn long_values_end_where_serde_says() {
    let lines: Vec<String> = (0..40)
        .map(|n| {
            let text = "]}[{ \\\" x".repeat(n % 7) + &"y".repeat(n * 5);
            let plain = "a] b} c[ {".repeat(n % 5);
            let pad = "z".repeat(n * 3);
            format!("{{\"k\":[{n},{{\"t\":\"{text}\"}},[[],{{}}],\"{plain}\"],\"pad\":\"{pad}\",\"d\":{{\"e\":[[[{n}]]]}}}}\n")
        })
        .collect();
    let body = lines.concat();
    let mut expected = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(&body).into_iter::<serde_json::Value>();
    while let Some(value) = stream.next() {
        value.unwrap();
        expected.push(stream.byte_offset() as u64);
    }
    assert_eq!(expected.len(), 40);
    for step in [usize::MAX, 1, 7, 63, 64, 65, 200] {
        let cuts: Vec<usize> = (1..body.len())
            .filter(|c| step != usize::MAX && c % step == 0)
            .collect();
        let ends: Vec<u64> = values(Shape::Ndjson, body.as_bytes(), &cuts)
            .iter()
            .map(|v| v.2)
            .collect();
        assert_eq!(ends, expected, "cut every {step}");
    }
}

/// Where a value starting at the body's first byte ends, byte by byte: the rules of `JsonValues`
/// written out plainly (an escape only inside a string, a backslash elsewhere is a plain byte), to
/// check the 64-byte block reading against.
fn plain_end(body: &[u8]) -> Option<usize> {
    let (mut depth, mut string, mut escape) = (0u32, false, false);
    for (k, &b) in body.iter().enumerate() {
        if escape {
            escape = false;
        } else if string {
            match b {
                b'\\' => escape = true,
                b'"' if depth == 0 => return Some(k + 1),
                b'"' => string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth <= 1 => return Some(k + 1),
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
    }
    None
}

/// Bodies dense in what the block masks track: runs of backslashes of any parity in strings (and
/// a few outside, where they are plain bytes), quotes, brackets, across block and chunk boundaries.
fn dense_value() -> impl Strategy<Value = Vec<u8>> {
    let text = proptest::collection::vec(
        prop_oneof![
            Just(r"\"),
            Just(r"\\"),
            Just(r#"\""#),
            Just(r"\\\"),
            Just("]}"),
            Just("xyz"),
            Just("{[ "),
        ],
        0..12,
    )
    .prop_map(|pieces| format!("\"{}\"", pieces.concat()));
    let token = prop_oneof![
        30 => text,
        10 => prop_oneof![Just("{"), Just("}"), Just("["), Just("]"), Just(" ,:1")].prop_map(str::to_owned),
        1 => Just(r"\".to_owned()),
    ];
    // Deep enough that most values outlast a few blocks.
    (
        prop_oneof![Just("{"), Just("["), Just("\"")],
        0usize..40,
        proptest::collection::vec(token, 0..200),
    )
        .prop_map(|(first, depth, rest)| format!("{first}{}{}", "[".repeat(depth), rest.concat()).into_bytes())
}

proptest! {
    #[test]
    fn a_value_ends_where_the_plain_reading_says(
        body in dense_value(),
        cuts in proptest::collection::vec(0usize..400, 0..6),
    ) {
        let end = plain_end(&body);
        let body = &body[..end.unwrap_or(body.len())];
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= body.len()).collect();
        cuts.sort_unstable();
        let got = values(Shape::Ndjson, body, &cuts);
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(got[0].2, body.len() as u64);
    }
}

/// Runs of 1 to 4 backslashes in a string at every offset, so that some straddle the boundary of
/// the 64-byte blocks (where the escape is carried from one block to the next); fed whole and cut
/// at every third byte.
#[test]
fn backslash_runs_across_block_boundaries() {
    for prefix in ["\"", "[\"", "{\"a\":[\""] {
        for pad in 0..140 {
            for run in 1..=4 {
                let body = format!("{prefix}{}{}\"x\"]}}", "y".repeat(pad), "\\".repeat(run)).into_bytes();
                let end = plain_end(&body).unwrap_or(body.len());
                let body = &body[..end];
                let thirds: Vec<usize> = (1..body.len()).filter(|c| c % 3 == 0).collect();
                for cuts in [&[][..], &thirds] {
                    let got = values(Shape::Ndjson, body, cuts);
                    assert_eq!(got.len(), 1, "{prefix} {pad} {run}");
                    assert_eq!(got[0].2, body.len() as u64, "{prefix} {pad} {run}");
                }
            }
        }
    }
}
