//! `Translator` over `streamdelta_core::translate`: bytes in, bytes out, no event object made.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::translate::Translator;
use streamdelta_core::{ErrorKind, DEFAULT_MAX_OPEN_PARTS};

use crate::encode::target_arg;
use crate::errors::stream_parse_error;
use crate::input::chunk_bytes;
use crate::message::message_to_py;
use crate::parser::{family_arg, options};

/// A stream of one family translated into another's wire bytes as it comes.
#[pyclass(module = "streamdelta._core", name = "Translator")]
pub struct PyTranslator {
    inner: Translator,
    /// Bytes not handed out yet: those of the events before a fault stay for the next call.
    out: Vec<u8>,
}

impl PyTranslator {
    fn hand_out<'py>(
        &mut self,
        py: Python<'py>,
        result: streamdelta_core::Result<()>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        match result {
            Ok(()) => {
                let bytes = PyBytes::new(py, &self.out);
                self.out.clear();
                Ok(bytes)
            }
            Err(err) if err.kind == ErrorKind::Closed => Err(PyValueError::new_err(err.kind.to_string())),
            Err(err) => Err(stream_parse_error(py, &err, Vec::new())),
        }
    }
}

#[pymethods]
impl PyTranslator {
    #[new]
    #[pyo3(signature = (
        to, family = "auto", *, framing = "auto", on_error = "raise", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
        max_open_parts = DEFAULT_MAX_OPEN_PARTS,
    ))]
    fn new(
        to: &str,
        family: &str,
        framing: &str,
        on_error: &str,
        max_event_bytes: usize,
        max_open_parts: usize,
    ) -> PyResult<Self> {
        let target = target_arg(to, framing)?;
        let options = options(max_event_bytes, on_error, max_open_parts)?;
        Ok(Self {
            inner: Translator::new(target, family_arg(family)?, options),
            out: Vec::new(),
        })
    }

    /// Feeds a chunk of the input body; returns the output bytes it completed.
    fn feed<'py>(&mut self, py: Python<'py>, chunk: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = chunk_bytes(chunk)?;
        let result = self.inner.feed(&bytes, &mut self.out);
        self.hand_out(py, result)
    }

    /// Ends the input: the last output bytes.
    fn close<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let result = self.inner.close(&mut self.out);
        self.hand_out(py, result)
    }

    /// The message assembled from the input so far.
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        message_to_py(py, self.inner.message())
    }
}
