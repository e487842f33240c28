//! Python bindings of `streamdelta-core`: conversions and classes only, no parsing logic.
//! Each file mirrors the core module of the same name.

mod arrow;
mod encode;
mod errors;
mod events;
mod input;
mod json;
mod many;
mod message;
mod parser;
mod sse;
mod translate;

#[pyo3::pymodule]
mod _core {
    #[pymodule_export]
    use super::arrow::{message_batch, MessageBatch};
    #[pymodule_export]
    use super::encode::PyEncoder;
    #[pymodule_export]
    use super::errors::force_panic;
    #[pymodule_export]
    use super::events::{
        ErrorEvent, File, Finish, Message, Part, Raw, ReasoningDelta, ReasoningEnd, ReasoningStart, RefusalDelta,
        RefusalEnd, RefusalStart, Source, StreamStart, TextDelta, TextEnd, TextStart, ToolCall, ToolInputDelta,
        ToolInputEnd, ToolInputStart, ToolResult, Unknown, Usage,
    };
    #[pymodule_export]
    use super::json::{PyJsonAccumulator, PyJsonDelta};
    #[pymodule_export]
    use super::many::parse_many;
    #[pymodule_export]
    use super::parser::{parse, PyStreamParser};
    #[pymodule_export]
    use super::sse::{PyServerSentEvent, PySseDecoder};
    #[pymodule_export]
    use super::translate::PyTranslator;

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add(
            "DEFAULT_MAX_EVENT_BYTES",
            streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES,
        )?;
        m.add("FAMILIES", streamdelta_core::Family::NAMES.to_vec())?;
        m.add("TARGETS", streamdelta_core::Target::NAMES.to_vec())?;
        // The benchmarks refuse to time a build with debug assertions.
        m.add(
            "BUILD_PROFILE",
            if cfg!(debug_assertions) { "debug" } else { "release" },
        )?;
        m.add("DEFAULT_MAX_DEPTH", streamdelta_core::json::DEFAULT_MAX_DEPTH)?;
        Ok(())
    }
}
