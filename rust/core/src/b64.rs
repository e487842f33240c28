//! Base64 for file data (`file.data`): decoded from the wire, encoded for `to_dict()` and encoders.
//!
//! One lenient rule on both backends (twin: `reference/b64.py`): the standard or the URL-safe
//! alphabet, ASCII whitespace anywhere skipped (MIME line breaks), `=` padding optional but only at
//! the end, the unused bits of the last character ignored. Anything else is not base64 (`None`).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            let digit = ALPHABET.get(((n >> shift) & 63) as usize).copied().unwrap_or(b'=');
            out.push(if i <= chunk.len() { char::from(digit) } else { '=' });
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    }))
}

/// The bytes of base64 text under the module's rule, or `None`.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches(|c: char| c == '=' || c.is_ascii_whitespace());
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut count = 0usize;
    for &c in body.as_bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        acc = (acc << 6) | value(c)?;
        bits += 6;
        count += 1;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // One character alone cannot end a group: it holds less than a byte.
    (count % 4 != 1).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn round_trip_and_rule() {
        for data in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xff, 0xfe, 0x00],
        ] {
            assert_eq!(decode(&encode(data)).as_deref(), Some(data));
        }
        // RFC 4648 test vectors.
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(b"fooba"), "Zm9vYmE=");
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(decode("Zg").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode("Zm9v\nYmE=\n").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(decode("-_8=").as_deref(), decode("+/8=").as_deref());
        assert_eq!(decode("Z"), None);
        assert_eq!(decode("Zg=g"), None);
        assert_eq!(decode("Z!=="), None);
    }
}
