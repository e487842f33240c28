//! Core errors as the exception classes of `streamdelta.errors`, which both backends raise.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use streamdelta_core::Error;

pyo3::import_exception!(streamdelta.errors, StreamParseError);
pyo3::import_exception!(streamdelta.errors, JsonIncompleteError);

/// A `StreamParseError` carrying the offset, event index, excerpt and the events parsed before it.
pub fn stream_parse_error(py: Python<'_>, err: &Error, events: Vec<Py<PyAny>>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("offset", err.offset)?;
        kwargs.set_item("event_index", err.event_index)?;
        kwargs.set_item("excerpt", err.excerpt.as_deref())?;
        kwargs.set_item("events", PyList::new(py, events)?)?;
        let instance = py
            .get_type::<StreamParseError>()
            .call((err.to_string(),), Some(&kwargs))?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| e)
}

/// Panics with `message`: the test suite's way to prove that a Rust panic reaches Python as
/// `pyo3_runtime.PanicException` and leaves the interpreter running. Private (underscore), always
/// compiled in: a cargo feature would make the tested extension differ from the shipped one.
#[pyfunction]
#[pyo3(name = "_force_panic")]
#[allow(clippy::panic, clippy::needless_pass_by_value)]
pub fn force_panic(message: String) {
    panic!("{message}");
}
