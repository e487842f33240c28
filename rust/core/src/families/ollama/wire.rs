//! `/api/chat` and `/api/generate` stream lines as sent (the fields the decoder reads).

use crate::families::schema::wire;

wire! {
    pub(super) struct Line<'a> {
        model: str,
        created_at: str,
        message: obj(ChatMessage<'a>),
        response: str,
        thinking: str,
        done: bool,
        done_reason: str,
        prompt_eval_count: u64,
        eval_count: u64,
        error: str,
    }
}

wire! {
    pub(super) struct ChatMessage<'a> {
        content: str,
        thinking: str,
        tool_calls: list(ToolCall<'a>),
    }
}

wire! {
    pub(super) struct ToolCall<'a> {
        id: str,
        function: obj(Function<'a>),
    }
}

wire! {
    pub(super) struct Function<'a> {
        name: str,
        arguments: raw,
    }
}
