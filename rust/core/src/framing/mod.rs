//! Framings that are not SSE: bodies of JSON values. `sse` and `eventstream` sit at the crate root.
//!
//! - `ndjson`: JSON values one after another, separated by any whitespace (Ollama's native API; a
//!   lone JSON body, such as the error a server sends with a 4xx or 5xx, is its one-value case).
//! - `json_array`: one JSON array whose items arrive one by one (Gemini's `streamGenerateContent`
//!   without `alt=sse`: `[{...}\r\n,\r\n{...}]`).
//!
//! Both are read by one [`JsonValues`] splitter: each value is handed on as soon as its last byte
//! arrives, not at the end of the array. Only the nesting and the strings are tracked; whether a
//! value is valid JSON is the family decoder's concern, as with an SSE `data` payload.

mod blocks;
mod json_values;
mod lone_error;
#[cfg(test)]
mod tests;

pub use json_values::{JsonValueRef, JsonValues, Shape};
pub use lone_error::lone_error;

/// Which framing the first byte of a body implies: `None` for SSE (or, on a NUL, event-stream,
/// which the parser tells apart itself).
pub fn sniff(first: u8) -> Option<Shape> {
    match first {
        b'[' => Some(Shape::Array),
        b'{' => Some(Shape::Ndjson),
        _ => None,
    }
}
