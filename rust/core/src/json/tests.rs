use proptest::prelude::*;

use super::*;

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn obj(members: &[(&str, Value)]) -> Value {
    Value::Object(members.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

fn arr(items: &[Value]) -> Value {
    Value::Array(items.to_vec())
}

fn key(k: &str) -> PathSegment {
    PathSegment::Key(k.to_owned())
}

/// Feeds `chunks`, returning the deltas (appends to one path merged) and the accumulator.
fn feed_chunks(chunks: &[&[u8]]) -> (Vec<OwnedDelta>, Result<()>, JsonAccumulator) {
    let mut acc = JsonAccumulator::default();
    let mut deltas: Vec<OwnedDelta> = Vec::new();
    let mut result = Ok(());
    for chunk in chunks {
        result = acc.feed_with(chunk, &mut |d: &Delta<'_>| {
            push_merged(&mut deltas, OwnedDelta::from(d));
        });
        if result.is_err() {
            break;
        }
    }
    (deltas, result, acc)
}

fn push_merged(deltas: &mut Vec<OwnedDelta>, delta: OwnedDelta) {
    if let Some(last) = deltas.last_mut() {
        if let (DeltaKind::StringAppend, DeltaKind::StringAppend, Some(Value::String(a)), Some(Value::String(b))) =
            (last.kind, delta.kind, &mut last.value, &delta.value)
        {
            if last.path == delta.path {
                a.push_str(b);
                return;
            }
        }
    }
    deltas.push(delta);
}

fn snapshot_of(prefix: &[u8]) -> Option<Value> {
    let mut acc = JsonAccumulator::default();
    acc.feed(prefix).unwrap();
    acc.snapshot()
}

/// Snapshots of prefixes, as `jiter.from_json(prefix, partial_mode="trailing-strings")` gives them
/// (except `None`, where jiter raises on an incomplete top-level value).
#[test]
fn snapshot_of_prefixes() {
    let cases: Vec<(&[u8], Option<Value>)> = vec![
        (b"", None),
        (b" ", None),
        (b"{", Some(obj(&[]))),
        (b"{\"a", Some(obj(&[]))),
        (b"{\"a\"", Some(obj(&[]))),
        (b"{\"a\":", Some(obj(&[]))),
        (b"{\"a\": 1", Some(obj(&[("a", Value::Int(1))]))),
        (b"{\"a\": 1.", Some(obj(&[]))),
        (b"{\"a\": 1.5", Some(obj(&[("a", Value::Float(1.5))]))),
        (b"{\"a\": 1.5e-", Some(obj(&[]))),
        (b"{\"a\": 1.5e-3", Some(obj(&[("a", Value::Float(0.0015))]))),
        (b"{\"a\": -", Some(obj(&[]))),
        (b"{\"a\": tru", Some(obj(&[]))),
        (b"{\"a\": true", Some(obj(&[("a", Value::Bool(true))]))),
        (b"{\"a\": \"", Some(obj(&[("a", s(""))]))),
        (b"{\"a\": \"x\\", Some(obj(&[("a", s("x"))]))),
        (b"{\"a\": \"x\\u00", Some(obj(&[("a", s("x"))]))),
        (b"{\"a\": \"x\\ud83d\\ude", Some(obj(&[("a", s("x"))]))),
        (b"{\"a\": \"x\\ud83d\\ude00", Some(obj(&[("a", s("x\u{1F600}"))]))),
        (b"{\"a\": \"x\xc3", Some(obj(&[("a", s("x"))]))),
        (b"[", Some(arr(&[]))),
        (b"[1,", Some(arr(&[Value::Int(1)]))),
        (b"[-0", Some(arr(&[Value::Int(0)]))),
        (b"[-0.0", Some(arr(&[Value::Float(-0.0)]))),
        (b"[1e400", Some(arr(&[Value::Float(f64::INFINITY)]))),
        (
            b"12345678901234567890123",
            Some(Value::BigInt("12345678901234567890123".into())),
        ),
        (b"-", None),
        (b"tr", None),
        (b"\"ab", Some(s("ab"))),
        (b"[[", Some(arr(&[arr(&[])]))),
        (b"[{\"a\":[", Some(arr(&[obj(&[("a", arr(&[]))])]))),
        (b"{\"a\":1,\"b", Some(obj(&[("a", Value::Int(1))]))),
        (b"{\"a\":\"b\" ", Some(obj(&[("a", s("b"))]))),
        (b"[1] ", Some(arr(&[Value::Int(1)]))),
    ];
    for (prefix, expected) in cases {
        assert_eq!(snapshot_of(prefix), expected, "{}", String::from_utf8_lossy(prefix));
    }
}

#[test]
fn invalid_documents_name_the_offset() {
    let cases: Vec<(&[u8], &str)> = vec![
        (b"x", "invalid JSON payload: expected value at byte 0"),
        (b"[1,]", "invalid JSON payload: trailing comma at byte 3"),
        (b"{\"a\":1,}", "invalid JSON payload: trailing comma at byte 7"),
        (b"{1:2}", "invalid JSON payload: key must be a string at byte 1"),
        (b"{\"a\" 1}", "invalid JSON payload: expected `:` at byte 5"),
        (b"[1 2]", "invalid JSON payload: expected `,` or `]` at byte 3"),
        (b"{\"a\":1]", "invalid JSON payload: expected `,` or `}` at byte 6"),
        (b"[01]", "invalid JSON payload: invalid number at byte 2"),
        (b"[1.e5]", "invalid JSON payload: invalid number at byte 3"),
        (b"[-]", "invalid JSON payload: invalid number at byte 2"),
        (b"[NaN]", "invalid JSON payload: expected value at byte 1"),
        (b"[nan]", "invalid JSON payload: expected `null` at byte 2"),
        (b"[trUe]", "invalid JSON payload: expected `true` at byte 3"),
        (b"\"\\x\"", "invalid JSON payload: invalid escape at byte 2"),
        (b"\"\\u12G4\"", "invalid JSON payload: invalid `\\u` escape at byte 5"),
        (
            b"\"\\ud800\"",
            "invalid JSON payload: lone surrogate in `\\u` escape at byte 7",
        ),
        (
            b"\"\\ud800\\n\"",
            "invalid JSON payload: lone surrogate in `\\u` escape at byte 8",
        ),
        (
            b"\"\\ud800\\u0041\"",
            "invalid JSON payload: lone surrogate in `\\u` escape at byte 12",
        ),
        (
            b"\"\\udc00\"",
            "invalid JSON payload: lone surrogate in `\\u` escape at byte 6",
        ),
        (
            b"\"a\tb\"",
            "invalid JSON payload: control character (U+0000 to U+001F) in a string at byte 2",
        ),
        (b"\"a\xffb\"", "invalid JSON payload: invalid UTF-8 at byte 2"),
        (b"\"a\xe2\x82\"", "invalid JSON payload: invalid UTF-8 at byte 2"),
        (b"\"\xed\xa0\x80\"", "invalid JSON payload: invalid UTF-8 at byte 1"),
        (b"{} x", "invalid JSON payload: trailing characters at byte 3"),
        (b"1 2", "invalid JSON payload: trailing characters at byte 2"),
        (b"[1]]", "invalid JSON payload: trailing characters at byte 3"),
    ];
    for (input, message) in cases {
        let (_, whole, _) = feed_chunks(&[input]);
        assert_eq!(whole.unwrap_err().to_string(), message);
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        let (_, split, acc) = feed_chunks(&bytes);
        assert_eq!(split.unwrap_err().to_string(), message);
        // The fault sticks: further input and the final value give the same error.
        let mut acc = acc;
        assert_eq!(acc.feed(b"1").unwrap_err().to_string(), message);
        assert_eq!(acc.value().unwrap_err().to_string(), message);
        assert!(!acc.is_complete());
        acc.reset();
        acc.feed(b"[]").unwrap();
        assert_eq!(acc.value().unwrap().into_owned(), arr(&[]));
    }
}

#[test]
fn incomplete_documents_say_what_is_open() {
    let cases: Vec<(&[u8], &str)> = vec![
        (b"", "a value"),
        (b"  ", "a value"),
        (b"{", "an object"),
        (b"{\"a\":", "an object"),
        (b"[1,", "an array"),
        (b"[\"a", "a string"),
        (b"{\"a", "a string"),
        (b"[1.", "a number"),
        (b"-", "a number"),
        (b"[nu", "a literal"),
    ];
    for (input, what) in cases {
        let mut acc = JsonAccumulator::default();
        acc.feed(input).unwrap();
        assert!(!acc.is_complete());
        let err = acc.finish().unwrap_err();
        assert_eq!(err.kind, ErrorKind::IncompleteJson { detail: what });
        assert_eq!(
            err.to_string(),
            format!(
                "incomplete JSON document: EOF while parsing {what} at byte {}",
                input.len()
            )
        );
    }
}

#[test]
fn top_level_number_is_complete_at_end_of_input() {
    let mut acc = JsonAccumulator::default();
    acc.feed(b"12").unwrap();
    assert!(acc.is_complete());
    assert_eq!(acc.value().unwrap().into_owned(), Value::Int(12));
    acc.feed(b"3.5").unwrap();
    assert_eq!(acc.value().unwrap().into_owned(), Value::Float(123.5));
    acc.feed(b"e").unwrap();
    assert!(!acc.is_complete());
}

#[test]
fn numbers_keep_their_meaning() {
    for (text, expected) in [
        ("-0", Value::Int(0)),
        ("9223372036854775807", Value::Int(i64::MAX)),
        ("-9223372036854775808", Value::Int(i64::MIN)),
        ("9223372036854775808", Value::BigInt("9223372036854775808".into())),
        ("1E+2", Value::Float(100.0)),
        ("0.1", Value::Float(0.1)),
        ("-1e-400", Value::Float(-0.0)),
    ] {
        let mut acc = JsonAccumulator::default();
        acc.feed(format!("[{text}]").as_bytes()).unwrap();
        assert_eq!(acc.value().unwrap().into_owned(), arr(&[expected]), "{text}");
    }
}

#[test]
fn depth_limit_is_an_error_not_a_stack_overflow() {
    let mut acc = JsonAccumulator::new(3);
    acc.feed(b"[[[1]]]").unwrap();
    assert!(acc.is_complete());
    let mut acc = JsonAccumulator::new(3);
    let err = acc.feed(b"[[{\"a\":[").unwrap_err();
    assert_eq!(
        err.to_string(),
        "more than 3 nesting levels; raise `max_depth` to accept it at byte 7"
    );
}

#[test]
fn any_depth_is_built_and_dropped_without_recursion() {
    // Regression (issue 19): the tree was dropped recursively, so a deep enough `max_depth` overflowed
    // the stack. 200,000 levels on a 256 KiB stack: a recursive drop needs tens of bytes a level.
    const LEVELS: usize = 200_000;
    let run = || {
        for (open, close) in [("[", "]"), ("{\"a\":[", "]}")] {
            let mut acc = JsonAccumulator::new(LEVELS * 2);
            let deep = open.repeat(LEVELS) + &close.repeat(LEVELS);
            acc.feed(deep.as_bytes()).unwrap();
            assert!(acc.is_complete());
            // Open containers holding a deep complete child: what a snapshot of a partial document walks.
            let mut acc = JsonAccumulator::new(LEVELS * 2 + 1);
            acc.feed(b"[").unwrap();
            acc.feed(deep.as_bytes()).unwrap();
            assert!(!acc.is_complete());
        }
    };
    let thread = std::thread::Builder::new().stack_size(256 << 10).spawn(run).unwrap();
    thread.join().unwrap();
}

#[test]
fn deltas_of_a_tool_call() {
    let doc = br#"{"path": "a.py", "n": [1, true, null], "o": {}}"#;
    let (deltas, result, _) = feed_chunks(&[doc]);
    result.unwrap();
    let d = |path: Vec<PathSegment>, kind, value| OwnedDelta { path, kind, value };
    let idx = PathSegment::Index;
    assert_eq!(
        deltas,
        vec![
            d(vec![], DeltaKind::BeginObject, None),
            d(vec![key("path")], DeltaKind::StringAppend, Some(s("a.py"))),
            d(vec![key("path")], DeltaKind::Value, Some(s("a.py"))),
            d(vec![key("n")], DeltaKind::BeginArray, None),
            d(vec![key("n"), idx(0)], DeltaKind::Value, Some(Value::Int(1))),
            d(vec![key("n"), idx(1)], DeltaKind::Value, Some(Value::Bool(true))),
            d(vec![key("n"), idx(2)], DeltaKind::Value, Some(Value::Null)),
            d(vec![key("n")], DeltaKind::End, None),
            d(vec![key("o")], DeltaKind::BeginObject, None),
            d(vec![key("o")], DeltaKind::End, None),
            d(vec![], DeltaKind::End, None),
        ]
    );
}

#[test]
fn string_appends_follow_the_fragments() {
    let mut acc = JsonAccumulator::default();
    let mut got = Vec::new();
    for chunk in [&b"{\"c\": \"ab"[..], b"\\u00", b"e9\xc3", b"\xa9\"", b"}"] {
        let mut deltas = Vec::new();
        acc.feed_with(chunk, &mut |d: &Delta<'_>| deltas.push(OwnedDelta::from(d)))
            .unwrap();
        got.push(deltas.iter().map(|d| (d.kind, d.value.clone())).collect::<Vec<_>>());
    }
    assert_eq!(
        got,
        vec![
            vec![(DeltaKind::BeginObject, None), (DeltaKind::StringAppend, Some(s("ab")))],
            vec![],
            vec![(DeltaKind::StringAppend, Some(s("\u{e9}")))],
            vec![
                (DeltaKind::StringAppend, Some(s("\u{e9}"))),
                (DeltaKind::Value, Some(s("ab\u{e9}\u{e9}")))
            ],
            vec![(DeltaKind::End, None)],
        ]
    );
}

#[test]
fn deltas_before_a_fault_are_delivered() {
    let mut acc = JsonAccumulator::default();
    let mut deltas = Vec::new();
    let err = acc
        .feed_with(b"[\"ab\x01", &mut |d: &Delta<'_>| deltas.push(OwnedDelta::from(d)))
        .unwrap_err();
    assert_eq!(err.offset, 4);
    assert_eq!(deltas.len(), 2);
    assert_eq!(acc.snapshot(), Some(arr(&[s("ab")])));
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "\\PC{0,12}|[\"\\\\\u{0}-\u{1f}é😀]{0,6}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::vec(("\\PC{0,6}", inner), 0..6)
                .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
        ]
    })
}

fn to_core(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map_or_else(
            || {
                n.as_u64().map_or_else(
                    || Value::Float(n.as_f64().unwrap()),
                    |u| Value::BigInt(u.to_string().into()),
                )
            },
            Value::Int,
        ),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(to_core).collect()),
        serde_json::Value::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.clone(), to_core(v))).collect())
        }
    }
}

fn split_at_points<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if input.is_empty() { 0 } else { c % input.len() })
        .collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut last = 0;
    for p in points {
        chunks.push(&input[last..p]);
        last = p;
    }
    chunks.push(&input[last..]);
    chunks
}

proptest! {
    #[test]
    fn any_split_gives_the_same_deltas_and_value(
        doc in json_value(),
        pretty in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }.unwrap();
        let (whole, result, acc) = feed_chunks(&[text.as_bytes()]);
        result.unwrap();
        prop_assert_eq!(acc.value().unwrap().into_owned(), to_core(&doc));
        let chunks = split_at_points(text.as_bytes(), &cuts);
        let (split, result, acc) = feed_chunks(&chunks);
        result.unwrap();
        prop_assert_eq!(split, whole);
        prop_assert_eq!(acc.value().unwrap().into_owned(), to_core(&doc));
    }

    #[test]
    fn any_bytes_never_panic_and_split_gives_the_same_outcome(
        input in proptest::collection::vec(prop_oneof![
            Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b'\\'), Just(b':'), Just(b','),
            Just(b'u'), Just(b'1'), Just(b'-'), Just(b'e'), Just(b'.'), Just(b' '), Just(0xC3), Just(0xA9),
            any::<u8>()], 0..80),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let (whole, whole_result, whole_acc) = feed_chunks(&[&input]);
        let (split, split_result, split_acc) = feed_chunks(&split_at_points(&input, &cuts));
        prop_assert_eq!(split, whole);
        prop_assert_eq!(split_result, whole_result);
        prop_assert_eq!(split_acc.snapshot(), whole_acc.snapshot());
        prop_assert_eq!(split_acc.is_complete(), whole_acc.is_complete());
    }
}
