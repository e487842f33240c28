//! The values the accumulator builds, the paths that locate them, and the deltas it reports.
//!
//! The core keeps its own tree (no Python here); the bindings convert it. Numbers keep the
//! meaning Python's `json.loads` gives them: an integer of any size, or a correctly rounded
//! `f64` (so `1e400` is infinity, as `float("1e400")` is).

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer outside `i64`, as its decimal text (sign included), for the caller to convert.
    BigInt(Box<str>),
    Float(f64),
    String(String),
    Array(Vec<Value>),
    /// Members in document order. A repeated key is kept twice: a consumer building a map lets the
    /// last one win, as `json.loads` does.
    Object(Vec<(String, Value)>),
}

/// Frees the children with an explicit stack: `max_depth` is the caller's to set, and the recursive
/// drop the compiler writes takes stack in proportion to the depth (it overflowed a 256 KiB stack
/// at 4,000 levels). A value with no container inside costs one scan of its items.
impl Drop for Value {
    fn drop(&mut self) {
        let mut pending: Vec<Value> = match self {
            Self::Array(items) if items.iter().any(Self::is_container) => std::mem::take(items),
            Self::Object(members) if members.iter().any(|(_, v)| v.is_container()) => {
                members.drain(..).map(|(_, v)| v).collect()
            }
            _ => return,
        };
        while let Some(mut value) = pending.pop() {
            match &mut value {
                Self::Array(items) => pending.append(items),
                Self::Object(members) => pending.extend(members.drain(..).map(|(_, v)| v)),
                _ => {}
            }
            // `value` has no children left: its own drop returns at once.
        }
    }
}

impl Value {
    fn is_container(&self) -> bool {
        matches!(self, Self::Array(_) | Self::Object(_))
    }

    /// The number of a complete JSON number text (the grammar has been checked by the lexer).
    pub(crate) fn number(text: &str, is_float: bool) -> Self {
        if is_float {
            // The lexer has checked the JSON grammar, a subset of what `f64::from_str` reads.
            Self::Float(text.parse().unwrap_or(f64::NAN))
        } else {
            text.parse().map_or_else(|_| Self::BigInt(text.into()), Self::Int)
        }
    }
}

/// One step of a path from the root: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// What a delta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeltaKind {
    /// An object opens at the path.
    BeginObject,
    /// An array opens at the path.
    BeginArray,
    /// A scalar (string included) is complete at the path.
    Value,
    /// Characters were added to the string value being written at the path.
    StringAppend,
    /// The object or array at the path is closed.
    End,
}

impl DeltaKind {
    /// The name both Python backends use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BeginObject => "begin_object",
            Self::BeginArray => "begin_array",
            Self::Value => "value",
            Self::StringAppend => "string_append",
            Self::End => "end",
        }
    }
}

/// The payload of a delta: nothing (begin and end), the completed scalar, or the appended text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DeltaValue<'a> {
    None,
    Scalar(&'a Value),
    Text(&'a str),
}

/// What one fragment changed, borrowed from the accumulator for the duration of the callback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delta<'a> {
    pub path: &'a [PathSegment],
    pub kind: DeltaKind,
    pub value: DeltaValue<'a>,
}

/// An owned [`Delta`], for tests and simple callers.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDelta {
    pub path: Vec<PathSegment>,
    pub kind: DeltaKind,
    pub value: Option<Value>,
}

impl From<&Delta<'_>> for OwnedDelta {
    fn from(d: &Delta<'_>) -> Self {
        Self {
            path: d.path.to_vec(),
            kind: d.kind,
            value: match d.value {
                DeltaValue::None => None,
                DeltaValue::Scalar(v) => Some(v.clone()),
                DeltaValue::Text(t) => Some(Value::String(t.to_owned())),
            },
        }
    }
}

/// Builds a snapshot of an incomplete document, leaf first, without the accumulator knowing the
/// target representation (the core's own [`Value`] or the objects of a binding).
pub trait SnapshotBuilder {
    type Out;
    /// A complete value.
    fn value(&mut self, value: &Value) -> Self::Out;
    /// The string being written; `start` is the byte offset of its opening quote, which identifies
    /// it across calls (a builder may cache what it made of a prefix).
    fn partial_string(&mut self, text: &str, start: u64) -> Self::Out;
    /// An open array: its complete items, then the open child if there is one to show.
    fn array(&mut self, items: &[Value], child: Option<Self::Out>) -> Self::Out;
    /// An open object: its complete members, then the open member if there is one to show.
    fn object(&mut self, members: &[(String, Value)], child: Option<(&str, Self::Out)>) -> Self::Out;
}

/// The [`SnapshotBuilder`] that makes a [`Value`].
pub struct ValueBuilder;

impl SnapshotBuilder for ValueBuilder {
    type Out = Value;

    fn value(&mut self, value: &Value) -> Value {
        value.clone()
    }

    fn partial_string(&mut self, text: &str, _start: u64) -> Value {
        Value::String(text.to_owned())
    }

    fn array(&mut self, items: &[Value], child: Option<Value>) -> Value {
        let mut out = items.to_vec();
        out.extend(child);
        Value::Array(out)
    }

    fn object(&mut self, members: &[(String, Value)], child: Option<(&str, Value)>) -> Value {
        let mut out = members.to_vec();
        out.extend(child.map(|(k, v)| (k.to_owned(), v)));
        Value::Object(out)
    }
}
