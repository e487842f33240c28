//! The nesting-depth limit on JSON payloads, checked before any payload is parsed.
//!
//! `serde_json` stops at 128 nested containers, but only on the paths it deserializes recursively
//! (fields skipped with `IgnoredAny` are walked with no limit), and Python's `json` stops near
//! the interpreter's recursion limit with a `RecursionError`. One explicit check, the same in the
//! pure-Python reference, gives both backends the same rule and the same message whatever fields
//! a family reads; it sits below serde's limit so that serde's own error never shows.

use memchr::memchr2_iter;

use crate::error::ErrorKind;

/// The most arrays and objects a payload may nest; real payloads nest fewer than ten.
pub const MAX_JSON_DEPTH: usize = 100;

/// Fails when `data` opens more than [`MAX_JSON_DEPTH`] arrays or objects inside one another.
/// Brackets inside JSON strings do not count; `data` need not be valid JSON.
pub fn check(data: &str) -> Result<(), ErrorKind> {
    let bytes = data.as_bytes();
    // Fewer opening brackets than the limit cannot nest deeper than it: most payloads stop here,
    // after one vectorized scan that ends at the first bracket past the limit.
    if memchr2_iter(b'[', b'{', bytes).nth(MAX_JSON_DEPTH).is_none() {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(too_deep());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn too_deep() -> ErrorKind {
    ErrorKind::InvalidJson {
        detail: format!("nested deeper than {MAX_JSON_DEPTH} levels (a fixed limit)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn depth_table() {
        let deep_object = format!("{}{}", r#"{"a":"#.repeat(101), "}".repeat(101));
        let cases: [(&str, String, bool); 8] = [
            ("at the limit", nested(MAX_JSON_DEPTH), true),
            ("one past it", nested(MAX_JSON_DEPTH + 1), false),
            ("objects", deep_object, false),
            ("brackets in strings", format!(r#"{{"a":"{}"}}"#, "[".repeat(500)), true),
            (
                "escaped quote keeps the string open",
                format!(r#"["\"{}"]"#, "[".repeat(500)),
                true,
            ),
            ("many siblings", format!("[{}]", "[],".repeat(500) + "[]"), true),
            ("unclosed and deep", "[".repeat(MAX_JSON_DEPTH + 1), false),
            (
                "closers first do not go below zero",
                format!("{}{}", "]".repeat(50), nested(60)),
                true,
            ),
        ];
        for (name, data, ok) in cases {
            assert_eq!(check(&data).is_ok(), ok, "{name}");
        }
        assert_eq!(
            check(&nested(1000)).unwrap_err().to_string(),
            "invalid JSON payload: nested deeper than 100 levels (a fixed limit)"
        );
    }

    #[test]
    fn serde_accepts_everything_the_check_lets_through() {
        let value: serde_json::Value = serde_json::from_str(&nested(MAX_JSON_DEPTH)).unwrap();
        assert!(value.is_array());
    }
}
