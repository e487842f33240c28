//! The assembled `Message`, folded from the event objects as they are made: the fold of
//! `streamdelta_core::message`, kept in Python objects.
//!
//! The message shares what its events already hold (ids, the model, signatures, tool calls,
//! sources, errors, the finish's reason and usage): they are frozen, and building them again was
//! most of the cost of `StreamParser.message` on short streams (Gemini's). Only the text and the
//! reasoning are kept as Rust strings, since they are the concatenation of many deltas; a text
//! that came in one delta is that delta's string.

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use streamdelta_core::Event;

use crate::events::{self, Finish, Message, ReasoningDelta, ReasoningEnd, StreamStart, TextDelta};

/// One concatenated field (`text` or `reasoning`).
#[derive(Default)]
struct Joined {
    text: String,
    /// The string of the last delta when the text before it was empty, so that it is the whole.
    single: Option<Py<PyAny>>,
}

impl Joined {
    fn push(&mut self, py: Python<'_>, text: &str, string: &Py<PyAny>) {
        self.single = self.text.is_empty().then(|| string.clone_ref(py));
        self.text.push_str(text);
    }

    fn to_py(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.single {
            Some(single) => single.clone_ref(py),
            None => PyString::new(py, &self.text).into_any().unbind(),
        }
    }
}

/// The message of one parser, as its events have built it so far.
#[derive(Default)]
pub struct Assembled {
    id: Option<Py<PyAny>>,
    model: Option<Py<PyAny>>,
    text: Joined,
    reasoning: Joined,
    signatures: Vec<Py<PyAny>>,
    tool_calls: Vec<Py<PyAny>>,
    sources: Vec<Py<PyAny>>,
    errors: Vec<Py<PyAny>>,
    /// The last `finish`: the message's reason, raw reason, usage and provider metadata.
    finish: Option<Py<Finish>>,
}

impl Assembled {
    /// Folds one event, given with the object made of it, as `Message::apply` folds the event.
    pub fn apply(&mut self, py: Python<'_>, event: &Event, object: &Py<PyAny>) {
        let object = object.bind(py);
        match event {
            Event::StreamStart { id, model } => {
                if let Ok(start) = object.cast::<StreamStart>() {
                    let start = start.get();
                    if id.is_some() {
                        self.id = Some(start.id.clone_ref(py));
                    }
                    if model.is_some() {
                        self.model = Some(start.model.clone_ref(py));
                    }
                }
            }
            Event::TextDelta { text, .. } => {
                if let Ok(delta) = object.cast::<TextDelta>() {
                    self.text.push(py, text, &delta.get().text);
                }
            }
            Event::ReasoningDelta { text, .. } => {
                if let Ok(delta) = object.cast::<ReasoningDelta>() {
                    self.reasoning.push(py, text, &delta.get().text);
                }
            }
            Event::ReasoningEnd { signature: Some(_), .. } => {
                if let Ok(end) = object.cast::<ReasoningEnd>() {
                    self.signatures.push(end.get().signature.clone_ref(py));
                }
            }
            Event::ToolCall { .. } => self.tool_calls.push(object.clone().unbind()),
            Event::Source { .. } => self.sources.push(object.clone().unbind()),
            Event::Error { .. } => self.errors.push(object.clone().unbind()),
            Event::Finish { .. } => {
                if let Ok(finish) = object.cast::<Finish>() {
                    self.finish = Some(finish.clone().unbind());
                }
            }
            _ => {}
        }
    }

    /// The message as a `Message`.
    pub fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let opt = |o: &Option<Py<PyAny>>| o.as_ref().map_or_else(|| py.None(), |o| o.clone_ref(py));
        let tuple = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
            Ok(PyTuple::new(py, items.iter().map(|o| o.clone_ref(py)))?
                .into_any()
                .unbind())
        };
        let finish = self.finish.as_ref().map(Py::get);
        let of_finish = |field: fn(&Finish) -> &Py<PyAny>| finish.map_or_else(|| py.None(), |f| field(f).clone_ref(py));
        Ok(Py::new(
            py,
            Message {
                id: opt(&self.id),
                model: opt(&self.model),
                text: self.text.to_py(py),
                reasoning: self.reasoning.to_py(py),
                reasoning_signatures: tuple(&self.signatures)?,
                tool_calls: tuple(&self.tool_calls)?,
                sources: tuple(&self.sources)?,
                finish_reason: of_finish(|f| &f.reason),
                raw_finish_reason: of_finish(|f| &f.raw_reason),
                usage: of_finish(|f| &f.usage),
                provider_metadata_json: of_finish(|f| &f.provider_metadata_json),
                errors: tuple(&self.errors)?,
            },
        )?
        .into_any())
    }
}

/// The core's own fold of a message (`parse_many`'s, made without event objects) as a `Message`,
/// field for field what `Assembled::to_py` gives for the same events.
pub fn message_to_py(py: Python<'_>, m: &streamdelta_core::Message) -> PyResult<Py<PyAny>> {
    let tuple = |items: Vec<Py<PyAny>>| -> PyResult<Py<PyAny>> { Ok(PyTuple::new(py, items)?.into_any().unbind()) };
    let tool_calls = m
        .tool_calls
        .iter()
        .map(|t| events::tool_call(py, events::s(py, &t.id), &t.name, &t.arguments, t.provider_executed))
        .collect::<PyResult<Vec<_>>>()?;
    let sources = m
        .sources
        .iter()
        .map(|s| events::source(py, events::s(py, &s.id), &s.url, s.title.as_deref()))
        .collect::<PyResult<Vec<_>>>()?;
    let errors = m
        .errors
        .iter()
        .map(|e| events::error_event(py, &e.message, &e.kind, e.raw.as_deref()))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Py::new(
        py,
        Message {
            id: events::opt(py, m.id.as_deref()),
            model: events::opt(py, m.model.as_deref()),
            text: events::s(py, &m.text),
            reasoning: events::s(py, &m.reasoning),
            reasoning_signatures: tuple(m.reasoning_signatures.iter().map(|s| events::s(py, s)).collect())?,
            tool_calls: tuple(tool_calls)?,
            sources: tuple(sources)?,
            finish_reason: m.finish_reason.map_or_else(|| py.None(), |r| events::reason_str(py, r)),
            raw_finish_reason: events::opt(py, m.raw_finish_reason.as_deref()),
            usage: m
                .usage
                .as_ref()
                .map_or_else(|| Ok(py.None()), |u| events::usage(py, u))?,
            provider_metadata_json: events::opt(py, m.provider_metadata_json.as_deref()),
            errors: tuple(errors)?,
        },
    )?
    .into_any())
}
