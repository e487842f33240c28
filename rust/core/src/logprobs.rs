//! The token logprobs of a part or a message, joined from its deltas' (`TextDelta::logprobs`), each
//! the provider's JSON text as sent.
//!
//! Two shapes come over the wire, and each joins into the shape a user of that API knows:
//! - a list of per-token entries (chat `logprobs.content`, Responses `logprobs`): one array holding
//!   every delta's entries in order ([`join_array`]);
//! - an object of parallel lists (the legacy completions' `{tokens, token_logprobs, top_logprobs,
//!   text_offset}`): one object, as the non-streamed response's `choices[].logprobs`, each member
//!   that is a list in every delta holding their entries in order; a member first sent later is
//!   added after the others, a `null` takes the next value sent, any other value stays the first.
//!   Members are matched by their key as sent, and the object is written compactly
//!   (`{"key":value,...}`); the entries' text is never touched.
//!
//! The first delta decides the shape; a delta of the other shape is passed over. The deltas are JSON
//! the decoders have validated: an object that does not read as one is passed over too.
//!
//! Appending stays proportional to the delta: an object's members are kept apart and written out
//! only when the text is asked for ([`LogprobsJoin::text`]), since appending to every list of one
//! text would move the lists after it on each delta.

use std::borrow::Cow;

/// Appends the entries of `array`, a JSON array's text as sent (`logprobs`: one entry or more), to
/// the array `into`, whose text ends with its `]`: the entries' text is kept as it is, only a `,`
/// goes between them.
pub fn join_array(into: &mut Option<String>, array: &str) {
    match into {
        None => *into = Some(array.to_owned()),
        Some(joined) => append_entries(joined, array),
    }
}

/// `join_array` onto an array's text.
fn append_entries(joined: &mut String, array: &str) {
    joined.pop();
    joined.push(',');
    joined.push_str(array.get(1..).unwrap_or_default());
}

/// Logprobs joined from deltas (see the module notes). Boxed: a part without logprobs (the usual
/// one) holds a null pointer, whose drop and reading stay inline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogprobsJoin(Option<Box<Joined>>);

#[derive(Debug, Clone, PartialEq)]
enum Joined {
    /// The first delta was not an object: the joined array's text.
    Array(String),
    /// The first delta was an object: the members of the joined object, in order (key as sent, value).
    Object(Vec<(String, String)>),
}

impl LogprobsJoin {
    /// Joins one delta's logprobs.
    pub fn push(&mut self, delta: &str) {
        let object = delta.starts_with('{');
        match self.0.as_deref_mut() {
            None | Some(Joined::Object(_)) if object => self.push_object(delta),
            None => self.0 = Some(Box::new(Joined::Array(delta.to_owned()))),
            Some(Joined::Array(joined)) if !object => append_entries(joined, delta),
            // A delta of the other shape.
            Some(_) => {}
        }
    }

    #[cold]
    fn push_object(&mut self, delta: &str) {
        let Some(sent) = members(delta) else {
            return;
        };
        let Joined::Object(joined) = &mut **self.0.get_or_insert_with(|| Box::new(Joined::Object(Vec::new()))) else {
            return;
        };
        for (key, value) in sent {
            match joined.iter_mut().find(|(known, _)| known == key) {
                None => joined.push((key.to_owned(), value.to_owned())),
                Some((_, held)) if held.starts_with('[') && value.starts_with('[') => {
                    if is_empty_array(held) {
                        value.clone_into(held);
                    } else if !is_empty_array(value) {
                        append_entries(held, value);
                    }
                }
                Some((_, held)) if held == "null" => value.clone_into(held),
                Some(_) => {}
            }
        }
    }

    /// The joined JSON text, `None` when no delta had logprobs.
    #[inline]
    pub fn text(&self) -> Option<Cow<'_, str>> {
        self.0.as_deref().map(Joined::text)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl Joined {
    fn text(&self) -> Cow<'_, str> {
        let members = match self {
            Self::Array(array) => return Cow::Borrowed(array),
            Self::Object(members) => members,
        };
        let mut out = String::from("{");
        for (n, (key, value)) in members.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(key);
            out.push_str("\":");
            out.push_str(value);
        }
        out.push('}');
        Cow::Owned(out)
    }
}

/// `[` and `]` with only whitespace between.
fn is_empty_array(text: &str) -> bool {
    text.strip_prefix('[')
        .is_some_and(|rest| rest.trim_start_matches(WS).starts_with(']'))
}

const WS: [char; 4] = [' ', '\t', '\n', '\r'];

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes
        .get(pos)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        pos += 1;
    }
    pos
}

/// The members of a JSON object's text, in order: each key as sent (between its quotes) and its
/// value's exact text. `None` when the text is not one object.
fn members(object: &str) -> Option<Vec<(&str, &str)>> {
    let bytes = object.as_bytes();
    let mut out = Vec::new();
    let mut pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    pos = skip_ws(bytes, pos + 1);
    if bytes.get(pos) != Some(&b'}') {
        loop {
            let key_end = string_end(bytes, pos)?;
            let key = object.get(pos + 1..key_end - 1)?;
            pos = skip_ws(bytes, key_end);
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            let start = skip_ws(bytes, pos + 1);
            let end = value_end(bytes, start)?;
            out.push((key, object.get(start..end)?));
            pos = skip_ws(bytes, end);
            match bytes.get(pos) {
                Some(b',') => pos = skip_ws(bytes, pos + 1),
                Some(b'}') => break,
                _ => return None,
            }
        }
    }
    (skip_ws(bytes, pos + 1) == bytes.len()).then_some(out)
}

/// The end (past its closing quote) of the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut pos = start + 1;
    loop {
        match bytes.get(pos)? {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            _ => pos += 1,
        }
    }
}

/// The end of the value that begins at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut pos = start;
            loop {
                match bytes.get(pos)? {
                    b'"' => pos = string_end(bytes, pos)?,
                    b'{' | b'[' => {
                        depth += 1;
                        pos += 1;
                    }
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        pos += 1;
                        if depth == 0 {
                            return Some(pos);
                        }
                    }
                    _ => pos += 1,
                }
            }
        }
        _ => {
            let mut pos = start;
            while bytes
                .get(pos)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                pos += 1;
            }
            (pos > start).then_some(pos)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{members, LogprobsJoin};

    fn joined(deltas: &[&str]) -> Option<String> {
        let mut join = LogprobsJoin::default();
        for delta in deltas {
            join.push(delta);
        }
        join.text().map(std::borrow::Cow::into_owned)
    }

    #[test]
    fn a_pointer_wide() {
        assert_eq!(size_of::<LogprobsJoin>(), size_of::<usize>());
    }

    #[test]
    fn arrays_join_their_entries() {
        assert_eq!(joined(&[]), None);
        assert_eq!(joined(&["[1, 2 ]", "[3]"]).as_deref(), Some("[1, 2 ,3]"));
    }

    #[test]
    fn objects_join_member_by_member() {
        let a = r#"{"tokens":["a"],"token_logprobs":[-0.5],"top_logprobs":[{"a":-0.5}],"text_offset":[3]}"#;
        let b = r#"{ "tokens" : ["b"], "token_logprobs": [-1e-3], "top_logprobs": [null], "text_offset": [4] }"#;
        assert_eq!(
            joined(&[a, b]).as_deref(),
            Some(
                r#"{"tokens":["a","b"],"token_logprobs":[-0.5,-1e-3],"top_logprobs":[{"a":-0.5},null],"text_offset":[3,4]}"#
            )
        );
        // One delta: its members, written compactly.
        assert_eq!(
            joined(&[b]).as_deref(),
            Some(r#"{"tokens":["b"],"token_logprobs":[-1e-3],"top_logprobs":[null],"text_offset":[4]}"#)
        );
    }

    #[test]
    fn object_members_that_are_not_lists() {
        let deltas = [
            r#"{"top_logprobs":null,"k":1,"e":[]}"#,
            r#"{"top_logprobs":[{"x":-1}],"k":2,"e":[],"new":"s"}"#,
            r#"{"top_logprobs":[{"y":-2}],"e":[5],"k":[3]}"#,
            r#"{"e":[],"k":null}"#,
        ];
        assert_eq!(
            joined(&deltas).as_deref(),
            Some(r#"{"top_logprobs":[{"x":-1},{"y":-2}],"k":1,"e":[5],"new":"s"}"#)
        );
    }

    #[test]
    fn the_first_delta_decides_the_shape() {
        assert_eq!(joined(&["[1]", r#"{"a":[2]}"#, "[3]"]).as_deref(), Some("[1,3]"));
        assert_eq!(
            joined(&[r#"{"a":[2]}"#, "[1]", r#"{"a":[3]}"#]).as_deref(),
            Some(r#"{"a":[2,3]}"#)
        );
        // An object that does not read as one is passed over, and decides nothing.
        assert_eq!(joined(&[r#"{"a":"#, "[1]"]).as_deref(), Some("[1]"));
    }

    #[test]
    fn members_read_exact_texts() {
        let text = r#" {"a\"b" : "x\\\"}" ,"c":{"d":[1,{"e":"]"}]} , "n": -1.5e3 ,"t":true}"#;
        assert_eq!(
            members(text),
            Some(vec![
                (r#"a\"b"#, r#""x\\\"}""#),
                ("c", r#"{"d":[1,{"e":"]"}]}"#),
                ("n", "-1.5e3"),
                ("t", "true")
            ])
        );
        assert_eq!(members("{}"), Some(vec![]));
        for bad in [
            "",
            "[1]",
            "{",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":[1}"#,
            r#"{"a":"x"#,
            "{\"a\":]}",
        ] {
            assert_eq!(members(bad), None, "{bad}");
        }
    }
}
