//! The splitter of a body of JSON values (NDJSON, or the items of one JSON array), incremental: a
//! chunk may end anywhere, even inside a string escape or a UTF-8 character.

use super::blocks::{self, Block, Nesting};

use crate::error::{Error, ErrorKind, Result};

/// How the values are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Values separated by whitespace (newline-delimited JSON, or one lone JSON body).
    Ndjson,
    /// The items of one JSON array: `[`, values separated by `,`, `]`.
    Array,
}

/// One complete value, borrowed for the duration of the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonValueRef<'a> {
    pub data: &'a str,
    /// Index of this value in the body, from 0.
    pub value_index: u64,
    /// Byte offset of the value's first byte.
    pub start_offset: u64,
    /// Byte offset just past its last byte.
    pub end_offset: u64,
}

/// Where the splitter is between values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outer {
    /// Array: before the `[`.
    Open,
    /// Array: after `[` (`first`) or a `,`: a value comes next (or `]` when `first`).
    Item { first: bool },
    /// Array: after a value: `,` or `]` comes next.
    Next,
    /// Array: after the `]`: only whitespace may follow.
    Closed,
    /// NDJSON: between values.
    Between,
}

/// A value being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// An object, an array or a string: it ends where its nesting returns to 0.
    Nested(Nesting),
    /// A number or a literal: it ends at the first byte that cannot be part of one.
    Scalar,
}

#[derive(Debug)]
pub struct JsonValues {
    shape: Shape,
    max_event_bytes: usize,
    outer: Outer,
    value: Option<Value>,
    /// The bytes of the value being read, copied only when it spans chunks.
    buf: Vec<u8>,
    /// The value being read is over `max_event_bytes`: reported once, then read to its end unkept.
    oversized: bool,
    value_start: u64,
    index: u64,
    /// Absolute offset of the next byte to read.
    offset: u64,
    /// What a fault left unread of the chunk it was found in, read first by the next call.
    unread: Vec<u8>,
}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A byte that ends a number or a literal (it is not part of it).
const fn ends_scalar(b: u8) -> bool {
    is_space(b) || matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"')
}

impl JsonValues {
    pub fn new(shape: Shape, max_event_bytes: usize) -> Self {
        Self {
            shape,
            max_event_bytes,
            outer: match shape {
                Shape::Ndjson => Outer::Between,
                Shape::Array => Outer::Open,
            },
            value: None,
            buf: Vec::new(),
            oversized: false,
            value_start: 0,
            index: 0,
            offset: 0,
            unread: Vec::new(),
        }
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Feeds one chunk; `on_value` gets each value completed. On a fault the rest of the chunk is
    /// kept and read by the next call.
    pub fn feed<F>(&mut self, chunk: &[u8], on_value: &mut F) -> Result<()>
    where
        F: FnMut(JsonValueRef<'_>) -> Result<()>,
    {
        if self.unread.is_empty() {
            return self.run(chunk, on_value);
        }
        let mut input = std::mem::take(&mut self.unread);
        input.extend_from_slice(chunk);
        self.run(&input, on_value)
    }

    /// End of body: a value still being read is handed on as it is (a body is finite: a last
    /// number counts; a cut object is the decoder's invalid JSON, as a cut SSE payload is).
    pub fn close<F>(&mut self, on_value: &mut F) -> Result<()>
    where
        F: FnMut(JsonValueRef<'_>) -> Result<()>,
    {
        if !self.unread.is_empty() {
            self.feed(&[], on_value)?;
        }
        if self.value.take().is_none() {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.buf);
        let end = self.offset;
        self.finish_value(&buf, end, on_value)
    }

    fn run<F>(&mut self, input: &[u8], on_value: &mut F) -> Result<()>
    where
        F: FnMut(JsonValueRef<'_>) -> Result<()>,
    {
        let base = self.offset;
        let mut pos = 0;
        while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
            let step = match self.value {
                Some(value) => self.read_value(value, rest, base + pos as u64, on_value),
                None => self.between(rest, base + pos as u64).map(|n| (n, Ok(()))),
            };
            match step {
                Ok((n, Ok(()))) => pos += n,
                Ok((n, Err(e))) | Err((n, e)) => {
                    let next = (pos + n).min(input.len());
                    self.unread = input.get(next..).unwrap_or_default().to_vec();
                    self.offset = base + next as u64;
                    return Err(e);
                }
            }
        }
        self.offset = base + input.len() as u64;
        Ok(())
    }

    /// Reads from a byte outside any value: whitespace, the array's punctuation, or a value's first
    /// byte (which `read_value` then reads). Returns how many bytes were taken.
    fn between(&mut self, rest: &[u8], at: u64) -> std::result::Result<usize, (usize, Error)> {
        let spaces = rest.iter().take_while(|&&b| is_space(b)).count();
        let Some(&b) = rest.get(spaces) else {
            return Ok(spaces);
        };
        let fault = |detail: String| {
            Err((
                spaces + 1,
                Error::new(ErrorKind::InvalidJson { detail }, at + spaces as u64),
            ))
        };
        match (self.outer, b) {
            (Outer::Open, b'[') => self.outer = Outer::Item { first: true },
            (Outer::Item { first: true } | Outer::Next, b']') => self.outer = Outer::Closed,
            (Outer::Next, b',') => self.outer = Outer::Item { first: false },
            (Outer::Item { .. } | Outer::Between, _) => {
                let value = match b {
                    b'{' | b'[' | b'"' => Value::Nested(Nesting {
                        depth: 0,
                        string: false,
                        escape: false,
                    }),
                    b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => Value::Scalar,
                    _ => return fault(format!("expected a JSON value, found {}", found(b))),
                };
                self.value = Some(value);
                self.value_start = at + spaces as u64;
                return Ok(spaces);
            }
            (Outer::Open, _) => return fault(format!("expected `[`, found {}", found(b))),
            (Outer::Next, _) => return fault(format!("expected `,` or `]` after an array item, found {}", found(b))),
            (Outer::Closed, _) => return fault(format!("data after the end of the array: {}", found(b))),
        }
        Ok(spaces + 1)
    }

    /// Reads a value from its first byte or where the last chunk left it. Returns the bytes taken
    /// and what the callback said of a value completed.
    #[allow(clippy::type_complexity)]
    fn read_value<F>(
        &mut self,
        value: Value,
        rest: &[u8],
        at: u64,
        on_value: &mut F,
    ) -> std::result::Result<(usize, Result<()>), (usize, Error)>
    where
        F: FnMut(JsonValueRef<'_>) -> Result<()>,
    {
        let (state, end) = scan(value, rest);
        let Some(end) = end else {
            self.value = Some(state);
            let taken = rest.len();
            if !self.oversized {
                if self.buf.len() + taken > self.max_event_bytes {
                    self.oversized = true;
                    self.buf = Vec::new();
                    return Err((taken, self.too_large(self.index)));
                }
                self.buf.extend_from_slice(rest);
            }
            return Ok((taken, Ok(())));
        };
        self.value = None;
        let head = rest.get(..end).unwrap_or_default();
        let result = if self.buf.is_empty() {
            self.finish_value(head, at + end as u64, on_value)
        } else {
            let mut buf = std::mem::take(&mut self.buf);
            buf.extend_from_slice(head);
            let result = self.finish_value(&buf, at + end as u64, on_value);
            buf.clear();
            self.buf = buf;
            result
        };
        Ok((end, result))
    }

    /// Hands on a complete value (unless it was over the limit), and moves past it.
    fn finish_value<F>(&mut self, bytes: &[u8], end: u64, on_value: &mut F) -> Result<()>
    where
        F: FnMut(JsonValueRef<'_>) -> Result<()>,
    {
        self.outer = match self.shape {
            Shape::Ndjson => Outer::Between,
            Shape::Array => Outer::Next,
        };
        let index = self.index;
        self.index += 1;
        if std::mem::take(&mut self.oversized) {
            return Ok(());
        }
        if bytes.len() > self.max_event_bytes {
            return Err(self.too_large(index));
        }
        let data = crate::sse::utf8_lossy(bytes);
        on_value(JsonValueRef {
            data: &data,
            value_index: index,
            start_offset: self.value_start,
            end_offset: end,
        })
    }

    fn too_large(&self, index: u64) -> Error {
        Error::new(
            ErrorKind::EventTooLarge {
                limit: self.max_event_bytes,
            },
            self.value_start,
        )
        .with_event_index(index)
    }
}

/// `b` as an error message shows it.
fn found(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Reads `rest` as the continuation of `value`: the state after it, and where the value ends
/// (just past its last byte) if it does in `rest`.
fn scan(value: Value, rest: &[u8]) -> (Value, Option<usize>) {
    let Value::Nested(mut at) = value else {
        return (value, rest.iter().position(|&b| ends_scalar(b)));
    };
    let mut i = 0;
    // The value's first byte (depth 0 outside a string) is not yet inside it, as `step` needs; after
    // it the value is inside until it ends.
    if at.depth == 0 && !at.string {
        i = rest.len().min(1);
        let (next, end) = scan_bytes(at, rest.get(..i).unwrap_or_default(), 0);
        if end.is_some() {
            return (Value::Nested(next), end);
        }
        at = next;
    }
    // Only the last block can be short: the bytes after it stay spaces, which do not matter.
    let mut padded = [b' '; 64];
    while let Some(tail) = rest.get(i..).filter(|t| !t.is_empty()) {
        let len = tail.len().min(64);
        let block = tail.first_chunk::<64>().unwrap_or_else(|| {
            if let (Some(to), Some(from)) = (padded.get_mut(..len), tail.get(..len)) {
                to.copy_from_slice(from);
            }
            &padded
        });
        match blocks::step(block, at, len) {
            Block::End(k) => return (Value::Nested(at), Some(i + k)),
            Block::More(next) => at = next,
            Block::Irregular => {
                let (next, end) = scan_bytes(at, rest.get(..i + len).unwrap_or_default(), i);
                if end.is_some() {
                    return (Value::Nested(next), end);
                }
                at = next;
            }
        }
        i += len;
    }
    (Value::Nested(at), None)
}

/// `scan` byte by byte, from `from`: the value's first byte, and blocks `blocks::step` cannot read.
fn scan_bytes(mut at: Nesting, rest: &[u8], from: usize) -> (Nesting, Option<usize>) {
    for (k, &b) in rest.iter().enumerate().skip(from) {
        if at.escape {
            at.escape = false;
            continue;
        }
        match (at.string, b) {
            (true, b'\\') => at.escape = true,
            (false, b'"') => at.string = true,
            (false, b'{' | b'[') => at.depth = at.depth.saturating_add(1),
            // A closing quote (in a string) or bracket: the value may end here.
            (true, b'"') | (false, b'}' | b']') => {
                if at.string {
                    at.string = false;
                } else {
                    at.depth = at.depth.saturating_sub(1);
                }
                if at.depth == 0 {
                    return (at, Some(k + 1));
                }
            }
            _ => {}
        }
    }
    (at, None)
}
