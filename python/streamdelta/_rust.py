"""The Rust backend as a module with the same names as ``streamdelta.reference``.

Classes come from the extension; the helpers written in Python over ``feed()`` (iterators, async)
are shared with the reference (``_iterators``).
"""

from __future__ import annotations

from ._core import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EVENT_BYTES,
    FAMILIES,
    TARGETS,
    Encoder,
    ErrorEvent,
    File,
    Finish,
    JsonAccumulator,
    JsonDelta,
    Message,
    Part,
    Raw,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    RefusalDelta,
    RefusalEnd,
    RefusalStart,
    ServerSentEvent,
    Source,
    SSEDecoder,
    StreamParser,
    StreamStart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolCall,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
    ToolResult,
    Translator,
    Unknown,
    Usage,
    __version__,
    parse,
    parse_many,
)
from ._iterators import make_iterators
from ._request import tool_result_request
from ._serialize import make_serializers
from .errors import JsonIncompleteError, StreamParseError

iter_events, aiter_events = make_iterators(StreamParser)
from_dict, read_jsonl = make_serializers(__name__)

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "FAMILIES",
    "TARGETS",
    "Encoder",
    "ErrorEvent",
    "File",
    "Finish",
    "JsonAccumulator",
    "JsonDelta",
    "JsonIncompleteError",
    "Message",
    "Part",
    "Raw",
    "ReasoningDelta",
    "ReasoningEnd",
    "ReasoningStart",
    "RefusalDelta",
    "RefusalEnd",
    "RefusalStart",
    "SSEDecoder",
    "ServerSentEvent",
    "Source",
    "StreamParseError",
    "StreamParser",
    "StreamStart",
    "TextDelta",
    "TextEnd",
    "TextStart",
    "ToolCall",
    "ToolInputDelta",
    "ToolInputEnd",
    "ToolInputStart",
    "ToolResult",
    "Translator",
    "Unknown",
    "Usage",
    "__version__",
    "aiter_events",
    "from_dict",
    "iter_events",
    "parse",
    "parse_many",
    "read_jsonl",
    "tool_result_request",
]
