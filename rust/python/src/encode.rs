//! `Encoder` over `streamdelta_core::encode`: Python events (either backend's classes) into core
//! events, and the wire bytes back.

use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use streamdelta_core::encode::{Encoder, Target};
use streamdelta_core::{Event, FinishReason, Source, SourceKind, Usage};

use crate::events::{ReasoningDelta, TextDelta, ToolInputDelta};

pub fn target_arg(family: &str, framing: &str) -> PyResult<Target> {
    if !Target::NAMES.contains(&family) {
        return Err(PyValueError::new_err(format!(
            "unknown target family {family:?}; expected one of \"{}\"",
            Target::NAMES.join("\", \"")
        )));
    }
    Target::from_name(family, framing).ok_or_else(|| {
        PyValueError::new_err(format!(
            "framing {framing:?} is not one {family} sends; expected \"auto\", \"{}\"",
            Target::framings(family).join("\", \"")
        ))
    })
}

fn text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(value.cast::<PyString>()?.to_str()?.to_owned())
}

fn field(event: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<String> {
    text(&event.getattr(name)?)
}

fn opt_field(event: &Bound<'_, PyAny>, name: &Bound<'_, PyString>) -> PyResult<Option<String>> {
    opt_text(&event.getattr(name)?)
}

fn opt_text(value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if value.is_none() {
        Ok(None)
    } else {
        text(value).map(Some)
    }
}

fn part(event: &Bound<'_, PyAny>) -> PyResult<Arc<str>> {
    let id = event.getattr(intern!(event.py(), "id"))?;
    Ok(Arc::from(id.cast::<PyString>()?.to_str()?))
}

fn reason(name: &str) -> PyResult<FinishReason> {
    Ok(match name {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        "error" => FinishReason::Error,
        "other" => FinishReason::Other,
        other => return Err(PyValueError::new_err(format!("unknown finish reason {other:?}"))),
    })
}

/// The choice index of a start event.
fn choice(event: &Bound<'_, PyAny>) -> PyResult<u32> {
    event.getattr(intern!(event.py(), "choice"))?.extract()
}

fn usage(value: &Bound<'_, PyAny>) -> PyResult<Usage> {
    let py = value.py();
    let count = |name: &Bound<'_, PyString>| -> PyResult<u64> { value.getattr(name)?.extract() };
    Ok(Usage {
        input_tokens: count(intern!(py, "input_tokens"))?,
        output_tokens: count(intern!(py, "output_tokens"))?,
        total_tokens: count(intern!(py, "total_tokens"))?,
        reasoning_tokens: count(intern!(py, "reasoning_tokens"))?,
        cache_read_tokens: count(intern!(py, "cache_read_tokens"))?,
        cache_write_tokens: count(intern!(py, "cache_write_tokens"))?,
        cost: value.getattr(intern!(py, "cost"))?.extract()?,
    })
}

/// A Python event as a core event: the Rust classes' deltas read directly (the bulk of a
/// stream), anything else by its `type` and attributes, so the reference's events work too.
pub fn event_from_py(event: &Bound<'_, PyAny>) -> PyResult<Event> {
    let py = event.py();
    if let Ok(e) = event.cast::<TextDelta>() {
        let e = e.get();
        return Ok(Event::TextDelta {
            id: Arc::from(e.id.bind(py).cast::<PyString>()?.to_str()?),
            text: text(e.text.bind(py))?,
            logprobs: opt_text(e.logprobs.bind(py))?,
        });
    }
    if let Ok(e) = event.cast::<ReasoningDelta>() {
        let e = e.get();
        return Ok(Event::ReasoningDelta {
            id: Arc::from(e.id.bind(py).cast::<PyString>()?.to_str()?),
            text: text(e.text.bind(py))?,
        });
    }
    if let Ok(e) = event.cast::<ToolInputDelta>() {
        let e = e.get();
        return Ok(Event::ToolInputDelta {
            id: Arc::from(e.id.bind(py).cast::<PyString>()?.to_str()?),
            delta: text(e.delta.bind(py))?,
        });
    }
    let kind = match event.getattr(intern!(py, "type")) {
        Ok(kind) if !event.is_instance_of::<pyo3::types::PyType>() => kind,
        _ => {
            return Err(PyTypeError::new_err(format!(
                "expected an event, got {}",
                event.get_type().name()?
            )))
        }
    };
    let Ok(kind) = kind.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "expected an event, got {}",
            event.get_type().name()?
        )));
    };
    let kind = kind.to_str()?;
    Ok(match kind {
        "stream_start" => Event::StreamStart {
            id: opt_field(event, intern!(py, "id"))?,
            model: opt_field(event, intern!(py, "model"))?,
            created: event.getattr(intern!(py, "created"))?.extract()?,
        },
        "text_start" => Event::TextStart {
            id: part(event)?,
            choice: choice(event)?,
        },
        "text_delta" => Event::TextDelta {
            id: part(event)?,
            text: field(event, intern!(py, "text"))?,
            logprobs: opt_field(event, intern!(py, "logprobs"))?,
        },
        "text_end" => Event::TextEnd { id: part(event)? },
        "reasoning_start" => Event::ReasoningStart {
            id: part(event)?,
            choice: choice(event)?,
        },
        "reasoning_delta" => Event::ReasoningDelta {
            id: part(event)?,
            text: field(event, intern!(py, "text"))?,
        },
        "reasoning_end" => Event::ReasoningEnd {
            id: part(event)?,
            signature: opt_field(event, intern!(py, "signature"))?,
            redacted: event.getattr(intern!(py, "redacted"))?.is_truthy()?,
        },
        "refusal_start" => Event::RefusalStart {
            id: part(event)?,
            choice: choice(event)?,
        },
        "refusal_delta" => Event::RefusalDelta {
            id: part(event)?,
            text: field(event, intern!(py, "text"))?,
            logprobs: opt_field(event, intern!(py, "logprobs"))?,
        },
        "refusal_end" => Event::RefusalEnd { id: part(event)? },
        "tool_input_start" => Event::ToolInputStart {
            id: part(event)?,
            name: field(event, intern!(py, "name"))?,
            choice: choice(event)?,
            provider_executed: event.getattr(intern!(py, "provider_executed"))?.is_truthy()?,
        },
        "tool_input_delta" => Event::ToolInputDelta {
            id: part(event)?,
            delta: field(event, intern!(py, "delta"))?,
        },
        "tool_input_end" => Event::ToolInputEnd { id: part(event)? },
        "tool_call" => Event::ToolCall {
            id: part(event)?,
            name: field(event, intern!(py, "name"))?,
            arguments: field(event, intern!(py, "arguments"))?,
            provider_executed: event.getattr(intern!(py, "provider_executed"))?.is_truthy()?,
            call_type: opt_field(event, intern!(py, "call_type"))?,
        },
        other => record_event(event, other)?,
    })
}

/// The events that are no part's start, delta or end, read by their `type`.
fn record_event(event: &Bound<'_, PyAny>, kind: &str) -> PyResult<Event> {
    let py = event.py();
    Ok(match kind {
        "tool_result" => Event::ToolResult {
            id: part(event)?,
            name: field(event, intern!(py, "name"))?,
            result: field(event, intern!(py, "result"))?,
            is_error: event.getattr(intern!(py, "is_error"))?.is_truthy()?,
            provider_executed: event.getattr(intern!(py, "provider_executed"))?.is_truthy()?,
        },
        "file" => Event::File {
            id: field(event, intern!(py, "id"))?,
            media_type: field(event, intern!(py, "media_type"))?,
            data: event.getattr(intern!(py, "data"))?.extract()?,
            partial: event.getattr(intern!(py, "partial"))?.is_truthy()?,
        },
        "source" => Event::Source(Box::new(Source {
            id: field(event, intern!(py, "id"))?,
            kind: match field(event, intern!(py, "kind"))?.as_str() {
                "url" => SourceKind::Url,
                "document" => SourceKind::Document,
                other => return Err(PyValueError::new_err(format!("unknown source kind {other:?}"))),
            },
            url: opt_field(event, intern!(py, "url"))?,
            title: opt_field(event, intern!(py, "title"))?,
            media_type: opt_field(event, intern!(py, "media_type"))?,
            filename: opt_field(event, intern!(py, "filename"))?,
            provider_metadata_json: opt_field(event, intern!(py, "provider_metadata_json"))?,
        })),
        "finish" => Event::Finish {
            reason: reason(&field(event, intern!(py, "reason"))?)?,
            raw_reason: opt_field(event, intern!(py, "raw_reason"))?,
            // A finish made without usage (`Finish("stop")`) encodes as one that counted nothing.
            usage: match event.getattr(intern!(py, "usage"))? {
                u if u.is_none() => Usage::default(),
                u => usage(&u)?,
            },
            provider_metadata_json: opt_field(event, intern!(py, "provider_metadata_json"))?,
        },
        "error" => Event::Error {
            message: field(event, intern!(py, "message"))?,
            kind: field(event, intern!(py, "kind"))?,
            raw: opt_field(event, intern!(py, "raw"))?,
        },
        "raw" => Event::Raw {
            data: field(event, intern!(py, "data"))?,
        },
        "unknown" => Event::Unknown {
            kind: field(event, intern!(py, "kind"))?,
            raw: field(event, intern!(py, "raw"))?,
        },
        other => return Err(PyValueError::new_err(format!("unknown event type {other:?}"))),
    })
}

/// Events in, one family's wire bytes out: what that provider would have sent.
#[pyclass(module = "streamdelta._core", name = "Encoder")]
pub struct PyEncoder {
    inner: Encoder,
    out: Vec<u8>,
}

#[pymethods]
impl PyEncoder {
    #[new]
    #[pyo3(signature = (family, *, framing = "auto"))]
    fn new(family: &str, framing: &str) -> PyResult<Self> {
        Ok(Self {
            inner: Encoder::new(target_arg(family, framing)?),
            out: Vec::new(),
        })
    }

    /// The wire bytes of these events.
    fn feed<'py>(&mut self, py: Python<'py>, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        if self.inner.is_closed() {
            return Err(PyValueError::new_err("the encoder is closed"));
        }
        self.out.clear();
        for event in events.try_iter()? {
            let event = event_from_py(&event?)?;
            self.inner.event(&event, &mut self.out);
        }
        Ok(PyBytes::new(py, &self.out))
    }

    /// Ends the body (Gemini's JSON array needs its `]`); idempotent.
    fn close<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.out.clear();
        self.inner.close(&mut self.out);
        PyBytes::new(py, &self.out)
    }
}
