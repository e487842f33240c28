//! `SSEDecoder` and `ServerSentEvent` over `streamdelta_core::sse`.

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use streamdelta_core::sse::{SseEventRef, SseTokenizer, DEFAULT_MAX_EVENT_BYTES};

use crate::errors::stream_parse_error;
use crate::input::chunk_bytes;

/// One server-sent event, as dispatched by the WHATWG event-stream rules.
#[pyclass(frozen, get_all, module = "streamdelta._core", name = "ServerSentEvent")]
pub struct PyServerSentEvent {
    event: Py<PyString>,
    data: Py<PyString>,
    id: Py<PyString>,
    retry: Option<u64>,
}

impl PyServerSentEvent {
    fn from_ref(py: Python<'_>, e: &SseEventRef<'_>) -> Self {
        // Nearly every event is "message" or one of a few names; interning saves an allocation.
        let event = if e.event == "message" {
            pyo3::intern!(py, "message").clone().unbind()
        } else {
            PyString::new(py, e.event).unbind()
        };
        let id = if e.id.is_empty() {
            pyo3::intern!(py, "").clone().unbind()
        } else {
            PyString::new(py, e.id).unbind()
        };
        Self {
            event,
            data: PyString::new(py, e.data).unbind(),
            id,
            retry: e.retry,
        }
    }

    fn fields<'py>(&self, py: Python<'py>) -> (&Bound<'py, PyString>, &Bound<'py, PyString>, &Bound<'py, PyString>) {
        (self.event.bind(py), self.data.bind(py), self.id.bind(py))
    }
}

#[pymethods]
impl PyServerSentEvent {
    #[new]
    #[pyo3(signature = (event = "message", data = "", id = "", retry = None))]
    fn new(py: Python<'_>, event: &str, data: &str, id: &str, retry: Option<u64>) -> Self {
        Self {
            event: PyString::new(py, event).unbind(),
            data: PyString::new(py, data).unbind(),
            id: PyString::new(py, id).unbind(),
            retry,
        }
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, ["event", "data", "id", "retry"])?.unbind())
    }

    /// The data parsed as JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import(pyo3::intern!(py, "json"))?
            .call_method1(pyo3::intern!(py, "loads"), (self.data.bind(py),))
    }

    /// The event as a plain dict, the same from both backends.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let (event, data, id) = self.fields(py);
        d.set_item("event", event)?;
        d.set_item("data", data)?;
        d.set_item("id", id)?;
        d.set_item("retry", self.retry)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (event, data, id) = self.fields(py);
        let retry = match self.retry {
            Some(r) => r.to_string(),
            None => "None".to_owned(),
        };
        Ok(format!(
            "ServerSentEvent(event={}, data={}, id={}, retry={retry})",
            event.repr()?,
            data.repr()?,
            id.repr()?
        ))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Self>() else {
            return Ok(py.NotImplemented());
        };
        let other = other.get();
        let (a, b) = (self.fields(py), other.fields(py));
        let equal =
            a.0.as_any().eq(b.0)? && a.1.as_any().eq(b.1)? && a.2.as_any().eq(b.2)? && self.retry == other.retry;
        match op {
            CompareOp::Eq => Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!equal).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    /// Pickling and copying: the class and the field values, which `__new__` takes back in order.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> (
        Bound<'py, PyType>,
        (
            Bound<'py, PyString>,
            Bound<'py, PyString>,
            Bound<'py, PyString>,
            Option<u64>,
        ),
    ) {
        let (event, data, id) = slf.get().fields(slf.py());
        (
            slf.get_type(),
            (event.clone(), data.clone(), id.clone(), slf.get().retry),
        )
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        let (event, data, id) = self.fields(py);
        PyTuple::new(py, [event.as_any(), data.as_any(), id.as_any()])?
            .add(PyTuple::new(py, [self.retry])?)?
            .hash()
    }
}

/// Incremental WHATWG event-stream decoder: `feed()` chunks split anywhere, get events.
#[pyclass(module = "streamdelta._core", name = "SSEDecoder")]
pub struct PySseDecoder {
    inner: SseTokenizer,
}

impl PySseDecoder {
    fn run(
        &mut self,
        py: Python<'_>,
        step: impl FnOnce(
            &mut SseTokenizer,
            &mut dyn FnMut(SseEventRef<'_>) -> streamdelta_core::Result<()>,
        ) -> streamdelta_core::Result<()>,
    ) -> PyResult<Py<PyList>> {
        let mut out: Vec<Py<PyAny>> = Vec::new();
        let mut creation_error: Option<PyErr> = None;
        let result = step(&mut self.inner, &mut |e| {
            match Py::new(py, PyServerSentEvent::from_ref(py, &e)) {
                Ok(obj) => out.push(obj.into_any()),
                Err(err) => creation_error = creation_error.take().or(Some(err)),
            }
            Ok(())
        });
        if let Some(err) = creation_error {
            return Err(err);
        }
        match result {
            Ok(()) => Ok(PyList::new(py, out)?.unbind()),
            Err(err) => Err(stream_parse_error(py, &err, out)),
        }
    }
}

#[pymethods]
impl PySseDecoder {
    #[new]
    #[pyo3(signature = (*, max_event_bytes = DEFAULT_MAX_EVENT_BYTES, flush_at_eof = false))]
    fn new(max_event_bytes: usize, flush_at_eof: bool) -> Self {
        Self {
            inner: SseTokenizer::new(max_event_bytes, flush_at_eof),
        }
    }

    /// Feeds a chunk (bytes, bytearray, memoryview or str); returns the events it completed.
    fn feed(&mut self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let bytes = chunk_bytes(chunk)?;
        self.run(py, |dec, sink| dec.feed(&bytes, sink))
    }

    /// Ends the stream; returns the pending event only when made with `flush_at_eof=True`.
    fn close(&mut self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.run(py, |dec, sink| dec.close(sink))
    }

    /// The last event ID string, as of the last dispatched event.
    #[getter]
    fn last_event_id(&self) -> &str {
        self.inner.last_event_id()
    }

    /// The reconnection time (ms) most recently set by a `retry` field, or None.
    #[getter]
    fn retry(&self) -> Option<u64> {
        self.inner.retry()
    }
}
