//! Core errors as the exception classes of `streamdelta.errors`, which both backends raise.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use streamdelta_core::Error;

pyo3::import_exception!(streamdelta.errors, StreamParseError);
pyo3::import_exception!(streamdelta.errors, JsonIncompleteError);

/// A `StreamParseError` carrying the offset, event index, excerpt and the events parsed before it.
pub fn stream_parse_error(py: Python<'_>, err: &Error, events: Vec<Py<PyAny>>) -> PyErr {
    parse_error(py, err.to_string(), err, |kwargs| {
        kwargs.set_item("events", PyList::new(py, events)?)
    })
}

/// The `StreamParseError` of body `index` of a `parse_many` batch: the body's own error, its text
/// led by the index, which `index` also holds. No events: the batch makes none.
pub fn body_parse_error(py: Python<'_>, index: usize, err: &Error) -> PyErr {
    parse_error(py, format!("body {index}: {err}"), err, |kwargs| {
        kwargs.set_item("index", index)
    })
}

fn parse_error<'py>(
    py: Python<'py>,
    text: String,
    err: &Error,
    extra: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("offset", err.offset)?;
        kwargs.set_item("event_index", err.event_index)?;
        kwargs.set_item("excerpt", err.excerpt.as_deref())?;
        extra(&kwargs)?;
        let instance = py.get_type::<StreamParseError>().call((text,), Some(&kwargs))?;
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
