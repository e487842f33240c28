//! The JSON text the encoders write, byte for byte what the Python twin writes with
//! `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`: no spaces, UTF-8 kept as is, and
//! the same escapes (`\n`, `\r`, `\t`, `\b`, `\f`, `\"`, `\\`, other control characters as `\u00xx`).

use crate::families::scan::special;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Below this length a string is written byte by byte (see [`string`]).
const SHORT: usize = 16;

/// `text` as a JSON string.
pub fn string(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    if bytes.len() < SHORT {
        // Byte by byte into the room reserved: most deltas are a token of a few bytes (5.9 on
        // average over the corpus), for which the search below and the copy of its run (a call
        // to `memcpy`) cost more than the bytes themselves.
        for &b in bytes {
            if b < 0x20 || b == b'"' || b == b'\\' {
                escape(out, b);
            } else {
                out.push(b);
            }
        }
        out.push(b'"');
        return;
    }
    let mut start = 0;
    // Most text needs no escape: the scanner's search for the next byte that does (sixteen bytes
    // at a time) finds the runs copied as they are.
    loop {
        let at = special(bytes, start);
        out.extend_from_slice(bytes.get(start..at).unwrap_or_default());
        let Some(&b) = bytes.get(at) else { break };
        escape(out, b);
        start = at + 1;
    }
    out.push(b'"');
}

/// The escape of one byte that needs one, as `json.dumps` writes it.
fn escape(out: &mut Vec<u8>, b: u8) {
    let short: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => {
            let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
            return;
        }
    };
    out.extend_from_slice(short);
}

/// A JSON string whose inside was escaped already (by [`string`]).
pub fn escaped(out: &mut Vec<u8>, inside: &[u8]) {
    out.reserve(inside.len() + 2);
    out.push(b'"');
    out.extend_from_slice(inside);
    out.push(b'"');
}

/// A JSON string, or `null`.
pub fn opt_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn raw(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// A signed integer (a unix time from the wire may be negative).
pub fn int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    uint(out, n.unsigned_abs());
}

pub fn uint(out: &mut Vec<u8>, n: u64) {
    // The numbers written most (indexes, sequence numbers) are short: written without the copy
    // of a variable length below, a call to `memcpy` (the Responses encoder over the corpus went
    // from 8.75M to 8.28M instructions, callgrind).
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    if n < 1000 {
        out.extend_from_slice(&[
            b'0' + (n / 100) as u8,
            b'0' + (n / 10 % 10) as u8,
            b'0' + (n % 10) as u8,
        ]);
        return;
    }
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = n;
    loop {
        pos -= 1;
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(pos..).unwrap_or_default());
}

/// Whether `text` is JSON (a result written into an item as sent must be), as serde reads it.
pub fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}

/// Whether `text` is one JSON array, as serde reads it.
pub fn is_array(text: &str) -> bool {
    array_len(text).is_some()
}

/// The number of items of `text` when it is one JSON array, as serde reads it.
pub fn array_len(text: &str) -> Option<usize> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .as_array()
        .map(Vec::len)
}

/// Whether `text` is one JSON object (Gemini's `args` must be one). The Python twin asks the
/// same of `json.loads`, refusing what serde refuses (`NaN`, numbers beyond a double's range).
pub fn is_object(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_python_does() {
        let mut out = Vec::new();
        string(&mut out, "a\"b\\c\nd\u{1}é\u{7f}\u{2028}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\nd\\u0001é\u{7f}\u{2028}\""
        );
    }

    #[test]
    fn numbers_and_objects() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 42, 99, 100, 567, 999, 1000, 12345, u64::MAX] {
            out.clear();
            uint(&mut out, n);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), n.to_string());
        }
        assert!(is_object(" {\"a\": [1, 2]}"));
        assert!(!is_object("[1]"));
        assert!(!is_object("{\"a\":"));
        assert!(!is_object("{\"a\": 1e400}"));
    }

    proptest::proptest! {
        // serde_json escapes as `json.dumps` does: an oracle for the word-at-a-time scan, on
        // strings dense in what needs an escape and in multi-byte characters.
        #[test]
        fn strings_are_escaped_as_serde_json_does(text in "[a-z\"\\\\\\x00-\\x1f\\x7fé€😀]{0,60}") {
            let mut out = Vec::new();
            string(&mut out, &text);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }
    }
}
