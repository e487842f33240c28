//! The byte-level state machine behind [`JsonAccumulator::feed_with`]. Every state can be left at
//! the end of a fragment and resumed by the next one, so no byte is ever read twice.
//!
//! `python/streamdelta/reference/json_accumulator.py` is its twin, down to the error offsets.

use std::mem;

use memchr::memchr2;

use super::value::{Delta, DeltaKind, DeltaValue, PathSegment, Value};
use super::JsonAccumulator;
use crate::error::{Error, ErrorKind, Result};

/// Whether a string is an object key (never streamed) or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Key,
    Value,
}

/// Where in a number the last byte left us; the names are the grammar's parts read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpInt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// A value must come: at the start, or after `:`.
    Value,
    /// After `[`: a value or `]`.
    ArrayFirst,
    /// After `,` in an array: a value.
    ArrayNext,
    /// After `{`: a key or `}`.
    ObjectFirst,
    /// After `,` in an object: a key.
    ObjectNext,
    /// After a key: `:`.
    Colon,
    /// After a value in a container: `,` or the closing bracket.
    AfterValue,
    /// The top-level value is complete: only whitespace may follow.
    Done,
    Str(Ctx),
    /// After a backslash in a string.
    Escape(Ctx),
    /// Inside `\uXXXX`: `digits` read so far, their value, and the high surrogate it must pair with.
    Hex {
        ctx: Ctx,
        digits: u8,
        unit: u16,
        high: Option<u16>,
    },
    /// After a high surrogate escape: its low half must follow, starting with `\`.
    LowBackslash {
        ctx: Ctx,
        high: u16,
    },
    /// After a high surrogate escape and `\`: `u` must follow.
    LowU {
        ctx: Ctx,
        high: u16,
    },
    Number(Num),
    /// Inside `true`, `false` or `null`: the literal and how many of its bytes have been matched.
    Literal {
        word: &'static [u8],
        matched: usize,
    },
}

impl State {
    pub(super) fn number_is_valid(self) -> bool {
        matches!(self, Self::Number(Num::Zero | Num::Int | Num::Frac | Num::ExpInt))
    }

    pub(super) fn number_is_float(self) -> bool {
        matches!(self, Self::Number(Num::Frac | Num::ExpInt))
    }

    pub(super) fn in_value_string(self) -> bool {
        self.string_ctx() == Some(Ctx::Value)
    }

    fn string_ctx(self) -> Option<Ctx> {
        match self {
            Self::Str(ctx)
            | Self::Escape(ctx)
            | Self::Hex { ctx, .. }
            | Self::LowBackslash { ctx, .. }
            | Self::LowU { ctx, .. } => Some(ctx),
            _ => None,
        }
    }

    /// The token the input ends inside, for the "EOF while parsing" message.
    pub(super) fn open_token(self) -> Option<&'static str> {
        match self {
            _ if self.string_ctx().is_some() => Some("a string"),
            Self::Number(_) => Some("a number"),
            Self::Literal { .. } => Some("a literal"),
            _ => None,
        }
    }
}

/// An open container and its complete children.
#[derive(Debug)]
pub(super) enum Frame {
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Frame {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn invalid(detail: &str, offset: u64) -> Error {
    Error::new(
        ErrorKind::InvalidJson {
            detail: detail.to_owned(),
        },
        offset,
    )
}

const CONTROL_CHARACTER: &str = "control character (U+0000 to U+001F) in a string";
const LONE_SURROGATE: &str = "lone surrogate in `\\u` escape";

impl JsonAccumulator {
    pub(super) fn run<F>(&mut self, input: &[u8], sink: &mut F) -> Result<()>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let mut pos = 0;
        let result = loop {
            let Some(&byte) = input.get(pos) else { break Ok(()) };
            let at = self.consumed + pos as u64;
            let step = match self.state {
                State::Str(ctx) => self.string_run(input, pos, ctx, sink),
                State::Number(num) => self.number_byte(input, pos, num, sink),
                State::Value
                | State::ArrayFirst
                | State::ArrayNext
                | State::ObjectFirst
                | State::ObjectNext
                | State::Colon
                | State::AfterValue
                | State::Done
                    if is_whitespace(byte) =>
                {
                    Ok(pos + 1)
                }
                State::Value => self.value_start(byte, at, "expected value", sink).map(|()| pos + 1),
                State::ArrayFirst | State::ArrayNext if byte == b']' => {
                    if self.state == State::ArrayNext {
                        Err(invalid("trailing comma", at))
                    } else {
                        self.close_container(sink);
                        Ok(pos + 1)
                    }
                }
                State::ArrayFirst | State::ArrayNext => {
                    self.value_start(byte, at, "expected value", sink).map(|()| pos + 1)
                }
                State::ObjectFirst | State::ObjectNext => match byte {
                    b'"' => {
                        self.begin_string(Ctx::Key, at);
                        Ok(pos + 1)
                    }
                    b'}' if self.state == State::ObjectFirst => {
                        self.close_container(sink);
                        Ok(pos + 1)
                    }
                    b'}' => Err(invalid("trailing comma", at)),
                    _ => Err(invalid("key must be a string", at)),
                },
                State::Colon if byte == b':' => {
                    self.state = State::Value;
                    Ok(pos + 1)
                }
                State::Colon => Err(invalid("expected `:`", at)),
                State::AfterValue => self.after_value(byte, at, sink).map(|()| pos + 1),
                State::Done => Err(invalid("trailing characters", at)),
                State::Escape(_) | State::Hex { .. } | State::LowBackslash { .. } | State::LowU { .. } => {
                    self.escape_byte(byte, at).map(|()| pos + 1)
                }
                State::Literal { word, matched } => self.literal_byte(byte, at, word, matched, sink).map(|()| pos + 1),
            };
            match step {
                Ok(next) => pos = next,
                Err(err) => break Err(err),
            }
        };
        self.flush_append(sink);
        result
    }

    /// The byte that begins a value (whitespace has been skipped).
    fn value_start<F>(&mut self, byte: u8, at: u64, otherwise: &str, sink: &mut F) -> Result<()>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let opens = matches!(byte, b'{' | b'[');
        if opens && self.stack.len() >= self.max_depth {
            return Err(Error::new(
                ErrorKind::LimitExceeded {
                    what: "nesting levels",
                    limit: self.max_depth,
                    option: "max_depth",
                },
                at,
            ));
        }
        let starts = opens || matches!(byte, b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n');
        if !starts {
            return Err(invalid(otherwise, at));
        }
        if let Some(Frame::Array(items)) = self.stack.last() {
            self.path.push(PathSegment::Index(items.len()));
        }
        match byte {
            b'{' | b'[' => {
                let (kind, frame, state) = if byte == b'{' {
                    (DeltaKind::BeginObject, Frame::Object(Vec::new()), State::ObjectFirst)
                } else {
                    (DeltaKind::BeginArray, Frame::Array(Vec::new()), State::ArrayFirst)
                };
                sink(&Delta {
                    path: &self.path,
                    kind,
                    value: DeltaValue::None,
                });
                self.stack.push(frame);
                self.state = state;
            }
            b'"' => self.begin_string(Ctx::Value, at),
            b'-' | b'0'..=b'9' => {
                self.number.clear();
                self.number.push(char::from(byte));
                self.state = State::Number(match byte {
                    b'-' => Num::Minus,
                    b'0' => Num::Zero,
                    _ => Num::Int,
                });
            }
            _ => {
                let word: &'static [u8] = match byte {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                self.state = State::Literal { word, matched: 1 };
            }
        }
        Ok(())
    }

    fn after_value<F>(&mut self, byte: u8, at: u64, sink: &mut F) -> Result<()>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let in_array = matches!(self.stack.last(), Some(Frame::Array(_)));
        match (byte, in_array) {
            (b',', true) => self.state = State::ArrayNext,
            (b',', false) => self.state = State::ObjectNext,
            (b']', true) | (b'}', false) => self.close_container(sink),
            (_, true) => return Err(invalid("expected `,` or `]`", at)),
            (_, false) => return Err(invalid("expected `,` or `}`", at)),
        }
        Ok(())
    }

    fn close_container<F>(&mut self, sink: &mut F)
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let value = match self.stack.pop() {
            Some(Frame::Array(items)) => Value::Array(items),
            Some(Frame::Object(members)) => Value::Object(members),
            None => return,
        };
        sink(&Delta {
            path: &self.path,
            kind: DeltaKind::End,
            value: DeltaValue::None,
        });
        self.complete(value);
    }

    /// Reports a complete scalar and hands it to its container.
    fn complete_scalar<F>(&mut self, value: Value, sink: &mut F)
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        sink(&Delta {
            path: &self.path,
            kind: DeltaKind::Value,
            value: DeltaValue::Scalar(&value),
        });
        self.complete(value);
    }

    fn complete(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                self.state = State::Done;
            }
            Some(Frame::Array(items)) => {
                self.path.pop();
                items.push(value);
                self.state = State::AfterValue;
            }
            Some(Frame::Object(members)) => {
                if let Some(PathSegment::Key(key)) = self.path.pop() {
                    members.push((key, value));
                }
                self.state = State::AfterValue;
            }
        }
    }

    fn begin_string(&mut self, ctx: Ctx, at: u64) {
        self.text.clear();
        self.reported = 0;
        self.string_start = at;
        self.state = State::Str(ctx);
    }

    /// Reads string content up to the next quote, backslash or control character, and that byte.
    fn string_run<F>(&mut self, input: &[u8], pos: usize, ctx: Ctx, sink: &mut F) -> Result<usize>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let rest = input.get(pos..).unwrap_or_default();
        let stop = memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
        let run = rest.get(..stop).unwrap_or_default();
        // Or-ing without an early exit lets the compiler vectorize the common (clean) case.
        let has_control = run.iter().fold(0u8, |seen, &b| seen | u8::from(b < 0x20)) != 0;
        let end = if has_control {
            run.iter().position(|&b| b < 0x20).unwrap_or(stop)
        } else {
            stop
        };
        let at = self.consumed + pos as u64;
        self.push_utf8(run.get(..end).unwrap_or_default(), end < rest.len(), at)?;
        let at = at + end as u64;
        match rest.get(end) {
            None => return Ok(input.len()),
            Some(b'"') => self.close_string(ctx, sink),
            Some(b'\\') => self.state = State::Escape(ctx),
            Some(_) => return Err(invalid(CONTROL_CHARACTER, at)),
        }
        Ok(pos + end + 1)
    }

    /// Appends string bytes that hold no quote, backslash or control character. A UTF-8 sequence
    /// cut by the end of the fragment (`terminated` false) waits for the next one.
    fn push_utf8(&mut self, run: &[u8], terminated: bool, at: u64) -> Result<()> {
        let joined;
        let (bytes, start) = if self.utf8_carry.is_empty() {
            (run, at)
        } else {
            let carried = self.utf8_carry.len() as u64;
            let mut buf = mem::take(&mut self.utf8_carry);
            buf.extend_from_slice(run);
            joined = buf;
            (joined.as_slice(), at - carried)
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => self.text.push_str(text),
            Err(err) => {
                let (valid, tail) = bytes.split_at(err.valid_up_to());
                // `valid_up_to` marks a valid prefix, so this never fails.
                self.text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                if err.error_len().is_some() || terminated {
                    return Err(invalid("invalid UTF-8", start + valid.len() as u64));
                }
                self.utf8_carry.extend_from_slice(tail);
            }
        }
        Ok(())
    }

    fn close_string<F>(&mut self, ctx: Ctx, sink: &mut F)
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        match ctx {
            Ctx::Key => {
                self.path.push(PathSegment::Key(mem::take(&mut self.text)));
                self.state = State::Colon;
            }
            Ctx::Value => {
                self.flush_append(sink);
                let value = Value::String(mem::take(&mut self.text));
                self.complete_scalar(value, sink);
            }
        }
    }

    /// Reports the characters a value string gained since the last report.
    fn flush_append<F>(&mut self, sink: &mut F)
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        if !self.state.in_value_string() {
            return;
        }
        if let Some(new) = self.text.get(self.reported..).filter(|new| !new.is_empty()) {
            sink(&Delta {
                path: &self.path,
                kind: DeltaKind::StringAppend,
                value: DeltaValue::Text(new),
            });
            self.reported = self.text.len();
        }
    }

    /// One byte of an escape sequence (the states after a backslash).
    fn escape_byte(&mut self, byte: u8, at: u64) -> Result<()> {
        match self.state {
            State::Escape(ctx) => {
                let decoded = match byte {
                    b'u' => {
                        self.state = State::Hex {
                            ctx,
                            digits: 0,
                            unit: 0,
                            high: None,
                        };
                        return Ok(());
                    }
                    _ => super::simple_escape(byte).ok_or_else(|| invalid("invalid escape", at))?,
                };
                self.text.push(decoded);
                self.state = State::Str(ctx);
            }
            State::Hex {
                ctx,
                digits,
                unit,
                high,
            } => {
                let Some(digit) = char::from(byte).to_digit(16) else {
                    return Err(invalid("invalid `\\u` escape", at));
                };
                // Four hex digits fit a u16: the shifts never overflow.
                let unit = (unit << 4) | digit as u16;
                if digits < 3 {
                    self.state = State::Hex {
                        ctx,
                        digits: digits + 1,
                        unit,
                        high,
                    };
                    return Ok(());
                }
                let code = match (high, unit) {
                    (None, 0xD800..=0xDBFF) => {
                        self.state = State::LowBackslash { ctx, high: unit };
                        return Ok(());
                    }
                    (None, 0xDC00..=0xDFFF) | (Some(_), 0..=0xDBFF | 0xE000..) => {
                        return Err(invalid(LONE_SURROGATE, at))
                    }
                    (None, unit) => u32::from(unit),
                    (Some(high), low) => 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                };
                self.text
                    .push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                self.state = State::Str(ctx);
            }
            State::LowBackslash { ctx, high } if byte == b'\\' => self.state = State::LowU { ctx, high },
            State::LowU { ctx, high } if byte == b'u' => {
                self.state = State::Hex {
                    ctx,
                    digits: 0,
                    unit: 0,
                    high: Some(high),
                };
            }
            _ => return Err(invalid(LONE_SURROGATE, at)),
        }
        Ok(())
    }

    /// Reads number bytes from `pos`; the byte that ends the number is left for the next state.
    fn number_byte<F>(&mut self, input: &[u8], pos: usize, num: Num, sink: &mut F) -> Result<usize>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        let rest = input.get(pos..).unwrap_or_default();
        let Some(&byte) = rest.first() else {
            return Ok(input.len());
        };
        let at = self.consumed + pos as u64;
        let next = match (num, byte) {
            (Num::Int | Num::Frac | Num::ExpInt, b'0'..=b'9') => {
                let digits = rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
                let run = rest.get(..digits).unwrap_or_default();
                // ASCII digits: always valid UTF-8.
                self.number.push_str(std::str::from_utf8(run).unwrap_or_default());
                return Ok(pos + digits);
            }
            (Num::Minus, b'0') => Num::Zero,
            (Num::Minus, b'1'..=b'9') => Num::Int,
            (Num::Dot, b'0'..=b'9') => Num::Frac,
            (Num::Exp | Num::ExpSign, b'0'..=b'9') => Num::ExpInt,
            (Num::Zero | Num::Int, b'.') => Num::Dot,
            (Num::Zero | Num::Int | Num::Frac, b'e' | b'E') => Num::Exp,
            (Num::Exp, b'+' | b'-') => Num::ExpSign,
            (Num::Zero | Num::Int | Num::Frac | Num::ExpInt, _) if !byte.is_ascii_digit() => {
                let value = Value::number(&self.number, self.state.number_is_float());
                self.complete_scalar(value, sink);
                return Ok(pos);
            }
            _ => return Err(invalid("invalid number", at)),
        };
        self.number.push(char::from(byte));
        self.state = State::Number(next);
        Ok(pos + 1)
    }

    fn literal_byte<F>(&mut self, byte: u8, at: u64, word: &'static [u8], matched: usize, sink: &mut F) -> Result<()>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        if word.get(matched) != Some(&byte) {
            let detail = match word {
                b"true" => "expected `true`",
                b"false" => "expected `false`",
                _ => "expected `null`",
            };
            return Err(invalid(detail, at));
        }
        if matched + 1 < word.len() {
            self.state = State::Literal {
                word,
                matched: matched + 1,
            };
            return Ok(());
        }
        let value = match word {
            b"true" => Value::Bool(true),
            b"false" => Value::Bool(false),
            _ => Value::Null,
        };
        self.complete_scalar(value, sink);
        Ok(())
    }
}
