//! Reading a nested value 64 bytes at a time (simdjson's stage 1, cut down to what the splitter
//! tracks): one pass classifies the block into bit masks (quotes, backslashes, opening and closing
//! brackets), then the escapes, the strings and the depth follow from a few integer operations on
//! the masks instead of a dispatch per token: JSON bodies have a quote every few bytes, and the
//! token loop this replaces (8-byte SWAR search from token to token) paid a search and a dispatch
//! for each. Measured (criterion `framing` bench, back to back on a shared 2-core Xeon VM): NDJSON
//! whole 806 MiB/s -> 2.33 GiB/s, in 1-512 byte chunks 646 MiB/s -> 1.33 GiB/s; JSON arrays whole
//! 1.77 -> 4.38 GiB/s, chunked 1.58 -> 2.83 GiB/s.

/// The bytes of one block that matter, bit `k` for byte `k`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{`, `[`, `}` or `]` (which of them, the byte's bit 1 tells: set in the opening ones).
    bracket: u64,
}

/// Where a nested value stands between bytes: what `json_values::Value::Nested` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Nesting {
    pub depth: u32,
    pub string: bool,
    pub escape: bool,
}

/// What one block told of the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    /// The value ends just before this offset in the block.
    End(usize),
    /// The value goes on past the block, in this state.
    More(Nesting),
    /// A backslash outside a string, which the masks cannot model (they take every backslash for an
    /// escape): the caller reads the block token by token.
    Irregular,
}

/// Bits 0, 2, 4, …: where a run of backslashes starting on an even bit has its escapers.
const EVEN: u64 = 0x5555_5555_5555_5555;

/// The bytes escaped by a backslash, given whether the block's first byte is (simdjson's
/// `find_escaped_branchless`), and whether the byte after bit `len - 1` is.
fn escaped(backslash: u64, first_escaped: bool, len: usize) -> (u64, bool) {
    let first = u64::from(first_escaped);
    // An escaped backslash escapes nothing.
    let backslash = backslash & !first;
    let follows_escape = backslash << 1 | first;
    // Runs of backslashes starting on an odd bit: adding the run to its start carries past it, which
    // flips which bits of the run (and the byte after it) count as escaped.
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (sequences, overflow) = odd_starts.overflowing_add(backslash);
    let escaped = (EVEN ^ (sequences << 1)) & follows_escape;
    let after = match len {
        64 => overflow,
        _ => (escaped >> len) & 1 == 1,
    };
    (escaped, after)
}

/// Bit `k` set when an odd number of bits at or below `k` are.
const fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The bits of `mask` below bit `len`.
const fn below(mask: u64, len: usize) -> u64 {
    if len >= 64 {
        mask
    } else {
        mask & ((1 << len) - 1)
    }
}

/// Reads the first `len` bytes of a block (those after it are padding without any of the bytes
/// that matter) as the continuation of a value in state `at`, which is inside the value (`depth`
/// above 0, or inside its one string). The same result as reading it byte by byte.
pub(super) fn step(block: &[u8; 64], at: Nesting, len: usize) -> Block {
    let masks = classify(block);
    // Most blocks have no backslash (callgrind: the escape arithmetic was a tenth of the scan).
    let (escaped, escape_after) = if masks.backslash == 0 && !at.escape {
        (0, false)
    } else {
        escaped(masks.backslash, at.escape, len)
    };
    let quotes = masks.quote & !escaped;
    // Bit `k`: inside a string just after byte `k` (an opening quote is inside, a closing one not).
    let inside = prefix_xor(quotes) ^ if at.string { u64::MAX } else { 0 };
    let mut depth = at.depth;
    let end = if depth == 0 {
        // The value is one string, which its first unescaped quote closes.
        (quotes != 0).then(|| quotes.trailing_zeros() as usize + 1)
    } else {
        walk(masks.bracket & !inside, block, &mut depth)
    };
    // Up to the end (or the block's end), the masks read as the bytes do unless a backslash stood
    // outside a string: the first such one is where they part.
    let outside = masks.backslash & !inside;
    if outside != 0 && below(outside, end.unwrap_or(len)) != 0 {
        return Block::Irregular;
    }
    match end {
        Some(end) => Block::End(end),
        None => Block::More(Nesting {
            depth,
            string: inside >> 63 == 1,
            escape: escape_after,
        }),
    }
}

/// Follows the brackets one by one from `depth` (above 0): just past the one that brings it to 0.
/// One at a time rather than counted: a block has few, and a popcount is a dozen instructions
/// without the POPCNT extension, which x86-64 does not promise (callgrind: 15% of the bench).
fn walk(brackets: u64, block: &[u8; 64], depth: &mut u32) -> Option<usize> {
    let mut rest = brackets;
    while rest != 0 {
        let k = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        if block.get(k).is_some_and(|b| b & 2 != 0) {
            *depth = depth.saturating_add(1);
        } else {
            *depth = depth.saturating_sub(1);
            if *depth == 0 {
                return Some(k + 1);
            }
        }
    }
    None
}

/// The masks of a block, 16 bytes at a time with SSE2 (part of x86-64 itself, so no CPU check).
#[cfg(target_arch = "x86_64")]
fn classify(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut masks = Masks::default();
    for (k, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is in every x86-64 CPU; `part` holds 16 readable bytes, and the load is unaligned.
        let [quote, backslash, bracket] = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            // Setting bit 5 maps `[` (0x5B) onto `{` (0x7B) and `]` onto `}`, and no other byte onto either.
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            [
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5c)),
                _mm_or_si128(
                    _mm_cmpeq_epi8(folded, _mm_set1_epi8(0x7b)),
                    _mm_cmpeq_epi8(folded, _mm_set1_epi8(0x7d)),
                ),
            ]
            .map(|m| u64::from(_mm_movemask_epi8(m).unsigned_abs()))
        };
        let shift = 16 * k;
        masks.quote |= quote << shift;
        masks.backslash |= backslash << shift;
        masks.bracket |= bracket << shift;
    }
    masks
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(block: &[u8; 64]) -> Masks {
    classify_bytes(block)
}

/// The masks of a block byte by byte: the other targets' classifier, and the tests' oracle for SSE2.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn classify_bytes(block: &[u8; 64]) -> Masks {
    let mut masks = Masks::default();
    for (k, &b) in block.iter().enumerate() {
        let bit = 1 << k;
        match b {
            b'"' => masks.quote |= bit,
            b'\\' => masks.backslash |= bit,
            b'{' | b'[' | b'}' | b']' => masks.bracket |= bit,
            _ => {}
        }
    }
    masks
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sse2_masks_are_the_bytes_masks(block in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), any::<u8>()], 64)) {
            let block: [u8; 64] = block.try_into().unwrap();
            prop_assert_eq!(super::classify(&block), super::classify_bytes(&block));
        }
    }
}
