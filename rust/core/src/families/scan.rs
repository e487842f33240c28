//! A small JSON reader for the hot payloads, in front of serde: it walks one object, hands the
//! decoder the keys it knows and skips (while validating) the rest.
//!
//! It is sound, not complete: whatever it accepts, `serde_json` accepts with the same values, and on
//! anything it is unsure of (a type other than the expected one, a duplicate known key, an escape in
//! a key, a lone surrogate, deep nesting, a number that is not a plain `u64`, any malformed text) it
//! gives up ([`GiveUp`]), and the caller parses the payload with serde as before, which then gives the
//! authoritative value or error. So accept/reject behaviour and error text cannot change.
//!
//! Why: serde's derived structs cost 2–3× a plain validating scan on these ~300-byte payloads (each
//! key is parsed into a scratch string and matched, each `Option` field goes through a visitor);
//! measured on the chat corpus, `serde_json` reads the `Chunk` struct at 384 MB/s and merely validates
//! the same text at 1,170 MB/s. Measured gain of the scan, bytes to Python events over each family's
//! corpus (callgrind instructions per pass, whole bodies / 1–512 byte chunks): openai-chat
//! 57.9M → 47.7M / 65.6M → 55.6M, openai-responses 15.9M → 12.3M / 18.8M → 15.2M, anthropic
//! 6.9M → 5.8M / 7.7M → 6.8M, gemini 2.26M → 1.90M / 2.46M → 2.24M; wall clock openai-chat
//! 4.47 → 3.74 ms, openai-responses 1.09 → 0.80 ms (whole bodies, same process, loaded machine).

use std::borrow::Cow;

use super::{List, Obj, Raw};

/// The payload depth limit (`crate::depth`): a payload the scan reads is within it, so the decoders
/// check it only where serde reads (giving up is sound; serde itself stops at 128).
const MAX_DEPTH: usize = crate::depth::MAX_JSON_DEPTH;

/// The scan cannot vouch for the payload (see the module notes): serde reads it instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GiveUp;

/// What a step of the scan reads, or [`GiveUp`]. An optional field reads as `Scanned<Option<T>>`:
/// `Ok(None)` is JSON `null`.
pub type Scanned<T> = Result<T, GiveUp>;

pub struct Scan<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    /// `raw` values are passed over by their quotes and brackets alone (see [`Scan::sketch`]).
    sketch: bool,
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            sketch: false,
        }
    }

    /// A scan that goes on at `pos`, `depth` containers deep, where an earlier scan of the same
    /// bytes up to `pos` left off (see `openai_chat::Template`).
    pub fn resume(text: &'a str, pos: usize, depth: usize) -> Self {
        Self {
            text,
            pos,
            depth,
            sketch: false,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    /// The next byte, which must be there.
    fn next_byte(&self) -> Scanned<u8> {
        self.peek().ok_or(GiveUp)
    }

    /// The next byte after the JSON whitespace serde skips (space, tab, LF, CR). Called before
    /// every token, and providers send no whitespace: one compare decides the usual case, since
    /// every byte that starts a token is above the space. Inlined with that compare and `key`
    /// inlined too: −8.6 % instructions per pass on the chat corpus, bytes to Python events.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn ws(&mut self) -> Scanned<u8> {
        match self.next_byte()? {
            b if b > b' ' => Ok(b),
            // One space after `:` or `,` is the other usual layout (Gemini's).
            b' ' => match self.bytes().get(self.pos + 1) {
                Some(&b) if b > b' ' => {
                    self.pos += 1;
                    Ok(b)
                }
                _ => self.ws_slow(),
            },
            _ => self.ws_slow(),
        }
    }

    #[inline(never)]
    fn ws_slow(&mut self) -> Scanned<u8> {
        while let Some(b) = self.peek() {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(b);
            }
            self.pos += 1;
        }
        Err(GiveUp)
    }

    /// Where the scan is.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The first byte of the next value, not consumed.
    pub fn peek_value(&mut self) -> Scanned<u8> {
        self.ws()
    }

    fn eat(&mut self, literal: &[u8]) -> Scanned<()> {
        let end = self.pos.checked_add(literal.len()).ok_or(GiveUp)?;
        if self.bytes().get(self.pos..end) != Some(literal) {
            return Err(GiveUp);
        }
        self.pos = end;
        Ok(())
    }

    /// The end of the text: only whitespace may follow the value.
    pub fn end(mut self) -> Scanned<()> {
        match self.ws() {
            Err(GiveUp) => Ok(()),
            Ok(_) => Err(GiveUp),
        }
    }

    /// Reads the whole of `text` into `value` with `read` (a payload's top-level scan): only
    /// whitespace may follow.
    #[inline]
    pub fn whole<T>(text: &'a str, value: &mut T, read: fn(&mut Self, &mut T) -> Scanned<()>) -> Scanned<()> {
        let mut scan = Self::new(text);
        read(&mut scan, value)?;
        scan.end()
    }

    /// [`whole`](Self::whole) for a reader that asks of its `raw` fields only whether they are
    /// there: their values are passed over by [`pass_over`](Self::pass_over), so a `Raw` it gives
    /// may not be JSON, and neither may the text. Where that matters the caller checks it some
    /// other way (auto-detection: the decoder reads the same payload next).
    pub fn sketch<T>(text: &'a str, value: &mut T, read: fn(&mut Self, &mut T) -> Scanned<()>) -> Scanned<()> {
        let mut scan = Self::new(text);
        scan.sketch = true;
        read(&mut scan, value)?;
        scan.end()
    }

    /// Reads an object; `field` gets each key and either reads its value (returning `Ok(true)`),
    /// declines it (`Ok(false)`, the value is skipped), or gives up.
    pub fn object(&mut self, field: impl FnMut(&mut Self, &'a str) -> Scanned<bool>) -> Scanned<()> {
        if self.open(b'{', b'}')? {
            self.members(false, field)
        } else {
            Ok(())
        }
    }

    /// The members of an object after one of them (`,` and the next, up to `}`), as `object`.
    pub fn rest_of_object(&mut self, field: impl FnMut(&mut Self, &'a str) -> Scanned<bool>) -> Scanned<()> {
        self.members(true, field)
    }

    /// The loop of `object`, the first member next or (`after_member`) a separator. One call of
    /// `field` in one loop, as LLVM inlines it (called twice, it was not: +8 % instructions).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn members(
        &mut self,
        mut after_member: bool,
        mut field: impl FnMut(&mut Self, &'a str) -> Scanned<bool>,
    ) -> Scanned<()> {
        loop {
            if after_member && !self.another(b'}')? {
                return Ok(());
            }
            after_member = true;
            if self.ws()? != b'"' {
                return Err(GiveUp);
            }
            let key = self.key()?;
            if self.ws()? != b':' {
                return Err(GiveUp);
            }
            self.pos += 1;
            if !field(self, key)? {
                self.skip()?;
            }
        }
    }

    /// Reads an array, `item` reading each element.
    pub fn array(&mut self, item: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        if self.open(b'[', b']')? {
            self.elements(false, item)
        } else {
            Ok(())
        }
    }

    /// Enters a container that opens with `open`: `true` when something comes before its `close`
    /// (an empty one is read whole).
    #[allow(clippy::inline_always)] // part of `object` and `array`
    #[inline(always)]
    fn open(&mut self, open: u8, close: u8) -> Scanned<bool> {
        if self.ws()? != open {
            return Err(GiveUp);
        }
        self.pos += 1;
        self.enter()?;
        if self.ws()? == close {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// The elements of an array after one of them (`,` and the next, up to `]`), as `array`.
    pub fn rest_of_array(&mut self, item: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        self.elements(true, item)
    }

    /// The loop of `array`, as `members` is `object`'s.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn elements(&mut self, mut after_element: bool, mut item: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        loop {
            if after_element && !self.another(b']')? {
                return Ok(());
            }
            after_element = true;
            item(self)?;
        }
    }

    /// After a member or an element: `true` past a `,`, `false` past the container's `close`.
    #[allow(clippy::inline_always)] // part of `members` and `elements`
    #[inline(always)]
    fn another(&mut self, close: u8) -> Scanned<bool> {
        match self.ws()? {
            b',' => {
                self.pos += 1;
                Ok(true)
            }
            b if b == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(GiveUp),
        }
    }

    fn enter(&mut self) -> Scanned<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// `null` as `true`, leaving anything else unread (`false`).
    pub fn null(&mut self) -> Scanned<bool> {
        if self.ws()? == b'n' {
            self.eat(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A field the scan leaves to serde (a rare one): only `null` is read here, anything else gives up.
    pub fn null_only(&mut self) -> Scanned<()> {
        if self.null()? {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// An optional raw-value field: `null`, or the exact text of the value, validated by `skip`
    /// as serde validates a `RawValue`.
    pub fn opt_raw(&mut self) -> Scanned<Option<Raw<'a>>> {
        if self.null()? {
            return Ok(None);
        }
        // An empty array or object written without spaces (the Responses API's `"logprobs":[]` on
        // every text delta) read by its two bytes, as `skip` would read it: through `raw` and
        // `skip` it took about 74 instructions more each (the Responses corpus's decoder, two
        // passes, callgrind: 10,420,914 -> 10,303,196). Its text is a literal, equal to the input's.
        if self.depth < MAX_DEPTH {
            let empty = match self.bytes().get(self.pos..self.pos + 2) {
                Some(b"[]") => Some("[]"),
                Some(b"{}") => Some("{}"),
                _ => None,
            };
            if let Some(empty) = empty {
                self.pos += 2;
                return Ok(Some(Raw::validated(empty)));
            }
        }
        if self.sketch {
            return self.raw(Self::pass_over).map(|((), raw)| Some(raw));
        }
        self.raw(Self::skip).map(|((), raw)| Some(raw))
    }

    /// Reads one value with `read`, and gives its exact text too.
    pub fn raw<T>(&mut self, read: impl FnOnce(&mut Self) -> Scanned<T>) -> Scanned<(T, Raw<'a>)> {
        self.ws()?;
        let start = self.pos;
        let value = read(self)?;
        Ok((value, Raw::validated(self.text.get(start..self.pos).ok_or(GiveUp)?)))
    }

    /// An optional boolean field.
    pub fn opt_bool(&mut self) -> Scanned<Option<bool>> {
        match self.ws()? {
            b'n' => self.eat(b"null").map(|()| None),
            b't' => self.eat(b"true").map(|()| Some(true)),
            b'f' => self.eat(b"false").map(|()| Some(false)),
            _ => Err(GiveUp),
        }
    }

    /// `null`, or an array of objects each read by `item` into the slot it is given. Items are
    /// filled where they lie in the list: returned by value, each struct (a chat `Choice` is 230
    /// bytes) was moved 2–4 times on its way into its parent. Measured with whole payloads filled in
    /// place too (`read_payload`), bytes to Python events: `memmove` went from 6.7 % to 3.0 % of all
    /// time on the chat corpus and from 10.4 % to 2.8 % on anthropic's (perf); instructions per pass
    /// −3 % and −5 % (callgrind), passes per second +7 % and +10 %.
    pub fn opt_list<T: Default>(
        &mut self,
        slot: &mut Option<List<T>>,
        item: fn(&mut Self, &mut T) -> Scanned<()>,
    ) -> Scanned<()> {
        if self.null()? {
            *slot = None;
            return Ok(());
        }
        let list = slot.insert(List::new());
        self.array(|s| list_item(s, list, item))
    }

    /// `null`, or an object read by `item` into the slot (filled in place, as in `opt_list`).
    pub fn opt_obj<T: Default>(
        &mut self,
        slot: &mut Option<Obj<T>>,
        item: fn(&mut Self, &mut T) -> Scanned<()>,
    ) -> Scanned<()> {
        if self.null()? {
            *slot = None;
            return Ok(());
        }
        let obj = slot.insert(Obj(T::default()));
        item(self, &mut obj.0)
    }

    /// An optional string field: `null` or a string.
    pub fn opt_str(&mut self) -> Scanned<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        if self.next_byte()? != b'"' {
            return Err(GiveUp);
        }
        self.string().map(Some)
    }

    /// An optional `u64` field: `null` or a plain non-negative integer that fits. Read digit by
    /// digit: through `str::parse` it cost about 90 instructions for the usual `"index":0`.
    pub fn opt_u64(&mut self) -> Scanned<Option<u64>> {
        let first = self.ws()?;
        if first == b'n' {
            self.eat(b"null")?;
            return Ok(None);
        }
        let mut value = u64::from(first.wrapping_sub(b'0'));
        if value > 9 {
            return Err(GiveUp);
        }
        self.pos += 1;
        if value != 0 {
            while let Some(digit) = self.peek().map(|b| b.wrapping_sub(b'0')).filter(|d| *d <= 9) {
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(digit)))
                    .ok_or(GiveUp)?;
                self.pos += 1;
            }
        }
        // A leading zero, a fraction or an exponent: serde decides.
        if matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            return Err(GiveUp);
        }
        Ok(Some(value))
    }

    /// A key (the opening quote next). One with an escape is left to serde (it decodes keys, so a
    /// lone surrogate is an error there). Its own path, with no `Cow` to build: measured with
    /// callgrind on the chat corpus, about 52 instructions a key against about 80 through `string`.
    #[allow(clippy::inline_always)] // see `ws`
    #[inline(always)]
    fn key(&mut self) -> Scanned<&'a str> {
        let start = self.pos + 1;
        let end = special(self.bytes(), start);
        if self.bytes().get(end) != Some(&b'"') {
            return Err(GiveUp);
        }
        self.pos = end + 1;
        self.text.get(start..end).ok_or(GiveUp)
    }

    /// A string (the opening quote next); borrowed unless it has escapes.
    #[inline]
    fn string(&mut self) -> Scanned<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        let bytes = self.bytes();
        self.pos = special(bytes, self.pos);
        match self.next_byte()? {
            b'"' => {
                let s = self.text.get(start..self.pos).ok_or(GiveUp)?;
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            b'\\' => {}
            // serde rejects raw control characters inside strings.
            _ => return Err(GiveUp),
        }
        // Sized once for the whole string (its text is never longer than its escaped form): grown
        // run by run, the text of an escaped Gemini part was reallocated about four times.
        let mut owned = String::with_capacity(escaped_end(bytes, self.pos).ok_or(GiveUp)? - start);
        owned.push_str(self.text.get(start..self.pos).ok_or(GiveUp)?);
        loop {
            match self.next_byte()? {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                b'\\' => {
                    self.pos += 1;
                    owned.push(self.escape()?);
                }
                0..=0x1f => return Err(GiveUp),
                _ => {
                    let run_start = self.pos;
                    self.pos = special(bytes, self.pos);
                    owned.push_str(self.text.get(run_start..self.pos).ok_or(GiveUp)?);
                }
            }
        }
    }

    fn hex4(&mut self) -> Scanned<u32> {
        let end = self.pos.checked_add(4).ok_or(GiveUp)?;
        let hex = self.text.get(self.pos..end).ok_or(GiveUp)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(GiveUp);
        }
        self.pos = end;
        u32::from_str_radix(hex, 16).map_err(|_| GiveUp)
    }

    /// The character of the escape after a backslash; a `\u` surrogate must be a proper pair.
    fn escape(&mut self) -> Scanned<char> {
        let letter = self.next_byte()?;
        self.pos += 1;
        match letter {
            b'u' => self.unicode_escape(),
            _ => crate::json::simple_escape(letter).ok_or(GiveUp),
        }
    }

    /// The character of a `\u` escape (after the `u`); a surrogate must be a proper pair.
    fn unicode_escape(&mut self) -> Scanned<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.eat(b"\\u")?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(GiveUp);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(GiveUp),
            other => other,
        };
        char::from_u32(code).ok_or(GiveUp)
    }

    /// Skips one value, validating it as serde's `IgnoredAny` does.
    pub fn skip(&mut self) -> Scanned<()> {
        match self.ws()? {
            b'"' => self.skip_string(),
            b'{' => self.object(|_, _| Ok(false)),
            b'[' => self.array(Self::skip),
            b'n' => self.eat(b"null"),
            b't' => self.eat(b"true"),
            b'f' => self.eat(b"false"),
            _ => self.skip_number(),
        }
    }

    /// Passes over one value by its quotes and brackets alone: where it ends, not whether it is
    /// JSON (a first payload's probe, whose large members a full `skip` read twice: once there
    /// and once in the decoder; 10 % of a Gemini stream's instructions, callgrind). The depth limit
    /// holds as in `skip`; scalars are read by `skip`.
    fn pass_over(&mut self) -> Scanned<()> {
        if !matches!(self.ws()?, b'{' | b'[') {
            return self.skip();
        }
        let bytes = self.bytes();
        let outer = self.depth;
        loop {
            match *bytes.get(self.pos).ok_or(GiveUp)? {
                b'"' => loop {
                    self.pos = special(bytes, self.pos + 1);
                    match *bytes.get(self.pos).ok_or(GiveUp)? {
                        b'"' => break,
                        // The escaped byte is passed over with the backslash: `\"` does not end it.
                        b'\\' => self.pos += 1,
                        _ => {}
                    }
                },
                b'{' | b'[' => self.enter()?,
                b'}' | b']' => {
                    self.depth = self.depth.checked_sub(1).ok_or(GiveUp)?;
                    if self.depth == outer {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Skips a string as serde's `ignore_str` does (escapes are checked, `\u` needs four hex
    /// digits), giving up on a lone surrogate: that payload is not valid JSON (`parse_json`).
    fn skip_string(&mut self) -> Scanned<()> {
        self.pos += 1;
        let bytes = self.bytes();
        loop {
            self.pos = special(bytes, self.pos);
            match self.next_byte()? {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape()?;
                }
                _ => return Err(GiveUp),
            }
        }
    }

    /// The JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Inlined
    /// into `skip` as when that was its only caller: with `is_json_number` as a second one, LLVM
    /// made it a call, +1.5 % instructions per pass on the chat corpus (callgrind).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn skip_number(&mut self) -> Scanned<()> {
        if self.next_byte()? == b'-' {
            self.pos += 1;
        }
        match self.next_byte()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return Err(GiveUp),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.next_byte()?.is_ascii_digit() {
                return Err(GiveUp);
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.next_byte()?.is_ascii_digit() {
                return Err(GiveUp);
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}

/// Whether `text` is exactly one JSON number (`skip_number`'s grammar, no whitespace around).
pub fn is_json_number(text: &str) -> bool {
    let mut scan = Scan::new(text);
    scan.skip_number().is_ok() && scan.pos == text.len()
}

/// The position of the first `"`, `\\` or control character at or after `pos` (the length when
/// none): sixteen bytes at a time with SSE2 (part of x86-64 itself, so no CPU check), else eight at
/// a time in a `u64`. Measured: the plain byte loop made string scanning a third of the scan's
/// instructions (callgrind, chat corpus); the `u64` version is `serde_json`'s own trick.
#[inline]
pub(crate) fn special(bytes: &[u8], pos: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    let pos = match special_sse2(bytes, pos) {
        Ok(found) => return found,
        Err(rest) => rest,
    };
    special_swar(bytes, pos)
}

/// [`special`] over whole 16-byte blocks: `Ok` with the find, or `Err` with where fewer than 16
/// bytes remain.
#[cfg(target_arch = "x86_64")]
#[inline]
fn special_sse2(bytes: &[u8], mut pos: usize) -> Result<usize, usize> {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    while let Some(block) = bytes.get(pos..pos + 16) {
        // SAFETY: SSE2 is in every x86-64 CPU; `block` holds 16 readable bytes, and the load is unaligned.
        let mask = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)); // `"`, then `\`
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5c));
            // Unsigned `v <= 0x1f`: the larger of v and 0x1f is 0x1f.
            let control = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
        };
        if mask != 0 {
            return Ok(pos + mask.trailing_zeros() as usize);
        }
        pos += 16;
    }
    Err(pos)
}

#[inline]
fn special_swar(bytes: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes.get(pos..pos + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let v = u64::from_le_bytes(word);
        let quote = v ^ (ONES * u64::from(b'"'));
        let backslash = v ^ (ONES * u64::from(b'\\'));
        // A byte is flagged when it is zero (after the xor) or below 0x20; a flag can be wrong only
        // above a true one, and the lowest flag is the one taken.
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | v.wrapping_sub(ONES * 0x20) & !v)
            & HIGHS;
        if found != 0 {
            return pos + (found.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes.get(pos).is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20) {
        pos += 1;
    }
    pos
}

/// Where the string whose first escape is at `pos` ends (its closing quote), or `None` at a
/// control character or the end of the text.
fn escaped_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        match *bytes.get(pos)? {
            b'"' => return Some(pos),
            // The escaped character is skipped (a `\"` does not end the string).
            b'\\' => pos = special(bytes, pos + 2),
            _ => return None,
        }
    }
}

/// What only the scan fills in a struct (where a value began, say), for its own later use; serde
/// leaves it empty. Not part of the value, so it is left out of `Debug` (how the soundness tests
/// compare the scan's values with serde's).
#[derive(Clone, Copy, Default)]
pub struct ScanOnly<T>(pub Option<T>);

impl<T> std::fmt::Debug for ScanOnly<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

/// One more item of a list, read by `item` where it lies in the list.
#[inline]
pub fn list_item<'a, T: Default>(
    s: &mut Scan<'a>,
    list: &mut List<T>,
    item: fn(&mut Scan<'a>, &mut T) -> Scanned<()>,
) -> Scanned<()> {
    // Not `push`: its argument is built before the capacity check and copied in after it.
    list.resize_with(list.len() + 1, || Obj(T::default()));
    item(s, &mut list.last_mut().ok_or(GiveUp)?.0)
}

/// Whether JSON text (valid but for surrogates) has a `\u` escape of a surrogate that is not one
/// half of a high–low pair: what `parse_json` refuses and serde may have let through.
pub fn has_lone_surrogate(text: &str) -> bool {
    let mut scan = Scan::new(text);
    // In valid JSON a backslash always starts an escape, so escapes are read one after another.
    while let Some(found) = text
        .as_bytes()
        .get(scan.pos..)
        .and_then(|rest| memchr::memchr(b'\\', rest))
    {
        scan.pos += found + 1;
        if scan.escape().is_err() {
            return true;
        }
    }
    false
}

/// One field of a wire struct as a bit of [`FieldsRead`]; `wire!` numbers them in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field(u32);

impl Field {
    /// The field declared `n`th (from 0).
    pub const fn nth(n: u32) -> Self {
        assert!(n < u32::BITS, "a wire struct has at most 32 scanned fields");
        Self(1 << n)
    }
}

/// The fields of one object the scan has read so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldsRead(u32);

impl FieldsRead {
    /// Marks `field` as read; a second one is serde's "duplicate field" error, so the scan gives up.
    pub fn read_once(&mut self, field: Field) -> Scanned<()> {
        if self.0 & field.0 != 0 {
            return Err(GiveUp);
        }
        self.0 |= field.0;
        Ok(())
    }

    /// Whether `field` was read.
    pub fn has(self, field: Field) -> bool {
        self.0 & field.0 != 0
    }
}

/// The soundness tests of a family's payload scan (`$ty::scan`): `$seeds_test` checks the seeds
/// (the first `$read` read by the scan, see `check_seeds`), and `scan_is_sound_under_mutation`
/// any damage to them: the scan never reads something serde would not.
#[cfg(test)]
macro_rules! scan_soundness_tests {
    ($seeds_test:ident, $seeds:ident, $read:expr, $ty:ident) => {
        fn assert_scan_agrees(data: &str) {
            $crate::families::scan::test_support::assert_scan_agrees(data, $ty::scan);
        }

        #[test]
        fn $seeds_test() {
            $crate::families::scan::test_support::check_seeds(&$seeds, $read, assert_scan_agrees, |d| {
                $crate::families::scan::test_support::scanned(d, $ty::scan).is_some()
            });
        }

        proptest::proptest! {
            #[test]
            fn scan_is_sound_under_mutation(data in $crate::families::scan::test_support::mutated(&$seeds)) {
                assert_scan_agrees(&data);
            }
        }
    };
}
#[cfg(test)]
pub(crate) use scan_soundness_tests;

/// The soundness check every family's scan is held to.
#[cfg(test)]
pub(crate) mod test_support {
    use std::fmt::Debug;

    use proptest::prelude::*;
    use serde::Deserialize;

    use super::{Scan, Scanned};
    use crate::error::ErrorKind;

    /// What a payload's top-level scan reads from the whole of `data`, as [`crate::families::read_payload`]
    /// takes it, or `None` where it gives up.
    pub fn scanned<'a, T: Default>(data: &'a str, scan: fn(&mut Scan<'a>, &mut T) -> Scanned<()>) -> Option<T> {
        let mut value = T::default();
        Scan::whole(data, &mut value, scan).ok()?;
        Some(value)
    }

    /// Whenever the scan reads a payload, serde reads the same values (compared as `Debug` text).
    pub fn assert_agrees<'a, T: Debug, U: Debug>(
        data: &'a str,
        scan: impl Fn(&'a str) -> Option<T>,
        serde: impl Fn(&'a str) -> Result<U, ErrorKind>,
    ) {
        if let Some(value) = scan(data) {
            let expected = serde(data).map(|v| format!("{v:?}")).map_err(|e| e.to_string());
            assert_eq!(Ok(format!("{value:?}")), expected, "{data:?}");
        }
    }

    /// [`assert_agrees`] for a wire struct that `scan` reads whole and serde reads as an object.
    pub fn assert_scan_agrees<'a, T: Debug + Default + Deserialize<'a>>(
        data: &'a str,
        scan: fn(&mut Scan<'a>, &mut T) -> Scanned<()>,
    ) {
        assert_agrees(data, |d| scanned(d, scan), crate::families::parse_object::<T>);
    }

    /// Every seed agrees with serde; the first `read` are read by the scan, the rest are left to
    /// serde (duplicates, doubtful numbers, rare fields).
    pub fn check_seeds(seeds: &[&str], read: usize, agrees: impl Fn(&str), scans: impl Fn(&str) -> bool) {
        for (n, data) in seeds.iter().enumerate() {
            agrees(data);
            assert_eq!(scans(data), n < read, "read by the scan: {data}");
        }
    }

    /// Damage to a seed payload: a few spans replaced by JSON-significant snippets.
    pub fn mutated(seeds: &'static [&'static str]) -> impl Strategy<Value = String> {
        let snippets = proptest::sample::select(vec![
            "",
            "\"",
            "\\",
            "\\u",
            "null",
            "true",
            "0",
            "-",
            "1e5",
            ".",
            ",",
            ":",
            "{",
            "}",
            "[",
            "]",
            " ",
            "\u{1}",
            "\u{e9}",
            "d800",
            "\"index\":",
            "\"text\":",
        ]);
        (
            proptest::sample::select(seeds),
            proptest::collection::vec((0..400usize, snippets, 0usize..3), 1..4),
        )
            .prop_map(|(seed, edits)| {
                let mut data = seed.to_owned();
                for (at, insert, remove) in edits {
                    let mut at = at % (data.len() + 1);
                    while !data.is_char_boundary(at) {
                        at -= 1;
                    }
                    let mut end = (at + remove).min(data.len());
                    while !data.is_char_boundary(end) {
                        end += 1;
                    }
                    data.replace_range(at..end, insert);
                }
                data
            })
    }
}

#[cfg(test)]
mod tests {
    use super::{special, Scan};

    /// Each special byte is found at every offset, across the 16-byte blocks and the 8-byte tail;
    /// bytes of multi-byte characters are not special.
    #[test]
    fn special_finds_the_first_special_byte_anywhere() {
        for len in 0..50 {
            let plain = "é".repeat(len / 2) + &"a".repeat(len % 2);
            assert_eq!(special(plain.as_bytes(), 0), plain.len());
            for at in 0..plain.len() {
                for byte in [b'"', b'\\', 0x00, 0x1f] {
                    let mut text = plain.clone().into_bytes();
                    text[at] = byte;
                    text[at..].iter_mut().skip(1).for_each(|b| *b = b'"');
                    for start in 0..=at {
                        assert_eq!(special(&text, start), at, "{text:?} from {start}");
                    }
                }
            }
        }
    }

    #[test]
    fn escaped_strings_are_read_whole() {
        let read = |text: &str| {
            let mut scan = Scan::new(text);
            scan.opt_str()
                .ok()
                .map(|s| (s.map(std::borrow::Cow::into_owned), scan.pos))
        };
        let long = format!("\"{}\\n{}\\\"\"", "a".repeat(40), "é".repeat(20));
        let cases = [
            (r#""\n""#, Some("\n")),
            (r#""a\"b""#, Some("a\"b")),
            (r#""a\\""#, Some("a\\")),
            (r#""\\\"""#, Some("\\\"")),
            (r#""\u00e9\ud83d\ude00x""#, Some("é😀x")),
            (
                long.as_str(),
                Some(&*format!("{}\n{}\"", "a".repeat(40), "é".repeat(20))),
            ),
        ];
        for (text, expected) in cases {
            let got = read(text);
            assert_eq!(got.as_ref().and_then(|(s, _)| s.as_deref()), expected, "{text}");
            assert_eq!(got.map(|(_, pos)| pos), Some(text.len()), "{text}");
        }
        for unterminated in [r#""a\"#, r#""a\""#, r#""\n"#, "\"\\n\u{1}\""] {
            assert_eq!(read(unterminated), None, "{unterminated}");
        }
    }

    /// `opt_raw` reads an empty array or object by its two bytes as `skip` reads it: the same
    /// text and end, and the same answer at the depth limit.
    #[test]
    fn empty_raw_values_read_as_skip_reads_them() {
        let by_skip = |scan: &mut Scan<'_>| scan.raw(Scan::skip).map(|((), raw)| (raw.get().to_owned(), scan.pos));
        let by_opt_raw = |scan: &mut Scan<'_>| scan.opt_raw().map(|raw| (raw.map(|r| r.get().to_owned()), scan.pos));
        let texts = [
            "[]",
            "{}",
            " []",
            "[],",
            "{}}",
            "[ ]",
            "[]]",
            "[}",
            "{]",
            "[",
            "[1]",
            r#"{"a":1}"#,
        ];
        for text in texts {
            for depth in [0, super::MAX_DEPTH - 1, super::MAX_DEPTH] {
                let mut scan = Scan::new(text);
                scan.depth = depth;
                let expected = by_skip(&mut scan).ok().map(|(raw, pos)| (Some(raw), pos));
                let mut scan = Scan::new(text);
                scan.depth = depth;
                assert_eq!(by_opt_raw(&mut scan).ok(), expected, "{text} at depth {depth}");
            }
        }
    }

    #[test]
    fn u64_fields_read_plain_integers_only() {
        let read = |text: &str| Scan::new(text).opt_u64().ok();
        assert_eq!(read("0,"), Some(Some(0)));
        assert_eq!(read("null"), Some(None));
        assert_eq!(read(" 42}"), Some(Some(42)));
        assert_eq!(read("18446744073709551615"), Some(Some(u64::MAX)));
        for given_up in [
            "18446744073709551616",
            "01",
            "00",
            "1.0",
            "0.5",
            "1e3",
            "0E1",
            "-1",
            "",
            "x",
            "nul",
        ] {
            assert_eq!(read(given_up), None, "{given_up}");
        }
    }
}
