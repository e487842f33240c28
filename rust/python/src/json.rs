//! `JsonAccumulator` and `JsonDelta` over `streamdelta_core::json`.

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use streamdelta_core::json::{
    Delta, DeltaKind, DeltaValue, JsonAccumulator, PathSegment, SnapshotBuilder, Value, DEFAULT_MAX_DEPTH,
};
use streamdelta_core::{Error, ErrorKind};

use crate::errors::{stream_parse_error, JsonIncompleteError};
use crate::input::chunk_bytes;

/// A core value as a fresh Python object. Iterative: `max_depth` is the caller's to set, and the
/// recursive conversion this replaces overflowed the C stack (SIGSEGV at 32,000 levels).
fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    let mut open = Vec::new();
    let mut made = begin(py, value, &mut open)?;
    while let Some(top) = open.last_mut() {
        if let Some(object) = made.take() {
            top.add(object)?;
        }
        made = match top.next_child() {
            Some(child) => begin(py, child, &mut open)?,
            None => open.pop().map(Open::into_any),
        };
    }
    // `made` is the root here: the loop ends when the outermost container has been popped.
    Ok(made.unwrap_or_else(|| py.None().into_bound(py)))
}

/// A container of [`to_py`] being filled, with what it has still to take.
enum Open<'v, 'py> {
    Array(Bound<'py, PyList>, std::slice::Iter<'v, Value>),
    /// The key is that of the member being made.
    Object(Bound<'py, PyDict>, std::slice::Iter<'v, (String, Value)>, &'v str),
}

impl<'v, 'py> Open<'v, 'py> {
    fn next_child(&mut self) -> Option<&'v Value> {
        match self {
            Self::Array(_, items) => items.next(),
            Self::Object(_, members, key) => members.next().map(|(k, v)| {
                *key = k.as_str();
                v
            }),
        }
    }

    fn add(&self, object: Bound<'py, PyAny>) -> PyResult<()> {
        match self {
            Self::Array(list, _) => list.append(object),
            Self::Object(dict, _, key) => dict.set_item(*key, object),
        }
    }

    fn into_any(self) -> Bound<'py, PyAny> {
        match self {
            Self::Array(list, _) => list.into_any(),
            Self::Object(dict, ..) => dict.into_any(),
        }
    }
}

/// A scalar's object; a container is opened on `open` instead, to be filled.
fn begin<'v, 'py>(
    py: Python<'py>,
    value: &'v Value,
    open: &mut Vec<Open<'v, 'py>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(Some(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(n) => n.into_pyobject(py)?.into_any(),
        Value::BigInt(text) => py.get_type::<PyInt>().call1((&**text,))?,
        Value::Float(f) => PyFloat::new(py, *f).into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            open.push(Open::Array(PyList::empty(py), items.iter()));
            return Ok(None);
        }
        Value::Object(members) => {
            open.push(Open::Object(PyDict::new(py), members.iter(), ""));
            return Ok(None);
        }
    }))
}

fn path_to_py<'py>(py: Python<'py>, path: &[PathSegment]) -> PyResult<Bound<'py, PyTuple>> {
    let items = path
        .iter()
        .map(|segment| match segment {
            PathSegment::Key(key) => Ok(PyString::new(py, key).into_any()),
            PathSegment::Index(index) => Ok(index.into_pyobject(py)?.into_any()),
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// What a fragment changed: at `path`, `kind` is `begin_object`, `begin_array`, `value` (a
/// complete scalar, strings included), `string_append` (characters added to a string value) or `end`.
#[pyclass(frozen, get_all, module = "streamdelta._core", name = "JsonDelta")]
pub struct PyJsonDelta {
    path: Py<PyTuple>,
    kind: Py<PyString>,
    value: Py<PyAny>,
}

/// The tuple made for the last path seen: consecutive deltas mostly share their path (every
/// `string_append` of a long string), and reusing it saves building a tuple and its keys each time
/// (measured on `benches/bench_json.py`, deltas mode, 640 KB: about 25-37 ms of CPU down to 19 ms).
#[derive(Default)]
struct PathCache {
    path: Vec<PathSegment>,
    tuple: Option<Py<PyTuple>>,
}

impl PathCache {
    fn tuple(&mut self, py: Python<'_>, path: &[PathSegment]) -> PyResult<Py<PyTuple>> {
        if let Some(tuple) = &self.tuple {
            if self.path == path {
                return Ok(tuple.clone_ref(py));
            }
        }
        let tuple = path_to_py(py, path)?.unbind();
        self.path.clear();
        self.path.extend_from_slice(path);
        self.tuple = Some(tuple.clone_ref(py));
        Ok(tuple)
    }
}

fn kind_to_py(py: Python<'_>, kind: DeltaKind) -> Py<PyString> {
    let name = match kind {
        DeltaKind::BeginObject => pyo3::intern!(py, "begin_object"),
        DeltaKind::BeginArray => pyo3::intern!(py, "begin_array"),
        DeltaKind::Value => pyo3::intern!(py, "value"),
        DeltaKind::StringAppend => pyo3::intern!(py, "string_append"),
        DeltaKind::End => pyo3::intern!(py, "end"),
    };
    name.clone().unbind()
}

impl PyJsonDelta {
    fn from_delta(py: Python<'_>, delta: &Delta<'_>, paths: &mut PathCache) -> PyResult<Self> {
        let value = match delta.value {
            DeltaValue::None => py.None(),
            DeltaValue::Scalar(v) => to_py(py, v)?.unbind(),
            DeltaValue::Text(t) => PyString::new(py, t).into_any().unbind(),
        };
        Ok(Self {
            path: paths.tuple(py, delta.path)?,
            kind: kind_to_py(py, delta.kind),
            value,
        })
    }

    fn fields<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        PyTuple::new(
            py,
            [
                self.path.bind(py).as_any(),
                self.kind.bind(py).as_any(),
                self.value.bind(py),
            ],
        )
        .unwrap_or_else(|_| PyTuple::empty(py))
    }
}

#[pymethods]
impl PyJsonDelta {
    #[new]
    #[pyo3(signature = (path, kind, value = None))]
    fn new(py: Python<'_>, path: Bound<'_, PyTuple>, kind: Bound<'_, PyString>, value: Option<Py<PyAny>>) -> Self {
        Self {
            path: path.unbind(),
            kind: kind.unbind(),
            value: value.unwrap_or_else(|| py.None()),
        }
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, ["path", "kind", "value"])?.unbind())
    }

    /// The delta as a plain dict (the path as a list), the same from both backends.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("path", PyList::new(py, self.path.bind(py))?)?;
        d.set_item("kind", self.kind.bind(py))?;
        d.set_item("value", self.value.bind(py))?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "JsonDelta(path={}, kind={}, value={})",
            self.path.bind(py).repr()?,
            self.kind.bind(py).repr()?,
            self.value.bind(py).repr()?
        ))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Self>() else {
            return Ok(py.NotImplemented());
        };
        let equal = self.fields(py).eq(other.get().fields(py))?;
        match op {
            CompareOp::Eq => Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!equal).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        self.fields(py).hash()
    }
}

/// The Python string last made for the string being written, kept to extend it next time.
struct StringCache {
    start: u64,
    len: usize,
    text: Py<PyString>,
}

/// Builds snapshots as Python objects; a growing string is extended from the cached prefix
/// instead of being decoded from UTF-8 again (measured: appending 16 bytes to a 75K-character
/// string costs about 3 µs, decoding the whole string again about 20 µs).
struct PyBuilder<'a, 'py> {
    py: Python<'py>,
    cache: &'a mut Option<StringCache>,
}

impl<'py> SnapshotBuilder for PyBuilder<'_, 'py> {
    type Out = PyResult<Bound<'py, PyAny>>;

    fn value(&mut self, value: &Value) -> Self::Out {
        to_py(self.py, value)
    }

    fn partial_string(&mut self, text: &str, start: u64) -> Self::Out {
        let py = self.py;
        let made = match self.cache.take() {
            Some(cache) if cache.start == start && cache.len <= text.len() => match text.get(cache.len..) {
                Some("") => cache.text.into_bound(py),
                Some(new) => cache
                    .text
                    .bind(py)
                    .add(PyString::new(py, new))?
                    .cast_into::<PyString>()?,
                None => PyString::new(py, text),
            },
            _ => PyString::new(py, text),
        };
        *self.cache = Some(StringCache {
            start,
            len: text.len(),
            text: made.clone().unbind(),
        });
        Ok(made.into_any())
    }

    fn array(&mut self, items: &[Value], child: Option<Self::Out>) -> Self::Out {
        let list = PyList::empty(self.py);
        for item in items {
            list.append(to_py(self.py, item)?)?;
        }
        if let Some(child) = child {
            list.append(child?)?;
        }
        Ok(list.into_any())
    }

    fn object(&mut self, members: &[(String, Value)], child: Option<(&str, Self::Out)>) -> Self::Out {
        let dict = PyDict::new(self.py);
        for (key, item) in members {
            dict.set_item(key, to_py(self.py, item)?)?;
        }
        if let Some((key, child)) = child {
            dict.set_item(key, child?)?;
        }
        Ok(dict.into_any())
    }
}

/// A complete JSON text as a Python value, strictly: invalid JSON raises `StreamParseError` with the
/// byte offset, a truncated document `JsonIncompleteError` (never a repaired value).
pub fn strict_value<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut acc = JsonAccumulator::new(DEFAULT_MAX_DEPTH);
    if let Err(err) = acc.feed(text.as_bytes()) {
        return Err(raise(py, &err, Vec::new()));
    }
    match acc.value() {
        Ok(value) => to_py(py, &value),
        Err(err) => Err(raise(py, &err, Vec::new())),
    }
}

fn raise(py: Python<'_>, err: &Error, deltas: Vec<Py<PyAny>>) -> PyErr {
    if matches!(err.kind, ErrorKind::IncompleteJson { .. }) {
        return JsonIncompleteError::new_err(err.to_string());
    }
    stream_parse_error(py, err, deltas)
}

/// Accumulates one JSON document fed in fragments split anywhere (`str` or `bytes`).
#[pyclass(module = "streamdelta._core", name = "JsonAccumulator")]
pub struct PyJsonAccumulator {
    inner: JsonAccumulator,
    cache: Option<StringCache>,
    paths: PathCache,
}

// The default (512) fits in an i64; the signature takes a signed int to reject negatives clearly.
#[allow(clippy::cast_possible_wrap)]
const DEFAULT_MAX_DEPTH_ARG: i64 = DEFAULT_MAX_DEPTH as i64;

impl PyJsonAccumulator {
    /// An accumulator that has been fed `text` (a tool call's arguments so far).
    pub fn with_text(text: &str) -> Self {
        let mut acc = Self {
            inner: JsonAccumulator::new(DEFAULT_MAX_DEPTH),
            cache: None,
            paths: PathCache::default(),
        };
        acc.feed_quiet(text);
        acc
    }

    /// Feeds a fragment for the stream parser: a fault stays in the accumulator (its `value()`
    /// raises it), it is not the parser's.
    pub fn feed_quiet(&mut self, fragment: &str) {
        let _ = self.inner.feed(fragment.as_bytes());
    }
}

#[pymethods]
impl PyJsonAccumulator {
    #[new]
    #[pyo3(signature = (max_depth = DEFAULT_MAX_DEPTH_ARG))]
    fn new(max_depth: i64) -> PyResult<Self> {
        let Ok(max_depth) = usize::try_from(max_depth) else {
            return Err(PyValueError::new_err(format!(
                "max_depth must be >= 0, got {max_depth}"
            )));
        };
        Ok(Self {
            inner: JsonAccumulator::new(max_depth),
            cache: None,
            paths: PathCache::default(),
        })
    }

    #[getter]
    fn max_depth(&self) -> usize {
        self.inner.max_depth()
    }

    /// The text fed so far is a whole JSON document.
    #[getter]
    fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// Forgets everything fed so far (a fault too); `max_depth` stays.
    fn reset(&mut self) {
        self.inner.reset();
        self.cache = None;
        self.paths = PathCache::default();
    }

    /// Feeds a fragment; returns what it changed.
    fn feed(&mut self, py: Python<'_>, fragment: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let bytes = chunk_bytes(fragment)?;
        let mut out: Vec<Py<PyAny>> = Vec::new();
        let mut creation_error: Option<PyErr> = None;
        let paths = &mut self.paths;
        let result =
            self.inner.feed_with(
                &bytes,
                &mut |delta: &Delta<'_>| match PyJsonDelta::from_delta(py, delta, paths).and_then(|d| Py::new(py, d)) {
                    Ok(obj) => out.push(obj.into_any()),
                    Err(err) => creation_error = creation_error.take().or(Some(err)),
                },
            );
        if let Some(err) = creation_error {
            return Err(err);
        }
        match result {
            Ok(()) => Ok(PyList::new(py, out)?.unbind()),
            Err(err) => Err(raise(py, &err, out)),
        }
    }

    /// The best current value of the incomplete document (None before any value shows).
    fn snapshot<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut builder = PyBuilder {
            py,
            cache: &mut self.cache,
        };
        self.inner
            .snapshot_with(&mut builder)
            .unwrap_or_else(|| Ok(py.None().into_bound(py)))
    }

    /// The complete document; raises `JsonIncompleteError` if unfinished, `StreamParseError` if invalid.
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.value() {
            Ok(value) => to_py(py, &value),
            Err(err) => Err(raise(py, &err, Vec::new())),
        }
    }
}
