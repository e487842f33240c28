//! The tolerant reader (DESIGN.md): what a decoder does not model never fails the stream. Payload
//! lines (real ones, from the corpus seeds) are mutated the way a provider's next release would
//! change them, and the mutated body must fail no more than the original: when the original gives
//! no fault (with `on_error="emit"`, no `parse_error` event), neither does the mutated one and the
//! ordering rules hold; nothing panics.
//!
//! The mutations, chosen by the seed byte, line by line:
//! - a copy of the payload under a new type (its `type` field, and its SSE event name or Bedrock
//!   event type) put before it: a new payload type;
//! - a copy of an element of an array (an item, a content block, a part) under a new `type`,
//!   inserted beside it: a new item or block type;
//! - new fields with object and array values added to the payload and its nested objects;
//! - an object item of some array inside the payload replaced by a value of another JSON type (a
//!   known list's item of a new type, left out of the list);
//! - a token count (a number member whose name says `token` or `count`) or a boolean member given a
//!   value of another JSON type, or a count given a float or a negative integer (read as absent).
//!   Indexes are left as they are: one a payload cannot do without is a named error when absent.
//!
//! Input: as for the `parser` target without the raw-body bit (a flags byte, a seed byte, payload
//! lines, framed by `structured_body`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use streamdelta_core::parser::{OnError, Options};
use streamdelta_fuzz::{check_ordering, drive_parser, events_of, family_of, structured_body, Item, Rng};

const NEW_TYPE: &str = "x_fuzz_type_19";

fn new_fields() -> [(&'static str, Value); 2] {
    [
        ("x_fuzz_object_19", json!({"a": [1, {"b": "c"}], "d": null})),
        ("x_fuzz_array_19", json!([{"t": "u"}, [2, 3]])),
    ]
}

/// `value` with a new type when it names one (`Some`), else `None`.
fn retyped(value: &Value) -> Option<Value> {
    let mut copy = value.clone();
    let kind = copy.as_object_mut()?.get_mut("type")?;
    kind.is_string().then(|| *kind = Value::from(NEW_TYPE))?;
    Some(copy)
}

/// Inserts a retyped copy of one typed element of some array inside `value`; whether it did.
fn insert_element(value: &mut Value, rng: &mut Rng) -> bool {
    match value {
        Value::Array(items) => {
            let typed: Vec<usize> = (0..items.len())
                .filter(|&i| items.get(i).and_then(retyped).is_some())
                .collect();
            if let Some(&at) = typed.get(rng.next_u64() as usize % typed.len().max(1)) {
                if let Some(copy) = items.get(at).and_then(retyped) {
                    items.insert(at + (rng.next_u64() as usize & 1), copy);
                    return true;
                }
            }
            items.iter_mut().any(|item| insert_element(item, rng))
        }
        Value::Object(members) => members.values_mut().any(|v| insert_element(v, rng)),
        _ => false,
    }
}

/// Replaces one object item of some array inside `value` by a value of another JSON type; whether it did.
fn retype_element(value: &mut Value, rng: &mut Rng) -> bool {
    match value {
        Value::Array(items) => {
            let objects: Vec<usize> = (0..items.len())
                .filter(|&i| items.get(i).is_some_and(Value::is_object))
                .collect();
            if let Some(&at) = objects.get(rng.next_u64() as usize % objects.len().max(1)) {
                let others = [Value::Null, json!(7), json!("x"), json!([1])];
                if let (Some(item), Some(other)) = (items.get_mut(at), others.get(rng.next_u64() as usize % 4)) {
                    *item = other.clone();
                    return true;
                }
            }
            items.iter_mut().any(|item| retype_element(item, rng))
        }
        Value::Object(members) => members.values_mut().any(|v| retype_element(v, rng)),
        _ => false,
    }
}

/// Gives one count or boolean member inside `value` a value of another JSON type; whether it did.
fn retype_scalar(value: &mut Value, rng: &mut Rng) -> bool {
    match value {
        Value::Object(members) => {
            let found = members.iter_mut().find(|(key, v)| {
                let key = key.to_ascii_lowercase();
                v.is_boolean() || (v.is_u64() && (key.contains("token") || key.contains("count")))
            });
            if let Some((_, v)) = found {
                let others = [
                    json!("3"),
                    json!({"n": 1}),
                    json!([1]),
                    json!(1.5),
                    json!(-1),
                    Value::Null,
                ];
                if let Some(other) = others.get(rng.next_u64() as usize % others.len()) {
                    *v = other.clone();
                    return true;
                }
            }
            members.values_mut().any(|v| retype_scalar(v, rng))
        }
        Value::Array(items) => items.iter_mut().any(|item| retype_scalar(item, rng)),
        _ => false,
    }
}

/// Adds the new fields to `value` and, now and then, to the objects nested in it.
fn add_fields(value: &mut Value, rng: &mut Rng, depth: u32) {
    match value {
        Value::Object(members) => {
            // Into the members first: the new fields themselves stay as they are.
            for v in members.values_mut() {
                add_fields(v, rng, depth + 1);
            }
            if depth == 0 || rng.next_u64().is_multiple_of(3) {
                add_to(members);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| add_fields(v, rng, depth + 1)),
        _ => {}
    }
}

fn add_to(members: &mut Map<String, Value>) {
    for (name, v) in new_fields() {
        members.entry(name).or_insert(v);
    }
}

/// The payload lines as (name, payload), mutated.
fn mutate(lines: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for (n, line) in lines.split(|&b| b == b'\n').enumerate() {
        let (name, payload) = match line.iter().position(|&b| b == b'\t') {
            Some(tab) => (line.get(..tab), line.get(tab + 1..).unwrap_or_default()),
            None => (None, line),
        };
        let parsed = serde_json::from_slice::<Value>(payload).ok().filter(Value::is_object);
        let (Some(mut value), choice) = (parsed, rng.next_u64() % 6) else {
            out.push(line.to_vec());
            continue;
        };
        let named = |name: Option<&[u8]>, v: &Value| {
            let mut line = name.map(|n| [n, b"\t"].concat()).unwrap_or_default();
            line.extend_from_slice(v.to_string().as_bytes());
            line
        };
        match choice {
            // A new payload type, before the first payload only for a family told by name.
            0 if n > 0 => {
                let copy = retyped(&value);
                let new_name = name.map(|_| NEW_TYPE.as_bytes());
                if copy.is_some() || new_name.is_some() {
                    out.push(named(new_name.or(name), copy.as_ref().unwrap_or(&value)));
                }
                out.push(line.to_vec());
            }
            1 if insert_element(&mut value, rng) => out.push(named(name, &value)),
            2 => {
                add_fields(&mut value, rng, 0);
                out.push(named(name, &value));
            }
            3 if retype_element(&mut value, rng) => out.push(named(name, &value)),
            4 if retype_scalar(&mut value, rng) => out.push(named(name, &value)),
            _ => out.push(line.to_vec()),
        }
    }
    out.join(&b'\n')
}

fn faults(items: &[Item<streamdelta_core::Event>]) -> usize {
    items.iter().filter(|i| matches!(i, Item::Fault(_))).count()
}

fuzz_target!(|data: &[u8]| {
    let [flags, seed, lines @ ..] = data else {
        return;
    };
    let family = family_of(*flags);
    let options = Options {
        on_error: OnError::Emit,
        ..Options::default()
    };
    let original = drive_parser(family, options, &[&structured_body(family, *flags, lines)]);
    let mutated_lines = mutate(lines, &mut Rng::new(u64::from(*seed)));
    let mutated = drive_parser(family, options, &[&structured_body(family, *flags, &mutated_lines)]);
    // The ordering of streams that fail is the `parser` target's to check: here the original is clean.
    if faults(&original) == 0 {
        check_ordering(&events_of(&mutated));
        assert_eq!(
            faults(&mutated),
            0,
            "the mutated payloads fail:\n{}\n{:#?}",
            String::from_utf8_lossy(&mutated_lines),
            mutated
                .iter()
                .filter(|i| matches!(i, Item::Fault(_)))
                .collect::<Vec<_>>()
        );
    }
});
