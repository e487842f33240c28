//! The incremental JSON accumulator on arbitrary text: no panic; the same value (or the same fault)
//! however the text is split; a snapshot after every fragment; and on every document `serde_json`
//! reads, the final value equals serde's.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use streamdelta_core::json::{JsonAccumulator, Value};
use streamdelta_fuzz::chunks;

/// Our value in serde's terms: objects as maps where the last of repeated keys wins (as serde and
/// `json.loads` do); numbers as text, compared by value below.
#[derive(Debug, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    Number(String),
    Float(f64),
    String(String),
    Array(Vec<Plain>),
    Object(BTreeMap<String, Plain>),
}

fn ours(v: &Value) -> Plain {
    match v {
        Value::Null => Plain::Null,
        Value::Bool(b) => Plain::Bool(*b),
        Value::Int(i) => Plain::Number(i.to_string()),
        Value::BigInt(text) => Plain::Number(text.trim_start_matches('+').to_owned()),
        Value::Float(f) => Plain::Float(*f),
        Value::String(s) => Plain::String(s.clone()),
        Value::Array(items) => Plain::Array(items.iter().map(ours).collect()),
        Value::Object(members) => Plain::Object(members.iter().map(|(k, v)| (k.clone(), ours(v))).collect()),
    }
}

fn serdes(v: &serde_json::Value) -> Plain {
    match v {
        serde_json::Value::Null => Plain::Null,
        serde_json::Value::Bool(b) => Plain::Bool(*b),
        serde_json::Value::Number(n) if n.is_f64() => Plain::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::Number(n) => Plain::Number(n.to_string()),
        serde_json::Value::String(s) => Plain::String(s.clone()),
        serde_json::Value::Array(items) => Plain::Array(items.iter().map(serdes).collect()),
        serde_json::Value::Object(members) => {
            Plain::Object(members.iter().map(|(k, v)| (k.clone(), serdes(v))).collect())
        }
    }
}

/// Equal, with floats allowed serde's default best-effort rounding (a unit in the last place);
/// integers that overflow `u64` are floats for serde and exact integers for us.
fn same(a: &Plain, b: &Plain) -> bool {
    match (a, b) {
        (Plain::Float(x), Plain::Float(y)) => x == y || ((x - y) / y).abs() < 1e-15,
        // `-0` is the integer 0 for us (as for `json.loads`) and the float -0.0 for serde: equal.
        (Plain::Number(text), Plain::Float(y)) => text
            .parse::<f64>()
            .is_ok_and(|x| x == *y || ((x - y) / y).abs() < 1e-15),
        (Plain::Array(x), Plain::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Plain::Object(x), Plain::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

fn run(pieces: &[&[u8]]) -> Result<Value, String> {
    let mut acc = JsonAccumulator::default();
    for piece in pieces {
        acc.feed(piece).map_err(|e| e.to_string())?;
        let _ = acc.snapshot();
    }
    acc.value().map(std::borrow::Cow::into_owned).map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    let [seed, text @ ..] = data else {
        return;
    };
    let whole = run(&[text]);
    let pieces = chunks(text, u64::from(*seed), usize::from(*seed % 16) + 1);
    assert_eq!(whole, run(&pieces), "chunked");
    if let Ok(expected) = serde_json::from_slice::<serde_json::Value>(text) {
        let got = whole.as_ref().map(ours);
        let want = serdes(&expected);
        assert!(
            got.as_ref().is_ok_and(|g| same(g, &want)),
            "serde read {want:?}, the accumulator {got:?}"
        );
    }
});
