//! The JSON text the encoders write, byte for byte what the Python twin writes with
//! `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`: no spaces, UTF-8 kept as is, and
//! the same escapes (`\n`, `\r`, `\t`, `\b`, `\f`, `\"`, `\\`, other control characters as `\u00xx`).

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `text` as a JSON string.
pub fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.push(hex(b >> 4));
            out.push(hex(b & 0xf));
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
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
        uint(&mut out, 0);
        out.push(b',');
        uint(&mut out, u64::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), "0,18446744073709551615");
        assert!(is_object(" {\"a\": [1, 2]}"));
        assert!(!is_object("[1]"));
        assert!(!is_object("{\"a\":"));
        assert!(!is_object("{\"a\": 1e400}"));
    }
}
