//! The events of Cohere's v2 `POST /v2/chat` with `stream: true` (the fields the decoder reads).
//!
//! `delta.message.content`, `tool_calls` and `citations` are arrays in `message-start` and objects
//! in the events that stream them, so they are kept raw and read per event type.

use crate::families::schema::wire;

wire! {
    pub(super) struct Payload<'a> {
        kind as "type": str,
        id: str,
        index: u64,
        delta: obj(Delta<'a>),
    }
}

wire! {
    pub(super) struct Delta<'a> {
        message: obj(Message<'a>),
        finish_reason: str,
        usage: raw,
        error: str,
    }
}

wire! {
    pub(super) struct Message<'a> {
        content: raw,
        tool_plan: str,
        tool_calls: raw,
        citations: raw,
    }
}

wire! {
    pub(super) struct Content<'a> {
        kind as "type": str,
        text: str,
        thinking: str,
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
        arguments: str,
    }
}

wire! {
    pub(super) struct Citation<'a> {
        sources: list(Source<'a>),
    }
}

wire! {
    pub(super) struct Source<'a> {
        id: str,
        document: obj(Document<'a>),
        tool_output: obj(Document<'a>),
    }
}

wire! {
    /// A cited document or tool output: free-form, of which the `url` and `title` are read.
    pub(super) struct Document<'a> {
        url: str,
        title: str,
    }
}

wire! {
    pub(super) struct Usage {
        tokens: obj(Tokens),
        cached_tokens: u64,
    }
}

wire! {
    pub(super) struct Tokens {
        input_tokens: u64,
        output_tokens: u64,
    }
}
