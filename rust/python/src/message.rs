//! The assembled `Message`, folded from the event objects as they are made: the fold of
//! `streamdelta_core::message` (choices included), kept in Python objects.
//!
//! The message shares what its events already hold (ids, the model, signatures, tool calls,
//! sources, errors, the finish's reason and usage): they are frozen, and building them again was
//! most of the cost of `StreamParser.message` on short streams (Gemini's). Only the text and the
//! reasoning are kept as Rust strings, since they are the concatenation of many deltas; a text
//! that came in one delta is that delta's string.

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use streamdelta_core::message::{ChoiceRouter, LogprobsJoin};
use streamdelta_core::{Event, PartId};

use crate::events::{
    self, File, Finish, Message, Part, ReasoningDelta, ReasoningEnd, ReasoningStart, RefusalDelta, RefusalStart,
    StreamStart, TextDelta, TextStart, ToolCall, ToolResult,
};

/// The `id` of an event object of class `$class`, read from its struct: the Python attribute
/// lookup it replaces was about 250 instructions a part.
macro_rules! id_of {
    ($object:expr, $class:ty) => {
        $object
            .cast::<$class>()
            .ok()
            .map(|event| event.get().id.clone_ref($object.py()))
    };
}

/// One concatenated field (`text`, `reasoning`, `refusal`, or a part's text).
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

    fn copy(&self, py: Python<'_>) -> Self {
        Self {
            text: self.text.clone(),
            single: self.single.as_ref().map(|s| s.clone_ref(py)),
        }
    }
}

/// The kind of a content part, as `Part.kind` names it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Reasoning,
    Refusal,
    ToolCall,
    ToolResult,
    File,
}

impl Kind {
    fn to_py(self, py: Python<'_>) -> Py<PyAny> {
        let name = match self {
            Self::Text => pyo3::intern!(py, "text"),
            Self::Reasoning => pyo3::intern!(py, "reasoning"),
            Self::Refusal => pyo3::intern!(py, "refusal"),
            Self::ToolCall => pyo3::intern!(py, "tool_call"),
            Self::ToolResult => pyo3::intern!(py, "tool_result"),
            Self::File => pyo3::intern!(py, "file"),
        };
        name.clone().into_any().unbind()
    }
}

/// A part's text. While no other part of its kind has taken a delta since it began, it is the tail
/// of its kind's joined text from `start` (a delta is then copied once, not twice: the per-delta
/// cost of the message); a part whose deltas interleave with another's keeps its own copy.
enum PartText {
    Tail {
        start: usize,
        end: usize,
        /// The string of the part's one delta so far (see `Joined::single`).
        single: Option<Py<PyAny>>,
    },
    Own(Joined),
}

impl PartText {
    fn copy(&self, py: Python<'_>) -> Self {
        match self {
            Self::Tail { start, end, single } => Self::Tail {
                start: *start,
                end: *end,
                single: single.as_ref().map(|s| s.clone_ref(py)),
            },
            Self::Own(joined) => Self::Own(joined.copy(py)),
        }
    }
}

/// A content part being built: text, reasoning and refusal parts join their deltas; the others
/// hold their event.
struct OpenPart {
    kind: Kind,
    part_id: PartId,
    id: Py<PyAny>,
    text: PartText,
    signature: Option<Py<PyAny>>,
    redacted: bool,
    value: Option<Py<PyAny>>,
    /// Text and refusal parts: their deltas' logprobs, joined.
    logprobs: LogprobsJoin,
}

impl OpenPart {
    /// A part whose text begins at `start` of its kind's joined text.
    fn new(kind: Kind, part_id: &PartId, id: Py<PyAny>, start: usize) -> Self {
        Self {
            kind,
            part_id: part_id.clone(),
            id,
            text: PartText::Tail {
                start,
                end: start,
                single: None,
            },
            signature: None,
            redacted: false,
            value: None,
            logprobs: LogprobsJoin::default(),
        }
    }

    fn copy(&self, py: Python<'_>) -> Self {
        Self {
            kind: self.kind,
            part_id: self.part_id.clone(),
            id: self.id.clone_ref(py),
            text: self.text.copy(py),
            signature: self.signature.as_ref().map(|s| s.clone_ref(py)),
            redacted: self.redacted,
            value: self.value.as_ref().map(|v| v.clone_ref(py)),
            logprobs: self.logprobs.clone(),
        }
    }

    /// Appends a delta already appended to `joined`, its kind's joined text.
    fn push(&mut self, py: Python<'_>, text: &str, string: &Py<PyAny>, joined: &str) {
        let before = joined.len().saturating_sub(text.len());
        match &mut self.text {
            PartText::Tail { start, end, single } if *end == before => {
                *single = (*end == *start).then(|| string.clone_ref(py));
                *end = joined.len();
            }
            PartText::Tail { start, end, single } => {
                let mut own = Joined {
                    text: joined.get(*start..*end).unwrap_or_default().to_owned(),
                    single: single.take(),
                };
                own.push(py, text, string);
                self.text = PartText::Own(own);
            }
            PartText::Own(own) => own.push(py, text, string),
        }
    }

    /// `joined`: its kind's joined text, and `whole` the message's string of it (a part that is
    /// all of it shares that string: the usual one-part message builds its text once, not twice,
    /// 4.6 % of an Anthropic stream's instructions).
    fn to_py(&self, py: Python<'_>, joined: &str, whole: Option<&Py<PyAny>>) -> PyResult<Py<PyAny>> {
        let opt = |o: &Option<Py<PyAny>>| o.as_ref().map_or_else(|| py.None(), |o| o.clone_ref(py));
        let text = match (&self.text, whole) {
            (
                PartText::Tail {
                    single: Some(single), ..
                },
                _,
            ) => single.clone_ref(py),
            (
                PartText::Tail {
                    start: 0,
                    end,
                    single: None,
                },
                Some(whole),
            ) if *end == joined.len() => whole.clone_ref(py),
            (
                PartText::Tail {
                    start,
                    end,
                    single: None,
                },
                _,
            ) => PyString::new(py, joined.get(*start..*end).unwrap_or_default())
                .into_any()
                .unbind(),
            (PartText::Own(own), _) => own.to_py(py),
        };
        Ok(Py::new(
            py,
            Part {
                kind: self.kind.to_py(py),
                id: self.id.clone_ref(py),
                text,
                signature: opt(&self.signature),
                redacted: events::flag(py, self.redacted)?,
                value: opt(&self.value),
                logprobs: events::opt(py, self.logprobs.text().as_deref()),
            },
        )?
        .into_any())
    }
}

fn copy_all(py: Python<'_>, items: &[Py<PyAny>]) -> Vec<Py<PyAny>> {
    items.iter().map(|o| o.clone_ref(py)).collect()
}

/// The latest part of `kind` with id `id`.
fn latest<'p>(parts: &'p mut [OpenPart], kind: Kind, id: &PartId) -> Option<&'p mut OpenPart> {
    parts
        .iter_mut()
        .rev()
        .find(|p| p.kind == kind && (PartId::ptr_eq(&p.part_id, id) || p.part_id == *id))
}

/// The fields of one message (one choice).
#[derive(Default)]
struct Fold {
    id: Option<Py<PyAny>>,
    model: Option<Py<PyAny>>,
    created: Option<Py<PyAny>>,
    text: Joined,
    reasoning: Joined,
    refusal: Joined,
    signatures: Vec<Py<PyAny>>,
    tool_calls: Vec<Py<PyAny>>,
    tool_results: Vec<Py<PyAny>>,
    files: Vec<Py<PyAny>>,
    sources: Vec<Py<PyAny>>,
    errors: Vec<Py<PyAny>>,
    parts: Vec<OpenPart>,
    /// The last `finish`: the message's reason, raw reason, usage and provider metadata.
    finish: Option<Py<Finish>>,
    /// The text deltas' logprobs, joined.
    logprobs: LogprobsJoin,
}

impl Fold {
    fn copy(&self, py: Python<'_>) -> Self {
        let mut out = self.shared(py);
        out.text = self.text.copy(py);
        out.reasoning = self.reasoning.copy(py);
        out.refusal = self.refusal.copy(py);
        out.signatures = copy_all(py, &self.signatures);
        out.tool_calls = copy_all(py, &self.tool_calls);
        out.tool_results = copy_all(py, &self.tool_results);
        out.files = copy_all(py, &self.files);
        out.parts = self.parts.iter().map(|p| p.copy(py)).collect();
        out.logprobs.clone_from(&self.logprobs);
        out
    }

    /// Only what every choice shares: the fields of events that belong to no part.
    fn shared(&self, py: Python<'_>) -> Self {
        let opt = |o: &Option<Py<PyAny>>| o.as_ref().map(|o| o.clone_ref(py));
        Self {
            id: opt(&self.id),
            model: opt(&self.model),
            created: opt(&self.created),
            sources: copy_all(py, &self.sources),
            errors: copy_all(py, &self.errors),
            finish: self.finish.as_ref().map(|f| f.clone_ref(py)),
            ..Self::default()
        }
    }

    fn fold(&mut self, py: Python<'_>, event: &Event, object: &Bound<'_, PyAny>) {
        match event {
            Event::StreamStart { id, model, created } => {
                if let Ok(start) = object.cast::<StreamStart>() {
                    let start = start.get();
                    if id.is_some() {
                        self.id = Some(start.id.clone_ref(py));
                    }
                    if model.is_some() {
                        self.model = Some(start.model.clone_ref(py));
                    }
                    if created.is_some() {
                        self.created = Some(start.created.clone_ref(py));
                    }
                }
            }
            Event::TextStart { id, .. } => self.start(Kind::Text, id, id_of!(object, TextStart)),
            Event::ReasoningStart { id, .. } => self.start(Kind::Reasoning, id, id_of!(object, ReasoningStart)),
            Event::RefusalStart { id, .. } => self.start(Kind::Refusal, id, id_of!(object, RefusalStart)),
            Event::TextDelta { id, text, logprobs } => {
                if let Ok(delta) = object.cast::<TextDelta>() {
                    let delta = delta.get();
                    self.extend(py, Kind::Text, id, text, &delta.id, &delta.text);
                    if let Some(logprobs) = logprobs {
                        self.join_logprobs(Kind::Text, id, logprobs);
                    }
                }
            }
            Event::ReasoningDelta { id, text } => {
                if let Ok(delta) = object.cast::<ReasoningDelta>() {
                    let delta = delta.get();
                    self.extend(py, Kind::Reasoning, id, text, &delta.id, &delta.text);
                }
            }
            Event::RefusalDelta { id, text, logprobs } => {
                if let Ok(delta) = object.cast::<RefusalDelta>() {
                    let delta = delta.get();
                    self.extend(py, Kind::Refusal, id, text, &delta.id, &delta.text);
                    if let Some(logprobs) = logprobs {
                        self.join_logprobs(Kind::Refusal, id, logprobs);
                    }
                }
            }
            Event::ReasoningEnd {
                id,
                signature,
                redacted,
            } => {
                if let Ok(end) = object.cast::<ReasoningEnd>() {
                    let end = end.get();
                    if signature.is_some() {
                        self.signatures.push(end.signature.clone_ref(py));
                    }
                    if signature.is_some() || *redacted {
                        if let Some(part) = latest(&mut self.parts, Kind::Reasoning, id) {
                            part.signature = signature.as_ref().map(|_| end.signature.clone_ref(py));
                            part.redacted = *redacted;
                        }
                    }
                }
            }
            Event::ToolCall { id, .. } => {
                self.hold(Kind::ToolCall, id, id_of!(object, ToolCall), object);
                self.tool_calls.push(object.clone().unbind());
            }
            Event::ToolResult { id, .. } => {
                self.hold(Kind::ToolResult, id, id_of!(object, ToolResult), object);
                self.tool_results.push(object.clone().unbind());
            }
            Event::File { id, .. } => {
                self.hold(Kind::File, &PartId::from(id.as_str()), id_of!(object, File), object);
                self.files.push(object.clone().unbind());
            }
            Event::Source(_) => self.sources.push(object.clone().unbind()),
            Event::Error { .. } => self.errors.push(object.clone().unbind()),
            Event::Finish { .. } => {
                if let Ok(finish) = object.cast::<Finish>() {
                    self.finish = Some(finish.clone().unbind());
                }
            }
            _ => {}
        }
    }

    /// The joined text of a kind of part (none for the parts that hold their event).
    fn joined(&self, kind: Kind) -> &str {
        match kind {
            Kind::Text => &self.text.text,
            Kind::Reasoning => &self.reasoning.text,
            Kind::Refusal => &self.refusal.text,
            Kind::ToolCall | Kind::ToolResult | Kind::File => "",
        }
    }

    /// A part opens (`py_id`: its event's `id`, none when the object is not of its event's class).
    fn start(&mut self, kind: Kind, id: &PartId, py_id: Option<Py<PyAny>>) {
        if let Some(py_id) = py_id {
            let start = self.joined(kind).len();
            self.parts.push(OpenPart::new(kind, id, py_id, start));
        }
    }

    /// A part holding its event (`tool_call`, `tool_result`, `file`).
    fn hold(&mut self, kind: Kind, id: &PartId, py_id: Option<Py<PyAny>>, object: &Bound<'_, PyAny>) {
        if let Some(py_id) = py_id {
            let mut part = OpenPart::new(kind, id, py_id, 0);
            part.value = Some(object.clone().unbind());
            self.parts.push(part);
        }
    }

    /// Appends a delta to its kind's joined text and to its part, as `Message::extend` in the
    /// core: the last part on the usual path, an earlier one when parts interleave, a new one when
    /// its start was never seen.
    fn extend(&mut self, py: Python<'_>, kind: Kind, id: &PartId, text: &str, py_id: &Py<PyAny>, string: &Py<PyAny>) {
        let joined = match kind {
            Kind::Reasoning => &mut self.reasoning,
            Kind::Refusal => &mut self.refusal,
            _ => &mut self.text,
        };
        let start = joined.text.len();
        joined.push(py, text, string);
        let joined = &joined.text;
        if let Some(part) = latest(&mut self.parts, kind, id) {
            part.push(py, text, string, joined);
            return;
        }
        let mut part = OpenPart::new(kind, id, py_id.clone_ref(py), start);
        part.push(py, text, string, joined);
        self.parts.push(part);
    }

    /// A delta's logprobs, after `extend` has put its text in its part: onto that part's, and onto
    /// the message's for text.
    #[cold]
    fn join_logprobs(&mut self, kind: Kind, id: &PartId, logprobs: &str) {
        if kind == Kind::Text {
            self.logprobs.push(logprobs);
        }
        if let Some(part) = latest(&mut self.parts, kind, id) {
            part.logprobs.push(logprobs);
        }
    }

    fn to_py(&self, py: Python<'_>, choices: Py<PyAny>) -> PyResult<Py<PyAny>> {
        let opt = |o: &Option<Py<PyAny>>| o.as_ref().map_or_else(|| py.None(), |o| o.clone_ref(py));
        let tuple = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
            Ok(PyTuple::new(py, items.iter().map(|o| o.clone_ref(py)))?
                .into_any()
                .unbind())
        };
        let finish = self.finish.as_ref().map(Py::get);
        let of_finish = |field: fn(&Finish) -> &Py<PyAny>| finish.map_or_else(|| py.None(), |f| field(f).clone_ref(py));
        let text = self.text.to_py(py);
        let reasoning = self.reasoning.to_py(py);
        let refusal = self.refusal.to_py(py);
        let parts = self
            .parts
            .iter()
            .map(|p| {
                let whole = match p.kind {
                    Kind::Text => Some(&text),
                    Kind::Reasoning => Some(&reasoning),
                    Kind::Refusal => Some(&refusal),
                    Kind::ToolCall | Kind::ToolResult | Kind::File => None,
                };
                p.to_py(py, self.joined(p.kind), whole)
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Py::new(
            py,
            Message {
                id: opt(&self.id),
                model: opt(&self.model),
                text,
                reasoning,
                reasoning_signatures: tuple(&self.signatures)?,
                tool_calls: tuple(&self.tool_calls)?,
                sources: tuple(&self.sources)?,
                finish_reason: of_finish(|f| &f.reason),
                raw_finish_reason: of_finish(|f| &f.raw_reason),
                usage: of_finish(|f| &f.usage),
                provider_metadata_json: of_finish(|f| &f.provider_metadata_json),
                errors: tuple(&self.errors)?,
                created: opt(&self.created),
                refusal,
                tool_results: tuple(&self.tool_results)?,
                files: tuple(&self.files)?,
                parts: PyTuple::new(py, parts)?.into_any().unbind(),
                choices,
                logprobs: events::opt(py, self.logprobs.text().as_deref()),
            },
        )?
        .into_any())
    }
}

/// The message of one parser, as its events have built it so far.
#[derive(Default)]
pub struct Assembled {
    main: Fold,
    /// One message per choice once a part of a choice > 0 opened (choice 0 included).
    choices: Vec<Fold>,
    routes: ChoiceRouter,
}

impl Assembled {
    /// Folds one event, given with the object made of it, as `Message::apply` folds the event.
    pub fn apply(&mut self, py: Python<'_>, event: &Event, object: &Py<PyAny>) {
        let object = object.bind(py);
        // As in `Message::apply`: a single-choice stream so far keeps no route.
        if self.choices.is_empty() && ChoiceRouter::opened_choice(event) == 0 {
            self.main.fold(py, event, object);
            return;
        }
        if let Some(choice) = self.routes.choice_of(event) {
            let choice = choice as usize;
            if self.choices.len() <= choice {
                if self.choices.is_empty() {
                    self.choices.push(self.main.copy(py));
                }
                while self.choices.len() <= choice {
                    self.choices.push(self.main.shared(py));
                }
            }
            if choice == 0 {
                self.main.fold(py, event, object);
            }
            if let Some(fold) = self.choices.get_mut(choice) {
                fold.fold(py, event, object);
            }
        } else {
            self.main.fold(py, event, object);
            for fold in &mut self.choices {
                fold.fold(py, event, object);
            }
        }
    }

    /// The message as a `Message`.
    pub fn to_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let empty = PyTuple::empty(py).into_any().unbind();
        let choices = self
            .choices
            .iter()
            .map(|c| c.to_py(py, empty.clone_ref(py)))
            .collect::<PyResult<Vec<_>>>()?;
        self.main.to_py(py, PyTuple::new(py, choices)?.into_any().unbind())
    }
}

/// The core's own fold of a message (`parse_many`'s, made without event objects) as a `Message`,
/// field for field what `Assembled::to_py` gives for the same events.
pub fn message_to_py(py: Python<'_>, m: &streamdelta_core::Message) -> PyResult<Py<PyAny>> {
    let tuple = |items: &[Py<PyAny>]| -> PyResult<Py<PyAny>> {
        Ok(PyTuple::new(py, items.iter().map(|o| o.clone_ref(py)))?
            .into_any()
            .unbind())
    };
    let tool_calls = m
        .tool_calls
        .iter()
        .map(|t| {
            events::tool_call(
                py,
                events::s(py, &t.id),
                &t.name,
                &t.arguments,
                t.provider_executed,
                t.call_type.as_deref(),
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    let tool_results = m
        .tool_results
        .iter()
        .map(|t| {
            events::tool_result(
                py,
                events::s(py, &t.id),
                &t.name,
                &t.result,
                t.is_error,
                t.provider_executed,
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    let files = m
        .files
        .iter()
        .map(|f| events::file(py, &f.id, &f.media_type, &f.data, f.partial))
        .collect::<PyResult<Vec<_>>>()?;
    let sources = m
        .sources
        .iter()
        .map(|s| events::source(py, s))
        .collect::<PyResult<Vec<_>>>()?;
    let errors = m
        .errors
        .iter()
        .map(|e| events::error_event(py, &e.message, &e.kind, e.raw.as_deref()))
        .collect::<PyResult<Vec<_>>>()?;
    let (text, reasoning, refusal) = (
        events::s(py, &m.text),
        events::s(py, &m.reasoning),
        events::s(py, &m.refusal),
    );
    let wholes = Wholes::of(m, &text, &reasoning, &refusal);
    let parts = m
        .parts
        .iter()
        .map(|p| part_to_py(py, p, &wholes, &tool_calls, &tool_results, &files))
        .collect::<PyResult<Vec<_>>>()?;
    let choices = m
        .choices
        .iter()
        .map(|c| message_to_py(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Py::new(
        py,
        Message {
            id: events::opt(py, m.id.as_deref()),
            model: events::opt(py, m.model.as_deref()),
            text,
            reasoning,
            reasoning_signatures: tuple(
                &m.reasoning_signatures
                    .iter()
                    .map(|s| events::s(py, s))
                    .collect::<Vec<_>>(),
            )?,
            tool_calls: tuple(&tool_calls)?,
            sources: tuple(&sources)?,
            finish_reason: m.finish_reason.map_or_else(|| py.None(), |r| events::reason_str(py, r)),
            raw_finish_reason: events::opt(py, m.raw_finish_reason.as_deref()),
            usage: m
                .usage
                .as_ref()
                .map_or_else(|| Ok(py.None()), |u| events::usage(py, u))?,
            provider_metadata_json: events::opt(py, m.provider_metadata_json.as_deref()),
            errors: tuple(&errors)?,
            created: match m.created {
                Some(c) => c.into_pyobject(py)?.into_any().unbind(),
                None => py.None(),
            },
            refusal,
            tool_results: tuple(&tool_results)?,
            files: tuple(&files)?,
            parts: tuple(&parts)?,
            choices: tuple(&choices)?,
            logprobs: events::opt(py, m.logprobs.text().as_deref()),
        },
    )?
    .into_any())
}

/// The message's text, reasoning and refusal, each with its string: a part that is all of one
/// shares the string (as `Fold::to_py`'s parts do).
struct Wholes<'m> {
    text: (&'m str, &'m Py<PyAny>),
    reasoning: (&'m str, &'m Py<PyAny>),
    refusal: (&'m str, &'m Py<PyAny>),
}

impl<'m> Wholes<'m> {
    fn of(
        m: &'m streamdelta_core::Message,
        text: &'m Py<PyAny>,
        reasoning: &'m Py<PyAny>,
        refusal: &'m Py<PyAny>,
    ) -> Self {
        Self {
            text: (&m.text, text),
            reasoning: (&m.reasoning, reasoning),
            refusal: (&m.refusal, refusal),
        }
    }
}

fn part_to_py(
    py: Python<'_>,
    part: &streamdelta_core::Part,
    wholes: &Wholes<'_>,
    tool_calls: &[Py<PyAny>],
    tool_results: &[Py<PyAny>],
    files: &[Py<PyAny>],
) -> PyResult<Py<PyAny>> {
    use streamdelta_core::Part as P;
    let text_part = |id: &PartId,
                     text: &str,
                     (whole, whole_py): (&str, &Py<PyAny>),
                     signature: Option<&str>,
                     redacted: bool,
                     logprobs: Option<&str>|
     -> PyResult<Py<PyAny>> {
        Ok(Py::new(
            py,
            Part {
                kind: PyString::intern(py, part.type_name()).into_any().unbind(),
                id: events::s(py, id),
                text: if text == whole {
                    whole_py.clone_ref(py)
                } else {
                    events::s(py, text)
                },
                signature: events::opt(py, signature),
                redacted: events::flag(py, redacted)?,
                value: py.None(),
                logprobs: events::opt(py, logprobs),
            },
        )?
        .into_any())
    };
    let held = |items: &[Py<PyAny>], index: usize| -> PyResult<Py<PyAny>> {
        let value = items.get(index).map_or_else(|| py.None(), |v| v.clone_ref(py));
        let id = value.bind(py).getattr(pyo3::intern!(py, "id"))?.unbind();
        Ok(Py::new(
            py,
            Part {
                kind: PyString::intern(py, part.type_name()).into_any().unbind(),
                id,
                text: PyString::intern(py, "").into_any().unbind(),
                signature: py.None(),
                redacted: events::flag(py, false)?,
                value,
                logprobs: py.None(),
            },
        )?
        .into_any())
    };
    match part {
        P::Text { id, text, logprobs } => text_part(id, text, wholes.text, None, false, logprobs.text().as_deref()),
        P::Refusal { id, text, logprobs } => {
            text_part(id, text, wholes.refusal, None, false, logprobs.text().as_deref())
        }
        P::Reasoning {
            id,
            text,
            signature,
            redacted,
        } => text_part(id, text, wholes.reasoning, signature.as_deref(), *redacted, None),
        P::ToolCall(i) => held(tool_calls, *i),
        P::ToolResult(i) => held(tool_results, *i),
        P::File(i) => held(files, *i),
    }
}
