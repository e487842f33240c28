//! `StreamParser` and `parse()` over `streamdelta_core::parser`.

use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use streamdelta_core::families::parts::DEFAULT_MAX_OPEN_PARTS;
use streamdelta_core::parser::{self, OnError, Options, StreamParser};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::{Event, Family};

use crate::errors::stream_parse_error;
use crate::events::{event_to_py, message_to_py, IdStrings};
use crate::input::chunk_bytes;
use crate::json::PyJsonAccumulator;

fn family_arg(name: &str) -> PyResult<Option<Family>> {
    if name == "auto" {
        return Ok(None);
    }
    Family::from_name(name).map(Some).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown family {name:?}; expected one of \"auto\", \"{}\"",
            Family::NAMES.join("\", \"")
        ))
    })
}

fn options(max_event_bytes: usize, on_error: &str, max_open_parts: usize) -> PyResult<Options> {
    let on_error = match on_error {
        "raise" => OnError::Raise,
        "emit" => OnError::Emit,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown on_error {other:?}; expected \"raise\" or \"emit\""
            )))
        }
    };
    Ok(Options {
        max_event_bytes,
        on_error,
        max_open_parts,
    })
}

fn finish(
    py: Python<'_>,
    events: &[Event],
    ids: &mut IdStrings,
    result: streamdelta_core::Result<()>,
) -> PyResult<Py<PyList>> {
    let objects = events
        .iter()
        .map(|e| event_to_py(py, e, ids))
        .collect::<PyResult<Vec<_>>>()?;
    match result {
        Ok(()) => Ok(PyList::new(py, objects)?.unbind()),
        Err(err) => Err(stream_parse_error(py, &err, objects)),
    }
}

/// One response stream: `feed()` the body's chunks, get normalized events.
#[pyclass(module = "streamdelta._core", name = "StreamParser")]
pub struct PyStreamParser {
    inner: StreamParser,
    buffer: Vec<Event>,
    ids: IdStrings,
    /// Accumulators handed out by `tool_input()`, kept fed as fragments arrive.
    live: Vec<(String, Py<PyJsonAccumulator>)>,
}

impl PyStreamParser {
    fn feed_live(&mut self, py: Python<'_>) {
        if self.live.is_empty() {
            return;
        }
        for event in &self.buffer {
            match event {
                // A new call reusing an id starts afresh, as `tool_arguments` does.
                Event::ToolInputStart { id, .. } => self.live.retain(|(i, _)| i != id),
                Event::ToolInputDelta { id, delta } => {
                    if let Some((_, acc)) = self.live.iter().find(|(i, _)| i == id) {
                        acc.borrow_mut(py).feed_quiet(delta);
                    }
                }
                _ => {}
            }
        }
    }
}

#[pymethods]
impl PyStreamParser {
    #[new]
    #[pyo3(signature = (
        family = "auto", *, on_error = "raise", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
        max_open_parts = DEFAULT_MAX_OPEN_PARTS,
    ))]
    fn new(family: &str, on_error: &str, max_event_bytes: usize, max_open_parts: usize) -> PyResult<Self> {
        Ok(Self {
            inner: StreamParser::new(family_arg(family)?, options(max_event_bytes, on_error, max_open_parts)?),
            // Most feeds complete a few events: growing from empty reallocated on every stream.
            buffer: Vec::with_capacity(8),
            ids: IdStrings::default(),
            live: Vec::new(),
        })
    }

    /// Feeds a chunk of the response body; returns the events it completed.
    fn feed(&mut self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let bytes = chunk_bytes(chunk)?;
        self.buffer.clear();
        let result = self.inner.feed(&bytes, &mut self.buffer);
        self.feed_live(py);
        finish(py, &self.buffer, &mut self.ids, result)
    }

    /// Ends the stream: the last event, the ends of open parts, and a report of a cut stream.
    fn close(&mut self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.buffer.clear();
        let result = self.inner.close(&mut self.buffer);
        self.feed_live(py);
        finish(py, &self.buffer, &mut self.ids, result)
    }

    /// The response assembled from the events so far.
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        message_to_py(py, self.inner.message())
    }

    /// The live arguments of tool call `id`: a `JsonAccumulator` fed every fragment of that call,
    /// so `snapshot()` shows them while they stream. `KeyError` for an id this stream has not had.
    fn tool_input(&mut self, py: Python<'_>, id: &str) -> PyResult<Py<PyJsonAccumulator>> {
        if let Some((_, acc)) = self.live.iter().find(|(i, _)| i == id) {
            return Ok(acc.clone_ref(py));
        }
        let Some(args) = self.inner.tool_arguments(id) else {
            return Err(PyKeyError::new_err(format!("no tool call `{id}` in this stream")));
        };
        let acc = Py::new(py, PyJsonAccumulator::with_text(args))?;
        self.live.push((id.to_owned(), acc.clone_ref(py)));
        Ok(acc)
    }

    /// The wire family: the one asked for, or the one detected (None until the first payload).
    #[getter]
    fn family(&self) -> Option<&'static str> {
        self.inner.family().map(Family::as_str)
    }
}

/// Parses a whole response body; returns its events (the end-of-stream ones included).
#[pyfunction]
#[pyo3(signature = (
    body, family = "auto", *, on_error = "raise", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
    max_open_parts = DEFAULT_MAX_OPEN_PARTS,
))]
pub fn parse(
    py: Python<'_>,
    body: &Bound<'_, PyAny>,
    family: &str,
    on_error: &str,
    max_event_bytes: usize,
    max_open_parts: usize,
) -> PyResult<Py<PyList>> {
    let bytes = chunk_bytes(body)?;
    let family = family_arg(family)?;
    let options = options(max_event_bytes, on_error, max_open_parts)?;
    let mut events = Vec::new();
    let result = parser::parse(&bytes, family, options, &mut events);
    finish(py, &events, &mut IdStrings::default(), result)
}
