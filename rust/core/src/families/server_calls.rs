//! The calls of tools a provider ran, which the `tool_result`s of a response answer.

use crate::events::Event;

/// `(id, name)` of each provider-executed call so far, in order. Empty (no allocation) in a
/// response without any.
#[derive(Debug, Default)]
pub(crate) struct ServerCalls(Vec<(String, String)>);

impl ServerCalls {
    pub(crate) fn push(&mut self, id: &str, name: &str) {
        self.0.push((id.to_owned(), name.to_owned()));
    }

    /// The name of the call `id` (the first of that id), if there is one.
    pub(crate) fn name(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(call, _)| call == id)
            .map(|(_, name)| name.as_str())
    }

    /// The id of the latest call.
    pub(crate) fn last_id(&self) -> Option<&str> {
        self.0.last().map(|(id, _)| id.as_str())
    }

    /// A provider-executed `tool_result` answering `id`: named as the call, or `""` when the call
    /// is not one of this response (a continued turn's).
    pub(crate) fn result(&self, id: &str, result: String, is_error: bool, out: &mut Vec<Event>) {
        tool_result(id, self.name(id).unwrap_or(""), result, is_error, out);
    }
}

/// A provider-executed `tool_result` answering `id`.
pub(crate) fn tool_result(id: &str, name: &str, result: String, is_error: bool, out: &mut Vec<Event>) {
    out.push(Event::ToolResult {
        id: id.into(),
        name: name.to_owned(),
        result,
        is_error,
        provider_executed: true,
    });
}
