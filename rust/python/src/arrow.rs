//! `message_batch()`: the rows of `streamdelta_core::arrow`, handed to Python through the Arrow
//! `PyCapsule` interface (`__arrow_c_array__`, `__arrow_c_stream__`), which pyarrow and the other
//! Arrow libraries import without copying. Bodies may be Arrow binary arrays, read in place.

use std::borrow::Cow;
use std::ffi::CString;

use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{
    make_array, Array, ArrayRef, BinaryArray, LargeBinaryArray, LargeStringArray, RecordBatch, RecordBatchIterator,
    StringArray, StructArray,
};
use arrow_schema::{ArrowError, DataType};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule};
use streamdelta_core::many::{map_many, parse_detected};
use streamdelta_core::sse::DEFAULT_MAX_EVENT_BYTES;
use streamdelta_core::DEFAULT_MAX_OPEN_PARTS;

use crate::errors::body_parse_error;
use crate::input::body_bytes;
use crate::many::threads_arg;
use crate::parser::{family_arg, options};

/// The messages of a batch of bodies as Arrow columns, one row per body (`streamdelta.arrow`).
#[pyclass(frozen, name = "MessageBatch", module = "streamdelta._core")]
pub struct MessageBatch {
    batch: RecordBatch,
}

fn arrow_err(err: &ArrowError) -> PyErr {
    PyValueError::new_err(err.to_string())
}

fn schema_capsule<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyCapsule>> {
    let schema = FFI_ArrowSchema::try_from(batch.schema().as_ref()).map_err(|e| arrow_err(&e))?;
    PyCapsule::new(py, schema, Some(CString::from(c"arrow_schema")))
}

#[pymethods]
impl MessageBatch {
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        schema_capsule(py, &self.batch)
    }

    /// The batch as one struct array; the columns' buffers are shared, not copied. A requested
    /// schema is a hint the interface lets a producer ignore: the columns have one set of types.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let array = FFI_ArrowArray::new(&StructArray::from(self.batch.clone()).into_data());
        Ok((
            schema_capsule(py, &self.batch)?,
            PyCapsule::new(py, array, Some(CString::from(c"arrow_array")))?,
        ))
    }

    /// The batch as a stream of one batch (what `pyarrow.table()` and `RecordBatchReader` take).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new(py, stream, Some(CString::from(c"arrow_array_stream")))
    }
}

/// An Arrow array exported by any library through `__arrow_c_array__`, imported without a copy
/// (the array keeps the exporter's buffers alive) and checked whole, offsets included.
fn import_array(object: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let (schema, array): (Bound<'_, PyCapsule>, Bound<'_, PyCapsule>) = object
        .call_method0(intern!(object.py(), "__arrow_c_array__"))?
        .extract()?;
    let schema = schema.pointer_checked(Some(c"arrow_schema"))?.cast::<FFI_ArrowSchema>();
    let array = array.pointer_checked(Some(c"arrow_array"))?.cast::<FFI_ArrowArray>();
    // SAFETY: capsules of these names hold an ArrowSchema and an ArrowArray (the interface's
    // contract, which `pointer_checked` holds the names to). The array is moved out, leaving a
    // released one that the capsule's destructor skips; the schema is only read while it lives.
    let data = unsafe { from_ffi(FFI_ArrowArray::from_raw(array.as_ptr()), schema.as_ref()) }
        .and_then(|data| data.validate_full().map(|()| data))
        .map_err(|e| arrow_err(&e))?;
    Ok(make_array(data))
}

/// The bodies an Arrow array holds: its binary (or UTF-8) values, a null one as an empty body.
fn arrow_bodies(array: &ArrayRef) -> PyResult<Vec<&[u8]>> {
    let any = array.as_any();
    let bodies = match array.data_type() {
        DataType::Utf8 => any
            .downcast_ref::<StringArray>()
            .map(|a| a.iter().map(|s| s.unwrap_or_default().as_bytes()).collect()),
        DataType::LargeUtf8 => any
            .downcast_ref::<LargeStringArray>()
            .map(|a| a.iter().map(|s| s.unwrap_or_default().as_bytes()).collect()),
        DataType::Binary => any
            .downcast_ref::<BinaryArray>()
            .map(|a| a.iter().map(Option::unwrap_or_default).collect()),
        DataType::LargeBinary => any
            .downcast_ref::<LargeBinaryArray>()
            .map(|a| a.iter().map(Option::unwrap_or_default).collect()),
        _ => None,
    };
    bodies.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "expected an Arrow array of binary or string bodies, got {}",
            array.data_type()
        ))
    })
}

/// One item of the input: a body, or an Arrow array of bodies.
enum Item<'a> {
    Body(Cow<'a, [u8]>),
    Arrow(ArrayRef),
}

/// Why no batch came of the bodies.
enum Failure {
    Body(usize, streamdelta_core::Error),
    Arrow(ArrowError),
}

/// Parses many whole bodies on a pool of threads; returns their messages as Arrow columns.
/// Each item of `bodies` is a body (as `parse_many` takes it) or an Arrow binary or string array
/// of bodies.
#[pyfunction]
#[pyo3(signature = (
    bodies, family = "auto", *, threads = None, on_error = "emit", max_event_bytes = DEFAULT_MAX_EVENT_BYTES,
    max_open_parts = DEFAULT_MAX_OPEN_PARTS,
))]
pub fn message_batch(
    py: Python<'_>,
    bodies: &Bound<'_, PyAny>,
    family: &str,
    threads: Option<i64>,
    on_error: &str,
    max_event_bytes: usize,
    max_open_parts: usize,
) -> PyResult<MessageBatch> {
    let family = family_arg(family)?;
    let options = options(max_event_bytes, on_error, max_open_parts)?;
    let threads = threads_arg(threads)?;
    // Held here so that the buffers borrowed below outlive the parse (see `many::parse_many`).
    let objects = bodies.try_iter()?.collect::<PyResult<Vec<_>>>()?;
    let mut items = Vec::with_capacity(objects.len());
    let mut count = 0;
    for object in &objects {
        let item = if object.is_instance_of::<PyBytes>() || !object.hasattr(intern!(py, "__arrow_c_array__"))? {
            Item::Body(body_bytes(object, count)?)
        } else {
            Item::Arrow(import_array(object)?)
        };
        count += match &item {
            Item::Body(_) => 1,
            Item::Arrow(array) => array.len(),
        };
        items.push(item);
    }
    let mut slices: Vec<&[u8]> = Vec::with_capacity(count);
    for item in &items {
        match item {
            Item::Body(body) => slices.push(body),
            Item::Arrow(array) => slices.extend(arrow_bodies(array)?),
        }
    }
    let built = py.detach(|| {
        let parsed = map_many(&slices, threads, |body| parse_detected(body, family, options));
        let rows = parsed
            .into_iter()
            .enumerate()
            .map(|(index, row)| row.map_err(|err| Failure::Body(index, err)))
            .collect::<Result<Vec<_>, _>>()?;
        streamdelta_core::arrow::record_batch(&rows).map_err(Failure::Arrow)
    });
    match built {
        Ok(batch) => Ok(MessageBatch { batch }),
        // Only `on_error="raise"` returns errors: the first body's is raised.
        Err(Failure::Body(index, err)) => Err(body_parse_error(py, index, &err)),
        Err(Failure::Arrow(err)) => Err(arrow_err(&err)),
    }
}
