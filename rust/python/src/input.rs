//! Accepting `bytes`, `bytearray`, `memoryview` and `str` input without copying `bytes`.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

/// The bytes of a chunk. `bytes` is borrowed; the mutable or exotic types are copied once.
pub fn chunk_bytes<'a>(chunk: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = chunk.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = chunk.cast::<PyString>() {
        if let Ok(text) = s.to_str() {
            return Ok(Cow::Borrowed(text.as_bytes()));
        }
        // Lone surrogates: encoded as the reference does, with "surrogatepass".
        let encoded = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
        return Ok(Cow::Owned(encoded.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    if let Ok(b) = chunk.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if chunk.is_instance_of::<PyMemoryView>() {
        let copied = chunk.call_method0("tobytes")?;
        return Ok(Cow::Owned(copied.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "expected bytes, bytearray, memoryview or str, got {}",
        chunk.get_type().name()?
    )))
}

/// Body `index` of a `parse_many` batch: what `chunk_bytes` takes, or any other object with the
/// buffer protocol (`array.array`, a `NumPy` array), copied through a `memoryview`.
pub fn body_bytes<'a>(body: &'a Bound<'_, PyAny>, index: usize) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(bytes) = chunk_bytes(body) {
        return Ok(bytes);
    }
    if let Ok(view) = PyMemoryView::from(body) {
        let copied = view.call_method0("tobytes")?;
        return Ok(Cow::Owned(copied.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "body {index}: expected bytes, a buffer or str, got {}",
        body.get_type().name()?
    )))
}
