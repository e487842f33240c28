//! The normalized event classes, `Usage` and `Message`, and the conversion from core events.
//!
//! Fields are stored as ready-made Python objects: an event is built once, read many times.

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple, PyType};
use streamdelta_core::{Event, FinishReason, PartId, SourceKind, Usage as CoreUsage};

macro_rules! default_value {
    ($py:expr, none) => {
        $py.None()
    };
    ($py:expr, false) => {
        false.into_pyobject($py)?.to_owned().into_any().unbind()
    };
    ($py:expr, empty_str) => {
        pyo3::types::PyString::new($py, "").into_any().unbind()
    };
    ($py:expr, empty_tuple) => {
        pyo3::types::PyTuple::empty($py).into_any().unbind()
    };
    ($py:expr, true) => {
        true.into_pyobject($py)?.to_owned().into_any().unbind()
    };
    ($py:expr, zero) => {
        0u32.into_pyobject($py)?.into_any().unbind()
    };
    ($py:expr, url) => {
        pyo3::intern!($py, "url").clone().into_any().unbind()
    };
}

/// One frozen class with value equality, `repr`, `__match_args__` and `to_dict()`.
macro_rules! value_class {
    (
        $rust:ident, $name:literal, $type:expr, doc: $doc:literal,
        required: [$($req:ident),*], optional: [$($opt:ident = $default:tt),*]
        $(, sparse: [$($sparse:ident),*])?
        $(, extra: { $($extra:item)* })?
    ) => {
        #[doc = $doc]
        #[pyclass(frozen, get_all, module = "streamdelta._core", name = $name)]
        pub struct $rust {
            $(pub $req: Py<PyAny>,)*
            $(pub $opt: Py<PyAny>,)*
        }

        impl $rust {
            const FIELDS: &'static [&'static str] = &[$(stringify!($req),)* $(stringify!($opt),)*];
            /// Fields left out of `to_dict()` and `repr` while None: a rare detail that most
            /// values of the class never have, so their dicts need no key for it.
            const SPARSE: &'static [&'static str] = &[$($(stringify!($sparse),)*)?];

            fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
                PyTuple::new(py, [$(self.$req.bind(py),)* $(self.$opt.bind(py),)*])
            }

            /// The fields `to_dict()` and `repr` show, with their values.
            fn shown<'py>(&self, py: Python<'py>) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
                Ok(Self::FIELDS
                    .iter()
                    .copied()
                    .zip(self.values(py)?.iter())
                    .filter(|(name, value)| !(value.is_none() && Self::SPARSE.contains(name)))
                    .collect())
            }
        }

        #[pymethods]
        impl $rust {
            #[new]
            #[pyo3(signature = ($($req,)* $($opt = None,)*))]
            #[allow(unused_variables, clippy::too_many_arguments)]
            fn new(py: Python<'_>, $($req: Py<PyAny>,)* $($opt: Option<Py<PyAny>>,)*) -> PyResult<Self> {
                Ok(Self {
                    $($req,)*
                    $($opt: match $opt { Some(v) => v, None => default_value!(py, $default) },)*
                })
            }

            #[classattr]
            #[pyo3(name = "type")]
            #[allow(clippy::unnecessary_wraps)]
            fn type_name() -> Option<&'static str> {
                $type
            }

            #[classattr]
            fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
                Ok(PyTuple::new(py, Self::FIELDS)?.unbind())
            }

            /// The object as a plain dict (nested values too), the same from both backends.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                if let Some(t) = $type {
                    d.set_item(pyo3::intern!(py, "type"), t)?;
                }
                for (name, value) in self.shown(py)? {
                    d.set_item(name, plain(&value)?)?;
                }
                Ok(d)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut parts = Vec::with_capacity(Self::FIELDS.len());
                for (name, value) in self.shown(py)? {
                    parts.push(format!("{name}={}", value.repr()?));
                }
                Ok(format!("{}({})", $name, parts.join(", ")))
            }

            fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
                let py = other.py();
                let Ok(other) = other.cast::<Self>() else {
                    return Ok(py.NotImplemented());
                };
                match op {
                    CompareOp::Eq | CompareOp::Ne => {
                        let equal = self.values(py)?.eq(other.get().values(py)?)?;
                        Ok((equal == matches!(op, CompareOp::Eq)).into_pyobject(py)?.to_owned().into_any().unbind())
                    }
                    _ => Ok(py.NotImplemented()),
                }
            }

            fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
                self.values(py)?.hash()
            }

            /// Pickling and copying: the class and the field values, which `__new__` takes back in order.
            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
                Ok((slf.get_type(), slf.get().values(slf.py())?))
            }

            $($($extra)*)?
        }
    };
}

/// Nested classes become dicts, tuples of them lists, bytes (file data) base64 text: `to_dict()`
/// is plain data.
fn plain<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        let text = streamdelta_core::b64::encode(bytes.as_bytes());
        return Ok(PyString::new(value.py(), &text).into_any());
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let items: PyResult<Vec<_>> = tuple.iter().map(|v| plain(&v)).collect();
        return Ok(pyo3::types::PyList::new(value.py(), items?)?.into_any());
    }
    if value.hasattr(pyo3::intern!(value.py(), "to_dict"))? {
        return value.call_method0(pyo3::intern!(value.py(), "to_dict"));
    }
    Ok(value.clone())
}

/// JSON text parsed with `json.loads`, or None for None.
fn parsed_or_none<'py>(py: Python<'py>, raw: &Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let raw = raw.bind(py);
    if raw.is_none() {
        return Ok(raw.clone());
    }
    py.import(pyo3::intern!(py, "json"))?
        .call_method1(pyo3::intern!(py, "loads"), (raw,))
}

value_class!(StreamStart, "StreamStart", Some("stream_start"),
    doc: "The response id, model and creation time (unix seconds), when the wire reports them.",
    required: [], optional: [id = none, model = none, created = none]);
value_class!(TextStart, "TextStart", Some("text_start"),
    doc: "A text part of choice `choice` (0 unless n > 1) opens.",
    required: [id], optional: [choice = zero]);
value_class!(TextDelta, "TextDelta", Some("text_delta"),
    doc: "Text of an open text part; `logprobs`: its tokens' log probabilities as sent (a JSON array's text, the legacy completions' object's), when sent.",
    required: [id, text], optional: [logprobs = none],
    sparse: [logprobs]);
value_class!(TextEnd, "TextEnd", Some("text_end"),
    doc: "A text part closes.",
    required: [id], optional: []);
value_class!(ReasoningStart, "ReasoningStart", Some("reasoning_start"),
    doc: "A reasoning (thinking) part opens.",
    required: [id], optional: [choice = zero]);
value_class!(ReasoningDelta, "ReasoningDelta", Some("reasoning_delta"),
    doc: "Text of an open reasoning part.",
    required: [id, text], optional: []);
value_class!(ReasoningEnd, "ReasoningEnd", Some("reasoning_end"),
    doc: "A reasoning part closes, with its signature (to send back) and whether it was redacted.",
    required: [id], optional: [signature = none, redacted = false]);
value_class!(RefusalStart, "RefusalStart", Some("refusal_start"),
    doc: "A refusal part opens: the model declines, kept apart from text.",
    required: [id], optional: [choice = zero]);
value_class!(RefusalDelta, "RefusalDelta", Some("refusal_delta"),
    doc: "Text of an open refusal part; `logprobs` as on `TextDelta`.",
    required: [id, text], optional: [logprobs = none],
    sparse: [logprobs]);
value_class!(RefusalEnd, "RefusalEnd", Some("refusal_end"),
    doc: "A refusal part closes.",
    required: [id], optional: []);
value_class!(ToolInputStart, "ToolInputStart", Some("tool_input_start"),
    doc: "A tool call begins to stream its arguments.",
    required: [id, name], optional: [choice = zero, provider_executed = false]);
value_class!(ToolInputDelta, "ToolInputDelta", Some("tool_input_delta"),
    doc: "A raw fragment of a tool call's arguments, exactly as sent.",
    required: [id, delta], optional: []);
value_class!(ToolInputEnd, "ToolInputEnd", Some("tool_input_end"),
    doc: "A streamed tool call's arguments are complete; its `ToolCall` follows at once.",
    required: [id], optional: []);
value_class!(ToolCall, "ToolCall", Some("tool_call"),
    doc: "A complete tool call, ready to run: `id` is what its result carries back; `input` parses `arguments`.",
    required: [id, name, arguments], optional: [provider_executed = false, call_type = none],
    sparse: [call_type],
extra: {
    /// The arguments parsed strictly as JSON (on each access): invalid or truncated arguments
    /// raise, with the byte offset; they are never repaired.
    #[getter]
    fn input<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::strict_value(py, self.arguments.bind(py).cast::<PyString>()?.to_str()?)
    }
});
value_class!(ToolResult, "ToolResult", Some("tool_result"),
    doc: "The result of a tool the provider ran (web search, code execution, MCP, ...): `id` is the id of\nthe call it answers, `result` its raw JSON text; `output` parses it.",
    required: [id, name, result], optional: [is_error = false, provider_executed = true],
extra: {
    /// The result parsed strictly as JSON (on each access), as `ToolCall.input` parses arguments.
    #[getter]
    fn output<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::strict_value(py, self.result.bind(py).cast::<PyString>()?.to_str()?)
    }
});
value_class!(File, "File", Some("file"),
    doc: "Generated media (an image, audio): `data` is the decoded bytes; `partial` marks a preview\n(a partial image). `to_dict()` gives `data` as base64 text.",
    required: [id, media_type, data], optional: [partial = false]);
value_class!(Source, "Source", Some("source"),
    doc: "A citation or search source: `kind` is `url` (with its `url`) or `document`; offsets, cited\ntext and file ids stay in `provider_metadata_json`.",
    required: [id], optional: [url = none, title = none, kind = url, media_type = none, filename = none, provider_metadata_json = none],
extra: {
    /// `provider_metadata_json` parsed (None when absent).
    #[getter]
    fn provider_metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        parsed_or_none(py, &self.provider_metadata_json)
    }
});
value_class!(Raw, "Raw", Some("raw"),
    doc: "One payload exactly as sent, ahead of the events it produced (`StreamParser(include_raw=True)`).",
    required: [data], optional: []);
value_class!(Part, "Part", None::<&str>,
    doc: "One content part of a `Message`, in wire order: what a next request sends back. `kind` is\n`text`, `reasoning`, `refusal` (with their `text`; reasoning with its `signature` and `redacted`),\nor `tool_call`, `tool_result`, `file` (with that event as `value`); `id` is the part's id; `logprobs`\n(text and refusal parts) its deltas' `logprobs` joined (one array of their entries; the legacy completions'\nobjects: one object of their lists joined), when sent.",
    required: [kind, id], optional: [text = empty_str, signature = none, redacted = false, value = none, logprobs = none],
    sparse: [logprobs]);
value_class!(Finish, "Finish", Some("finish"),
    doc: "The response ended: `reason` is one of `stop`, `length`, `tool_calls`, `content_filter`, `error`, `other`;\n`raw_reason` is the provider's own; with `usage` and provider extras.",
    required: [reason], optional: [raw_reason = none, usage = none, provider_metadata_json = none],
extra: {
    /// `provider_metadata_json` parsed (None when absent).
    #[getter]
    fn provider_metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        parsed_or_none(py, &self.provider_metadata_json)
    }
});
value_class!(ErrorEvent, "ErrorEvent", Some("error"),
    doc: "An error the provider sent, or one the parser reports (`incomplete_stream`, `parse_error`).",
    required: [message, kind], optional: [raw = none]);
value_class!(Unknown, "Unknown", Some("unknown"),
    doc: "A payload, item or content block the decoder does not model:\nits type as `kind`, and its JSON text `raw` as sent.",
    required: [kind, raw], optional: []);
// The defaults are what a parser's message holds before any event: empty text and tuples.
value_class!(Message, "Message", None::<&str>,
    doc: "The response assembled from the events so far; fields left out take what a new parser's message holds.",
    required: [], optional: [
    id = none, model = none, text = empty_str, reasoning = empty_str, reasoning_signatures = empty_tuple,
    tool_calls = empty_tuple, sources = empty_tuple, finish_reason = none, raw_finish_reason = none, usage = none,
    provider_metadata_json = none, errors = empty_tuple, created = none, refusal = empty_str,
    tool_results = empty_tuple, files = empty_tuple, parts = empty_tuple, choices = empty_tuple, logprobs = none
],
sparse: [logprobs],
extra: {
    /// The assistant turn for the next request to `family`, in that provider's request format.
    /// Written once in Python over the fields (`streamdelta._request`), so both backends agree.
    fn to_request<'py>(slf: &Bound<'py, Self>, family: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import(pyo3::intern!(py, "streamdelta._request"))?
            .call_method1(pyo3::intern!(py, "to_request"), (slf, family))
    }
});

#[doc = "Token usage, one meaning for every provider: cached tokens are inside `input_tokens`,\nreasoning tokens inside `output_tokens`."]
#[pyclass(frozen, get_all, eq, hash, module = "streamdelta._core", name = "Usage")]
#[derive(PartialEq)]
pub struct Usage {
    input_tokens: u64,
    output_tokens: u64,
    total_tokens: u64,
    reasoning_tokens: u64,
    cache_read_tokens: u64,
    cache_write_tokens: u64,
    cost: Option<f64>,
}

impl std::hash::Hash for Usage {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (
            self.input_tokens,
            self.output_tokens,
            self.total_tokens,
            self.reasoning_tokens,
            self.cache_read_tokens,
            self.cache_write_tokens,
            self.cost.map(f64::to_bits),
        )
            .hash(state);
    }
}

impl From<&CoreUsage> for Usage {
    fn from(u: &CoreUsage) -> Self {
        Self {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            total_tokens: u.total_tokens,
            reasoning_tokens: u.reasoning_tokens,
            cache_read_tokens: u.cache_read_tokens,
            cache_write_tokens: u.cache_write_tokens,
            cost: u.cost,
        }
    }
}

const USAGE_FIELDS: [&str; 7] = [
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost",
];

#[pymethods]
impl Usage {
    #[new]
    #[pyo3(signature = (input_tokens = 0, output_tokens = 0, total_tokens = 0, reasoning_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0, cost = None))]
    fn new(
        input_tokens: u64,
        output_tokens: u64,
        total_tokens: u64,
        reasoning_tokens: u64,
        cache_read_tokens: u64,
        cache_write_tokens: u64,
        cost: Option<f64>,
    ) -> Self {
        Self {
            input_tokens,
            output_tokens,
            total_tokens,
            reasoning_tokens,
            cache_read_tokens,
            cache_write_tokens,
            cost,
        }
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        Ok(PyTuple::new(py, USAGE_FIELDS)?.unbind())
    }

    /// The usage as a plain dict, the same from both backends.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let ints = [
            self.input_tokens,
            self.output_tokens,
            self.total_tokens,
            self.reasoning_tokens,
            self.cache_read_tokens,
            self.cache_write_tokens,
        ];
        for (name, value) in USAGE_FIELDS.iter().zip(ints) {
            d.set_item(*name, value)?;
        }
        d.set_item("cost", self.cost)?;
        Ok(d)
    }

    /// Pickling and copying: the class and the field values, which `__new__` takes back in order.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (u64, u64, u64, u64, u64, u64, Option<f64>)) {
        let u = slf.get();
        (
            slf.get_type(),
            (
                u.input_tokens,
                u.output_tokens,
                u.total_tokens,
                u.reasoning_tokens,
                u.cache_read_tokens,
                u.cache_write_tokens,
                u.cost,
            ),
        )
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Python's float repr (`7.585e-05`), as the reference prints it; Rust's is `7.585e-5`.
        let cost = match self.cost {
            Some(c) => pyo3::types::PyFloat::new(py, c).repr()?.to_string(),
            None => "None".to_owned(),
        };
        Ok(format!(
            "Usage(input_tokens={}, output_tokens={}, total_tokens={}, reasoning_tokens={}, cache_read_tokens={}, cache_write_tokens={}, cost={cost})",
            self.input_tokens,
            self.output_tokens,
            self.total_tokens,
            self.reasoning_tokens,
            self.cache_read_tokens,
            self.cache_write_tokens
        ))
    }
}

/// Python strings for the part ids a stream repeats on every delta (`"0"`, `call_…`): each made
/// once and shared, instead of a new string per event (measured in docs/performance.md).
#[derive(Default)]
pub struct IdStrings {
    recent: Vec<(PartId, Py<PyString>)>,
}

impl IdStrings {
    /// Ids in use at once are few (open parts); older ones are dropped first.
    const KEPT: usize = 8;

    /// A part's events share one `PartId`, so the pointer decides the usual case; equal text is
    /// the same id too (a part reopened under its id).
    fn get(&mut self, py: Python<'_>, id: &PartId) -> Py<PyAny> {
        if let Some((_, string)) = self
            .recent
            .iter()
            .rev()
            .find(|(known, _)| PartId::ptr_eq(known, id) || known == id)
        {
            return string.clone_ref(py).into_any();
        }
        let string = PyString::new(py, id).unbind();
        if self.recent.len() == Self::KEPT {
            self.recent.remove(0);
        }
        self.recent.push((id.clone(), string.clone_ref(py)));
        string.into_any()
    }
}

pub fn s(py: Python<'_>, text: &str) -> Py<PyAny> {
    PyString::new(py, text).into_any().unbind()
}

pub fn opt(py: Python<'_>, text: Option<&str>) -> Py<PyAny> {
    text.map_or_else(|| py.None(), |t| s(py, t))
}

pub fn flag(py: Python<'_>, value: bool) -> PyResult<Py<PyAny>> {
    Ok(value.into_pyobject(py)?.to_owned().into_any().unbind())
}

pub fn usage(py: Python<'_>, u: &CoreUsage) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, Usage::from(u))?.into_any())
}

/// The reason as a Python string made once per interpreter.
pub fn reason_str(py: Python<'_>, reason: FinishReason) -> Py<PyAny> {
    let string = match reason {
        FinishReason::Stop => pyo3::intern!(py, "stop"),
        FinishReason::Length => pyo3::intern!(py, "length"),
        FinishReason::ToolCalls => pyo3::intern!(py, "tool_calls"),
        FinishReason::ContentFilter => pyo3::intern!(py, "content_filter"),
        FinishReason::Error => pyo3::intern!(py, "error"),
        FinishReason::Other => pyo3::intern!(py, "other"),
    };
    string.clone().into_any().unbind()
}

/// One core event as an instance of its Python class; part ids come from `ids`.
pub fn event_to_py(py: Python<'_>, event: &Event, ids: &mut IdStrings) -> PyResult<Py<PyAny>> {
    let mut part = |id: &PartId| ids.get(py, id);
    Ok(match event {
        Event::TextStart { .. }
        | Event::TextDelta { .. }
        | Event::TextEnd { .. }
        | Event::ReasoningStart { .. }
        | Event::ReasoningDelta { .. }
        | Event::ReasoningEnd { .. }
        | Event::RefusalStart { .. }
        | Event::RefusalDelta { .. }
        | Event::RefusalEnd { .. }
        | Event::ToolInputStart { .. } => part_event_to_py(py, event, ids)?,
        Event::StreamStart { id, model, created } => Py::new(
            py,
            StreamStart {
                id: opt(py, id.as_deref()),
                model: opt(py, model.as_deref()),
                created: match created {
                    Some(c) => c.into_pyobject(py)?.into_any().unbind(),
                    None => py.None(),
                },
            },
        )?
        .into_any(),
        Event::ToolInputDelta { id, delta } => Py::new(
            py,
            ToolInputDelta {
                id: part(id),
                delta: s(py, delta),
            },
        )?
        .into_any(),
        Event::ToolInputEnd { id } => Py::new(py, ToolInputEnd { id: part(id) })?.into_any(),
        Event::ToolCall {
            id,
            name,
            arguments,
            provider_executed,
            call_type,
        } => tool_call(py, part(id), name, arguments, *provider_executed, call_type.as_deref())?,
        Event::ToolResult {
            id,
            name,
            result,
            is_error,
            provider_executed,
        } => tool_result(py, part(id), name, result, *is_error, *provider_executed)?,
        Event::File {
            id,
            media_type,
            data,
            partial,
        } => file(py, id, media_type, data, *partial)?,
        Event::Source(f) => source(py, f)?,
        Event::Finish {
            reason,
            raw_reason,
            usage: u,
            provider_metadata_json,
        } => Py::new(
            py,
            Finish {
                reason: reason_str(py, *reason),
                raw_reason: opt(py, raw_reason.as_deref()),
                usage: usage(py, u)?,
                provider_metadata_json: opt(py, provider_metadata_json.as_deref()),
            },
        )?
        .into_any(),
        Event::Error { message, kind, raw } => error_event(py, message, kind, raw.as_deref())?,
        Event::Unknown { kind, raw } => Py::new(
            py,
            Unknown {
                kind: s(py, kind),
                raw: s(py, raw),
            },
        )?
        .into_any(),
        Event::Raw { data } => Py::new(py, Raw { data: s(py, data) })?.into_any(),
    })
}

/// The events of text, reasoning and refusal parts and tool input starts: `event_to_py`'s share.
fn part_event_to_py(py: Python<'_>, event: &Event, ids: &mut IdStrings) -> PyResult<Py<PyAny>> {
    let mut part = |id: &PartId| ids.get(py, id);
    Ok(match event {
        Event::TextDelta { id, text, logprobs } => Py::new(
            py,
            TextDelta {
                id: part(id),
                text: s(py, text),
                logprobs: opt(py, logprobs.as_deref()),
            },
        )?
        .into_any(),
        Event::TextEnd { id } => Py::new(py, TextEnd { id: part(id) })?.into_any(),
        Event::RefusalDelta { id, text, logprobs } => Py::new(
            py,
            RefusalDelta {
                id: part(id),
                text: s(py, text),
                logprobs: opt(py, logprobs.as_deref()),
            },
        )?
        .into_any(),
        Event::RefusalEnd { id } => Py::new(py, RefusalEnd { id: part(id) })?.into_any(),
        Event::ReasoningDelta { id, text } => Py::new(
            py,
            ReasoningDelta {
                id: part(id),
                text: s(py, text),
            },
        )?
        .into_any(),
        Event::ReasoningEnd {
            id,
            signature,
            redacted,
        } => Py::new(
            py,
            ReasoningEnd {
                id: part(id),
                signature: opt(py, signature.as_deref()),
                redacted: flag(py, *redacted)?,
            },
        )?
        .into_any(),
        Event::TextStart { id, choice } => Py::new(
            py,
            TextStart {
                id: part(id),
                choice: choice_int(py, *choice)?,
            },
        )?
        .into_any(),
        Event::ReasoningStart { id, choice } => Py::new(
            py,
            ReasoningStart {
                id: part(id),
                choice: choice_int(py, *choice)?,
            },
        )?
        .into_any(),
        Event::RefusalStart { id, choice } => Py::new(
            py,
            RefusalStart {
                id: part(id),
                choice: choice_int(py, *choice)?,
            },
        )?
        .into_any(),
        Event::ToolInputStart {
            id,
            name,
            choice,
            provider_executed,
        } => Py::new(
            py,
            ToolInputStart {
                id: part(id),
                name: s(py, name),
                choice: choice_int(py, *choice)?,
                provider_executed: flag(py, *provider_executed)?,
            },
        )?
        .into_any(),
        _ => return Err(pyo3::exceptions::PyValueError::new_err("not an event of a part")),
    })
}

fn choice_int(py: Python<'_>, choice: u32) -> PyResult<Py<PyAny>> {
    Ok(choice.into_pyobject(py)?.into_any().unbind())
}

pub fn tool_result(
    py: Python<'_>,
    id: Py<PyAny>,
    name: &str,
    result: &str,
    is_error: bool,
    provider_executed: bool,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        ToolResult {
            id,
            name: s(py, name),
            result: s(py, result),
            is_error: flag(py, is_error)?,
            provider_executed: flag(py, provider_executed)?,
        },
    )?
    .into_any())
}

pub fn file(py: Python<'_>, id: &str, media_type: &str, data: &[u8], partial: bool) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        File {
            id: s(py, id),
            media_type: s(py, media_type),
            data: PyBytes::new(py, data).into_any().unbind(),
            partial: flag(py, partial)?,
        },
    )?
    .into_any())
}

pub fn tool_call(
    py: Python<'_>,
    id: Py<PyAny>,
    name: &str,
    arguments: &str,
    provider_executed: bool,
    call_type: Option<&str>,
) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        ToolCall {
            id,
            name: s(py, name),
            arguments: s(py, arguments),
            provider_executed: flag(py, provider_executed)?,
            call_type: opt(py, call_type),
        },
    )?
    .into_any())
}

pub fn source(py: Python<'_>, f: &streamdelta_core::Source) -> PyResult<Py<PyAny>> {
    let kind = match f.kind {
        SourceKind::Url => pyo3::intern!(py, "url"),
        SourceKind::Document => pyo3::intern!(py, "document"),
    };
    Ok(Py::new(
        py,
        Source {
            id: s(py, &f.id),
            url: opt(py, f.url.as_deref()),
            title: opt(py, f.title.as_deref()),
            kind: kind.clone().into_any().unbind(),
            media_type: opt(py, f.media_type.as_deref()),
            filename: opt(py, f.filename.as_deref()),
            provider_metadata_json: opt(py, f.provider_metadata_json.as_deref()),
        },
    )?
    .into_any())
}

pub fn error_event(py: Python<'_>, message: &str, kind: &str, raw: Option<&str>) -> PyResult<Py<PyAny>> {
    Ok(Py::new(
        py,
        ErrorEvent {
            message: s(py, message),
            kind: s(py, kind),
            raw: opt(py, raw),
        },
    )?
    .into_any())
}
