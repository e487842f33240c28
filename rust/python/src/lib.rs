//! Python bindings of `streamdelta-core`: conversions and classes only, no parsing logic.
//! Each file mirrors the core module of the same name.

mod errors;
mod input;
mod json;
mod sse;

#[pyo3::pymodule]
mod _core {
    #[pymodule_export]
    use super::sse::{PyServerSentEvent, PySseDecoder};

    #[pymodule_export]
    use super::json::{PyJsonAccumulator, PyJsonDelta};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add(
            "DEFAULT_MAX_EVENT_BYTES",
            streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES,
        )?;
        m.add("DEFAULT_MAX_DEPTH", streamdelta_core::json::DEFAULT_MAX_DEPTH)?;
        Ok(())
    }
}
