//! `Translator` over `streamdelta_core::translate`: bytes in, bytes out, no event object made.

use std::cell::Cell;
use std::mem;

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

thread_local! {
    /// The output buffer of the last call on this thread, emptied, lent to the next call of any
    /// translator: a translator per body (a gateway's, the benchmark's) otherwise allocated and
    /// freed a buffer of twice its body each, large blocks that keep the allocator consolidating
    /// its free lists (the allocator's share of a translation into chat went from 10.2 % to 9.1 %,
    /// a parse's is 5.7 %, perf).
    static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The largest buffer kept as [`SPARE`]: a huge body does not leave its buffer held for good.
const MAX_SPARE: usize = 4 << 20;

/// A stream of one family translated into another's wire bytes as it comes.
#[pyclass(module = "streamdelta._core", name = "Translator")]
pub struct PyTranslator {
    inner: Translator,
    /// Bytes not handed out yet: those of the events before a fault stay for the next call.
    out: Vec<u8>,
}

impl PyTranslator {
    /// Runs `step` with the output buffer (the spare one when this translator holds no bytes),
    /// hands out what it wrote, and puts the buffer back as the spare when it was all handed out.
    fn run<'py>(
        &mut self,
        py: Python<'py>,
        step: impl FnOnce(&mut Translator, &mut Vec<u8>) -> streamdelta_core::Result<()>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if self.out.is_empty() {
            self.out = SPARE.take();
        }
        let result = step(&mut self.inner, &mut self.out);
        let handed = self.hand_out(py, result);
        if self.out.is_empty() && self.out.capacity() <= MAX_SPARE {
            SPARE.set(mem::take(&mut self.out));
        }
        handed
    }

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
        self.run(py, |inner, out| inner.feed(&bytes, out))
    }

    /// Ends the input: the last output bytes.
    fn close<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.run(py, Translator::close)
    }

    /// The message assembled from the input so far.
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        message_to_py(py, self.inner.message())
    }
}
