//! Messages as Arrow columns, one row per body (the `arrow` feature): what `streamdelta.arrow`
//! hands to Python through the C data interface, built here so that no Python object is made.
//!
//! Strings are `utf8` and lists `list` (32-bit offsets), the types every Arrow reader (Spark
//! among them) takes; a batch whose strings of one column pass 2 GiB is refused, not truncated.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray, StructArray, UInt64Array,
};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef};

use crate::events::{FinishReason, Usage};
use crate::families::Family;
use crate::message::{ErrorRecord, Message, SourceRecord, ToolCallRecord};

/// One body's row: its message and the family it was read as.
pub type Row = (Message, Option<Family>);

/// A token count of [`Usage`]: its column's name and how it is read.
type Count = (&'static str, fn(&Usage) -> u64);

/// The token counts of [`Usage`], in its order (`cost` is a column of its own).
const USAGE_COUNTS: [Count; 6] = [
    ("input_tokens", |u| u.input_tokens),
    ("output_tokens", |u| u.output_tokens),
    ("total_tokens", |u| u.total_tokens),
    ("reasoning_tokens", |u| u.reasoning_tokens),
    ("cache_read_tokens", |u| u.cache_read_tokens),
    ("cache_write_tokens", |u| u.cache_write_tokens),
];

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn tool_call_fields() -> Fields {
    Fields::from(vec![
        utf8("id", false),
        utf8("name", false),
        utf8("arguments", false),
        Field::new("provider_executed", DataType::Boolean, false),
        utf8("call_type", true),
    ])
}

fn source_fields() -> Fields {
    Fields::from(vec![
        utf8("id", false),
        utf8("kind", false),
        utf8("url", true),
        utf8("title", true),
        utf8("media_type", true),
        utf8("filename", true),
        utf8("provider_metadata_json", true),
    ])
}

fn error_fields() -> Fields {
    Fields::from(vec![utf8("message", false), utf8("kind", false), utf8("raw", true)])
}

fn item(data_type: DataType) -> Arc<Field> {
    Arc::new(Field::new("item", data_type, false))
}

fn list(name: &str, data_type: DataType) -> Field {
    Field::new(name, DataType::List(item(data_type)), false)
}

/// The columns, in order: the message's fields, the usage (null when no `finish` came), and the
/// family.
pub fn schema() -> SchemaRef {
    let mut fields = vec![
        utf8("id", true),
        utf8("model", true),
        Field::new("created", DataType::Int64, true),
        utf8("text", false),
        utf8("reasoning", false),
        list("reasoning_signatures", DataType::Utf8),
        utf8("refusal", false),
        utf8("finish_reason", true),
        utf8("raw_finish_reason", true),
    ];
    fields.extend(
        USAGE_COUNTS
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::UInt64, true)),
    );
    fields.extend([
        Field::new("cost", DataType::Float64, true),
        list("tool_calls", DataType::Struct(tool_call_fields())),
        list("sources", DataType::Struct(source_fields())),
        list("errors", DataType::Struct(error_fields())),
        utf8("provider_metadata_json", true),
        utf8("family", true),
    ]);
    Arc::new(Schema::new(fields))
}

fn too_large(what: &str) -> ArrowError {
    ArrowError::InvalidArgumentError(format!(
        "{what} of this batch pass the 2 GiB of one Arrow column: split the batch"
    ))
}

/// A `utf8` column; an error rather than a panic when its bytes overflow 32-bit offsets.
fn strings<'a, I>(values: I) -> Result<ArrayRef, ArrowError>
where
    I: Iterator<Item = Option<&'a str>> + Clone,
{
    let bytes: usize = values.clone().map(|v| v.map_or(0, str::len)).sum();
    if i32::try_from(bytes).is_err() {
        return Err(too_large("the strings"));
    }
    Ok(Arc::new(values.collect::<StringArray>()))
}

/// The offsets of lists of these lengths; an error when their items overflow 32-bit offsets.
fn offsets(lengths: impl Iterator<Item = usize> + Clone) -> Result<OffsetBuffer<i32>, ArrowError> {
    if i32::try_from(lengths.clone().sum::<usize>()).is_err() {
        return Err(too_large("the list items"));
    }
    Ok(OffsetBuffer::from_lengths(lengths))
}

/// A `list<struct>` column: the items of every row, one struct array, cut by the rows' counts.
fn list_of<T>(
    messages: &[&Message],
    items: fn(&Message) -> &[T],
    fields: Fields,
    columns: fn(&[&T]) -> Result<Vec<ArrayRef>, ArrowError>,
) -> Result<ArrayRef, ArrowError> {
    let offsets = offsets(messages.iter().map(|m| items(m).len()))?;
    let all: Vec<&T> = messages.iter().flat_map(|m| items(m)).collect();
    let values = StructArray::try_new(fields.clone(), columns(&all)?, None)?;
    Ok(Arc::new(ListArray::try_new(
        item(DataType::Struct(fields)),
        offsets,
        Arc::new(values),
        None,
    )?))
}

fn tool_call_columns(calls: &[&ToolCallRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    Ok(vec![
        strings(calls.iter().map(|c| Some(c.id.as_str())))?,
        strings(calls.iter().map(|c| Some(c.name.as_str())))?,
        strings(calls.iter().map(|c| Some(c.arguments.as_str())))?,
        Arc::new(
            calls
                .iter()
                .map(|c| Some(c.provider_executed))
                .collect::<BooleanArray>(),
        ),
        strings(calls.iter().map(|c| c.call_type.as_deref()))?,
    ])
}

fn source_columns(sources: &[&SourceRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    Ok(vec![
        strings(sources.iter().map(|s| Some(s.id.as_str())))?,
        strings(sources.iter().map(|s| Some(s.kind.as_str())))?,
        strings(sources.iter().map(|s| s.url.as_deref()))?,
        strings(sources.iter().map(|s| s.title.as_deref()))?,
        strings(sources.iter().map(|s| s.media_type.as_deref()))?,
        strings(sources.iter().map(|s| s.filename.as_deref()))?,
        strings(sources.iter().map(|s| s.provider_metadata_json.as_deref()))?,
    ])
}

fn error_columns(errors: &[&ErrorRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    Ok(vec![
        strings(errors.iter().map(|e| Some(e.message.as_str())))?,
        strings(errors.iter().map(|e| Some(e.kind.as_str())))?,
        strings(errors.iter().map(|e| e.raw.as_deref()))?,
    ])
}

fn signatures(messages: &[&Message]) -> Result<ArrayRef, ArrowError> {
    let offsets = offsets(messages.iter().map(|m| m.reasoning_signatures.len()))?;
    let all = strings(
        messages
            .iter()
            .flat_map(|m| m.reasoning_signatures.iter().map(|s| Some(s.as_str()))),
    )?;
    Ok(Arc::new(ListArray::try_new(item(DataType::Utf8), offsets, all, None)?))
}

/// The rows as one record batch of [`schema`].
pub fn record_batch(rows: &[Row]) -> Result<RecordBatch, ArrowError> {
    let messages: Vec<&Message> = rows.iter().map(|(message, _)| message).collect();
    let m = || messages.iter();
    let usage = |count: fn(&Usage) -> u64| -> ArrayRef {
        Arc::new(m().map(|m| m.usage.as_ref().map(count)).collect::<UInt64Array>())
    };
    let mut columns: Vec<ArrayRef> = vec![
        strings(m().map(|m| m.id.as_deref()))?,
        strings(m().map(|m| m.model.as_deref()))?,
        Arc::new(m().map(|m| m.created).collect::<Int64Array>()),
        strings(m().map(|m| Some(m.text.as_str())))?,
        strings(m().map(|m| Some(m.reasoning.as_str())))?,
        signatures(&messages)?,
        strings(m().map(|m| Some(m.refusal.as_str())))?,
        strings(m().map(|m| m.finish_reason.map(FinishReason::as_str)))?,
        strings(m().map(|m| m.raw_finish_reason.as_deref()))?,
    ];
    columns.extend(USAGE_COUNTS.iter().map(|(_, count)| usage(*count)));
    columns.extend([
        Arc::new(
            m().map(|m| m.usage.as_ref().and_then(|u| u.cost))
                .collect::<Float64Array>(),
        ) as ArrayRef,
        list_of(&messages, |m| &m.tool_calls, tool_call_fields(), tool_call_columns)?,
        list_of(&messages, |m| &m.sources, source_fields(), source_columns)?,
        list_of(&messages, |m| &m.errors, error_fields(), error_columns)?,
        strings(m().map(|m| m.provider_metadata_json.as_deref()))?,
        strings(rows.iter().map(|(_, family)| family.map(Family::as_str)))?,
    ]);
    RecordBatch::try_new(schema(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, StringArray};

    fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> &'a T {
        batch
            .column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<T>()
            .unwrap()
    }

    #[test]
    fn one_row_per_message_with_its_lists_cut_at_the_rows() {
        let tool = |id: &str| ToolCallRecord {
            id: id.into(),
            name: "f".into(),
            arguments: "{}".into(),
            provider_executed: false,
            call_type: None,
        };
        // Built field by field: the message's fold state is private to it.
        let mut first = Message::default();
        first.text = "Hi".into();
        first.tool_calls = vec![tool("a"), tool("b")];
        first.usage = Some(Usage {
            output_tokens: 7,
            ..Usage::default()
        });
        first.finish_reason = Some(FinishReason::ToolCalls);
        let mut third = Message::default();
        third.tool_calls = vec![tool("c")];
        let rows: Vec<Row> = vec![
            (first, Some(Family::Anthropic)),
            (Message::default(), None),
            (third, Some(Family::Gemini)),
        ];
        let batch = record_batch(&rows).unwrap();
        assert_eq!(batch.schema(), schema());
        assert_eq!(batch.num_rows(), 3);
        let text = column::<StringArray>(&batch, "text");
        assert_eq!((text.value(0), text.value(1)), ("Hi", ""));
        let family = column::<StringArray>(&batch, "family");
        assert_eq!(
            (family.value(0), family.is_null(1), family.value(2)),
            ("anthropic", true, "gemini")
        );
        let output = column::<UInt64Array>(&batch, "output_tokens");
        assert_eq!((output.value(0), output.is_null(1)), (7, true));
        assert_eq!(column::<StringArray>(&batch, "finish_reason").value(0), "tool_calls");
        let calls = column::<ListArray>(&batch, "tool_calls");
        assert_eq!(calls.value_offsets(), &[0, 2, 2, 3]);
        let ids = calls
            .values()
            .as_any()
            .downcast_ref::<StructArray>()
            .unwrap()
            .column(0)
            .clone();
        let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(ids.iter().flatten().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(column::<Int64Array>(&batch, "created").null_count(), 3);
        assert_eq!(column::<StringArray>(&batch, "refusal").value(0), "");
    }

    #[test]
    fn no_rows_an_empty_batch() {
        let batch = record_batch(&[]).unwrap();
        assert_eq!((batch.num_rows(), batch.schema()), (0, schema()));
    }
}
