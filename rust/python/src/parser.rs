//! `StreamParser` and `parse()` over `streamdelta_core::parser`.

use std::borrow::Cow;
use std::collections::HashMap;

use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use streamdelta_core::parser::{OnError, Options, StreamParser};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::DEFAULT_MAX_OPEN_PARTS;
use streamdelta_core::{ErrorKind, Event, Family};

use crate::errors::stream_parse_error;
use crate::events::{event_to_py, IdStrings};
use crate::input::chunk_bytes;
use crate::json::PyJsonAccumulator;
use crate::message::Assembled;

pub fn family_arg(name: &str) -> PyResult<Option<Family>> {
    if name == "auto" {
        return Ok(None);
    }
    Family::from_name(name).map(Some).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown family {name:?}; expected one of \"auto\", \"{}\"",
            Family::NAMES.join("\", \"")
        ))
    })
}

pub fn options(max_event_bytes: usize, on_error: &str, max_open_parts: usize) -> PyResult<Options> {
    let on_error = match on_error {
        "raise" => OnError::Raise,
        "emit" => OnError::Emit,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown on_error {other:?}; expected \"raise\" or \"emit\""
            )))
        }
    };
    Ok(Options {
        max_event_bytes,
        on_error,
        max_open_parts,
        include_raw: false,
    })
}

/// Converts each payload's events as the core hands them out (their strings are freed before the
/// next payload allocates its own), feeding live tool-input accumulators on the way.
struct Converter<'a, 'py> {
    scratch: &'a mut Scratch,
    /// The accumulators of the calls still streaming, held (mutably borrowed) for the whole call:
    /// fragments may come for any of them, and a call that reached one meanwhile (re-entered from
    /// its own `feed()`, or from another thread) would find it busy with half a payload handled.
    /// Taken from `scratch.live` and put back on drop; `None` when no call is streaming (most
    /// calls: a map, even empty, costs its hasher's setup and drop on every `feed()`).
    streaming: Option<HashMap<Box<str>, PyRefMut<'py, PyJsonAccumulator>>>,
    /// The message the events are folded into; `None` for `parse()`, which has no message.
    message: Option<&'a mut Assembled>,
    /// The first Python error met (out of memory, say); the rest of the chunk is still parsed.
    failure: Option<PyErr>,
}

impl<'a, 'py> Converter<'a, 'py> {
    /// `RuntimeError: Already borrowed`, with nothing changed, when an accumulator to hold is busy.
    /// The events a call interrupted by a signal left queued come first.
    fn new(py: Python<'py>, scratch: &'a mut Scratch, message: Option<&'a mut Assembled>) -> PyResult<Self> {
        let streaming = if scratch.live.streaming.is_empty() {
            None
        } else {
            let held = scratch
                .live
                .streaming
                .iter()
                .map(|(id, acc)| Ok((id.clone(), acc.bind(py).try_borrow_mut()?)))
                .collect::<PyResult<_>>()?;
            scratch.live.streaming.clear();
            Some(held)
        };
        scratch.objects.clear();
        scratch.objects.append(&mut scratch.queued);
        Ok(Self {
            scratch,
            streaming,
            message,
            failure: None,
        })
    }

    fn take(&mut self, py: Python<'_>, events: &mut Vec<Event>) {
        let Scratch { ids, live, objects, .. } = &mut *self.scratch;
        objects.reserve(events.len());
        for event in events.drain(..) {
            if self.streaming.is_some() || !live.finished.is_empty() {
                let streaming = &mut self.streaming;
                match &event {
                    // A new call reusing an id starts afresh, as `tool_arguments` does.
                    Event::ToolInputStart { id, .. } => {
                        if let Some(streaming) = streaming {
                            streaming.remove(&**id);
                        }
                        live.finished.remove(&**id);
                    }
                    Event::ToolInputDelta { id, delta } => {
                        if let Some(acc) = streaming.as_mut().and_then(|s| s.get_mut(&**id)) {
                            acc.feed_quiet(delta);
                        }
                    }
                    // No fragment comes after the end: the accumulator is let go.
                    Event::ToolInputEnd { id } => {
                        if let Some((id, acc)) = streaming.as_mut().and_then(|s| s.remove_entry(&**id)) {
                            live.finished.insert(id, acc.into());
                        }
                    }
                    _ => {}
                }
            }
            match event_to_py(py, &event, ids) {
                Ok(object) => {
                    if let Some(message) = self.message.as_deref_mut() {
                        message.apply(py, &event, &object);
                    }
                    objects.push(object);
                }
                Err(err) => {
                    self.failure.get_or_insert(err);
                }
            }
        }
    }

    /// The events as a list, or the parse error carrying them.
    fn finish(mut self, py: Python<'_>, result: streamdelta_core::Result<()>) -> PyResult<Py<PyList>> {
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        match result {
            Ok(()) => Ok(PyList::new(py, self.scratch.objects.drain(..))?.unbind()),
            // A misuse, not a fault of the input: a plain `ValueError`, as for a closed file.
            Err(err) if err.kind == ErrorKind::Closed => Err(PyValueError::new_err(err.kind.to_string())),
            Err(err) => Err(stream_parse_error(py, &err, self.scratch.objects.drain(..).collect())),
        }
    }
}

impl Converter<'_, '_> {
    /// The call ends with `interrupt` (what a signal handler raised): its events stay queued for
    /// the next call, and the message holds them already.
    fn interrupt(mut self, interrupt: PyErr) -> PyErr {
        if let Some(failure) = self.failure.take() {
            return failure;
        }
        let Scratch { objects, queued, .. } = &mut *self.scratch;
        queued.append(objects);
        interrupt
    }
}

/// Inputs longer than this are parsed a slice at a time, each with the GIL released (other threads
/// run meanwhile), and pending signals are handled between slices, so that Ctrl-C stops a large
/// `feed()` within a slice's time. Smaller inputs keep converting each payload's events as they come.
const SLICE: usize = 1 << 20;

/// Feeds `input` through `converter`; `Err` is what a signal handler raised, with the unread rest of
/// `input` handed back to `parser` (`defer`), as is the rest after a fault.
fn feed_sliced(
    py: Python<'_>,
    parser: &mut StreamParser,
    input: &[u8],
    converter: &mut Converter<'_, '_>,
) -> Result<streamdelta_core::Result<()>, PyErr> {
    if input.len() <= SLICE {
        return Ok(parser.feed_with(input, &mut |events| converter.take(py, events)));
    }
    let mut batch = Vec::new();
    let mut start = 0;
    for slice in input.chunks(SLICE) {
        // Only the core runs detached: it touches no Python object (a `bytes` or `str` buffer
        // borrowed by `input` cannot change; the others were copied).
        let result = py.detach(|| parser.feed_with(slice, &mut |events| batch.append(events)));
        converter.take(py, &mut batch);
        start += slice.len();
        let rest = input.get(start..).unwrap_or_default();
        match result {
            Err(err) if err.kind == ErrorKind::Closed => return Ok(Err(err)),
            Err(err) => {
                parser.defer(rest);
                return Ok(Err(err));
            }
            Ok(()) => {}
        }
        if let Err(interrupt) = py.check_signals() {
            parser.defer(rest);
            return Err(interrupt);
        }
    }
    Ok(Ok(()))
}

impl Drop for Converter<'_, '_> {
    fn drop(&mut self) {
        if let Some(streaming) = self.streaming.take() {
            let held = streaming.into_iter().map(|(id, acc)| (id, Py::from(acc)));
            self.scratch.live.streaming.extend(held);
        }
    }
}

/// What the conversion keeps from one call to the next.
#[derive(Default)]
struct Scratch {
    ids: IdStrings,
    live: Live,
    /// The events of one call (kept for its capacity: most calls are one small chunk).
    objects: Vec<Py<PyAny>>,
    /// The events of a call a signal interrupted, returned first by the next call.
    queued: Vec<Py<PyAny>>,
}

/// The accumulators handed out by `tool_input()`, by call id: an index, so that a fragment or a
/// `tool_input()` costs the same however many calls came before (a search from the front took
/// 19 s for 60k `tool_input()` calls).
#[derive(Default)]
struct Live {
    /// Of calls still streaming: fed each fragment as it comes.
    streaming: HashMap<Box<str>, Py<PyJsonAccumulator>>,
    /// Of calls complete: kept to be handed out again.
    finished: HashMap<Box<str>, Py<PyJsonAccumulator>>,
}

/// One response stream: `feed()` the body's chunks, get normalized events.
#[pyclass(freelist = 16, module = "streamdelta._core", name = "StreamParser")]
pub struct PyStreamParser {
    inner: StreamParser,
    scratch: Scratch,
    /// The message, folded from the event objects (the core's own fold is off).
    message: Assembled,
}

#[pymethods]
impl PyStreamParser {
    #[new]
    #[pyo3(signature = (
        family = "auto", *, on_error = "raise", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
        max_open_parts = DEFAULT_MAX_OPEN_PARTS, include_raw = false,
    ))]
    fn new(
        family: &str,
        on_error: &str,
        max_event_bytes: usize,
        max_open_parts: usize,
        include_raw: bool,
    ) -> PyResult<Self> {
        let options = Options {
            include_raw,
            ..options(max_event_bytes, on_error, max_open_parts)?
        };
        Ok(Self {
            inner: StreamParser::new(family_arg(family)?, options).without_message(),
            scratch: Scratch::default(),
            message: Assembled::default(),
        })
    }

    /// Feeds a chunk of the response body; returns the events it completed.
    ///
    /// A signal handler that raises while a large chunk is parsed (`KeyboardInterrupt`) stops the
    /// call: its events and the unread rest of the chunk stay in the parser, and the next `feed()`
    /// or `close()` returns those events first, then the rest's, as if the chunk had been fed whole.
    fn feed(&mut self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<Py<PyList>> {
        let bytes = chunk_bytes(chunk)?;
        let mut converter = Converter::new(py, &mut self.scratch, Some(&mut self.message))?;
        let deferred = self.inner.take_deferred();
        let input = if deferred.is_empty() {
            bytes
        } else {
            Cow::Owned([deferred.as_slice(), &bytes].concat())
        };
        match feed_sliced(py, &mut self.inner, &input, &mut converter) {
            Ok(result) => converter.finish(py, result),
            Err(interrupt) => Err(converter.interrupt(interrupt)),
        }
    }

    /// Ends the stream: the last event, the ends of open parts, and a report of a cut stream.
    ///
    /// A signal handler that raises while the rest of an interrupted `feed()` is read stops the
    /// call as it stops `feed()`: the next `close()` returns its events first.
    fn close(&mut self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let mut converter = Converter::new(py, &mut self.scratch, Some(&mut self.message))?;
        let deferred = if self.inner.is_open() {
            self.inner.take_deferred()
        } else {
            Vec::new()
        };
        if !deferred.is_empty() {
            // The rest of a chunk a signal stopped is read as `feed` reads it: in slices, other
            // threads running and Ctrl-C handled between them.
            match feed_sliced(py, &mut self.inner, &deferred, &mut converter) {
                Ok(Ok(())) => {}
                Ok(Err(fault)) => {
                    self.inner.end_input();
                    return converter.finish(py, Err(fault));
                }
                Err(interrupt) => return Err(converter.interrupt(interrupt)),
            }
        }
        let result = self.inner.close_with(&mut |events| converter.take(py, events));
        converter.finish(py, result)
    }

    /// The response assembled from the events so far.
    #[getter]
    fn message(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.message.to_py(py)
    }

    /// The live arguments of tool call `id`: a `JsonAccumulator` fed every fragment of that call,
    /// so `snapshot()` shows them while they stream. `KeyError` for an id this stream has not had.
    fn tool_input(&mut self, py: Python<'_>, id: &str) -> PyResult<Py<PyJsonAccumulator>> {
        let live = &mut self.scratch.live;
        if let Some(acc) = live.streaming.get(id).or_else(|| live.finished.get(id)) {
            return Ok(acc.clone_ref(py));
        }
        let Some(args) = self.inner.tool_arguments(id) else {
            return Err(PyKeyError::new_err(format!("no tool call `{id}` in this stream")));
        };
        let acc = Py::new(py, PyJsonAccumulator::with_text(args))?;
        let held = if self.inner.tool_call_streaming(id) {
            &mut live.streaming
        } else {
            &mut live.finished
        };
        held.insert(id.into(), acc.clone_ref(py));
        Ok(acc)
    }

    /// The wire family: the one asked for, or the one detected (None until the first payload).
    #[getter]
    fn family(&self) -> Option<&'static str> {
        self.inner.family().map(Family::as_str)
    }
}

/// Parses a whole response body; returns its events (the end-of-stream ones included).
#[pyfunction]
#[pyo3(signature = (
    body, family = "auto", *, on_error = "raise", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
    max_open_parts = DEFAULT_MAX_OPEN_PARTS, include_raw = false,
))]
pub fn parse(
    py: Python<'_>,
    body: &Bound<'_, PyAny>,
    family: &str,
    on_error: &str,
    max_event_bytes: usize,
    max_open_parts: usize,
    include_raw: bool,
) -> PyResult<Py<PyList>> {
    let bytes = chunk_bytes(body)?;
    let options = Options {
        include_raw,
        ..options(max_event_bytes, on_error, max_open_parts)?
    };
    let mut parser = StreamParser::new(family_arg(family)?, options).without_message();
    let mut scratch = Scratch::default();
    let mut converter = Converter::new(py, &mut scratch, None)?;
    let result = match feed_sliced(py, &mut parser, &bytes, &mut converter)? {
        Ok(()) => parser.close_with(&mut |events| converter.take(py, events)),
        Err(err) => Err(err),
    };
    converter.finish(py, result)
}
