//! Incremental JSON accumulator: a JSON document arriving in fragments split anywhere (tool-call
//! arguments), parsed once. Each `feed` does work proportional to the new bytes, reports what they
//! changed as [`Delta`]s, and the document so far can be had at any time as a snapshot.
//!
//! Snapshot semantics are those of `jiter.from_json(prefix, partial_mode="trailing-strings")`:
//! a string being written shows the characters decoded so far (an unfinished escape or UTF-8
//! sequence is left out until complete); a number shows once its text is a valid number (`1`, `1.5`,
//! not `1.` or `1e`); an unfinished literal (`tru`) or object key is left out, and so is a member
//! whose value has not begun. Where jiter raises on a prefix that is only incomplete (an empty
//! document, a lone `-` or `tr` at the top level) the snapshot is `None`.
//!
//! Object keys are not streamed: a member appears in delta paths once its key is complete.
//! Strings are strict: control characters, invalid UTF-8 and lone surrogates (`"\ud800"`, which
//! `json.loads` lets through) are errors, as are `NaN` and `Infinity`.
//!
//! After a fault (invalid JSON, or nesting deeper than `max_depth`) the accumulator keeps what it
//! had before the faulty byte and refuses further input with the same error until [`reset`].
//!
//! [`reset`]: JsonAccumulator::reset

mod state;
mod value;

use std::borrow::Cow;

pub use value::{Delta, DeltaKind, DeltaValue, OwnedDelta, PathSegment, SnapshotBuilder, Value, ValueBuilder};

use crate::error::{Error, ErrorKind, Result};
use state::{Frame, State};

/// The character a one-letter JSON escape (`\n`, `\"`, …, the letter after the backslash) stands
/// for; `None` for `u` (four hex digits follow) and for anything JSON does not define.
pub(crate) fn simple_escape(letter: u8) -> Option<char> {
    Some(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// How deep objects and arrays may nest unless the caller says otherwise.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// The accumulator of one JSON document.
#[derive(Debug)]
pub struct JsonAccumulator {
    max_depth: usize,
    state: State,
    /// The open objects and arrays, outermost first, with their complete children.
    stack: Vec<Frame>,
    /// The path of the value being read: one segment per open container whose child has begun
    /// (an object's segment is pushed when its key is complete).
    path: Vec<PathSegment>,
    /// The complete top-level value.
    root: Option<Value>,
    /// The characters of the string (key or value) being read.
    text: String,
    /// Bytes of `text` already reported by a `StringAppend` delta.
    reported: usize,
    /// Offset of the opening quote of the string being read.
    string_start: u64,
    /// The start of a UTF-8 sequence cut by the end of the last fragment.
    utf8_carry: Vec<u8>,
    /// The text of the number being read.
    number: String,
    /// Bytes fed before the current fragment.
    consumed: u64,
    fault: Option<Error>,
}

impl Default for JsonAccumulator {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_DEPTH)
    }
}

impl JsonAccumulator {
    pub fn new(max_depth: usize) -> Self {
        Self {
            max_depth,
            state: State::Value,
            stack: Vec::new(),
            path: Vec::new(),
            root: None,
            text: String::new(),
            reported: 0,
            string_start: 0,
            utf8_carry: Vec::new(),
            number: String::new(),
            consumed: 0,
            fault: None,
        }
    }

    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Forgets everything fed so far (the fault too); the limit stays.
    pub fn reset(&mut self) {
        *self = Self::new(self.max_depth);
    }

    /// Bytes fed so far.
    pub fn offset(&self) -> u64 {
        self.consumed
    }

    /// Feeds a fragment without reporting deltas (the fastest way to a final value).
    pub fn feed(&mut self, fragment: &[u8]) -> Result<()> {
        self.feed_with(fragment, &mut |_: &Delta<'_>| {})
    }

    /// Feeds a fragment; `on_delta` hears what it changed, in document order. On error the deltas
    /// before the faulty byte have been delivered.
    pub fn feed_with<F>(&mut self, fragment: &[u8], on_delta: &mut F) -> Result<()>
    where
        F: FnMut(&Delta<'_>) + ?Sized,
    {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        let result = self.run(fragment, on_delta);
        self.consumed += fragment.len() as u64;
        if let Err(err) = &result {
            self.fault = Some(err.clone());
        }
        result
    }

    /// The text fed so far is a whole JSON document (more digits may still extend a top-level
    /// number: the end of the input is what ends it).
    pub fn is_complete(&self) -> bool {
        self.fault.is_none() && (self.root.is_some() || (self.stack.is_empty() && self.state.number_is_valid()))
    }

    /// Ok when the text fed so far is a whole document; otherwise the fault, or an
    /// [`ErrorKind::IncompleteJson`] error at the end of the input.
    pub fn finish(&self) -> Result<()> {
        self.value().map(|_| ())
    }

    /// The complete document, taking the end of the input as its end.
    pub fn value(&self) -> Result<Cow<'_, Value>> {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        if let Some(root) = &self.root {
            return Ok(Cow::Borrowed(root));
        }
        if self.stack.is_empty() {
            if let Some(number) = self.partial_number() {
                return Ok(Cow::Owned(number));
            }
        }
        let detail = self
            .state
            .open_token()
            .or_else(|| self.stack.last().map(Frame::name))
            .unwrap_or("a value");
        Err(Error::new(ErrorKind::IncompleteJson { detail }, self.consumed))
    }

    /// The best current value of the document (`None` before any value has begun to show).
    pub fn snapshot(&self) -> Option<Value> {
        self.snapshot_with(&mut ValueBuilder)
    }

    /// The snapshot made by `builder`, leaf first: complete values are handed over as they are,
    /// so a builder can convert them without the core copying them first.
    pub fn snapshot_with<B: SnapshotBuilder>(&self, builder: &mut B) -> Option<B::Out> {
        if let Some(root) = &self.root {
            return Some(builder.value(root));
        }
        let mut child = if self.state.in_value_string() {
            Some(builder.partial_string(&self.text, self.string_start))
        } else {
            self.partial_number().map(|n| builder.value(&n))
        };
        for (depth, frame) in self.stack.iter().enumerate().rev() {
            child = Some(match frame {
                Frame::Array(items) => builder.array(items, child),
                Frame::Object(members) => {
                    let member = match (self.path.get(depth), child) {
                        (Some(PathSegment::Key(key)), Some(value)) => Some((key.as_str(), value)),
                        _ => None,
                    };
                    builder.object(members, member)
                }
            });
        }
        child
    }

    fn partial_number(&self) -> Option<Value> {
        self.state
            .number_is_valid()
            .then(|| Value::number(&self.number, self.state.number_is_float()))
    }
}

#[cfg(test)]
mod tests;
