"""The pure-Python implementation of streamdelta: the test oracle, the fallback where no wheel fits,
and the benchmark baseline. Same names, signatures, exceptions and event fields as the Rust core."""

from __future__ import annotations

from .._iterators import make_iterators
from .._request import tool_result_request
from .._serialize import make_serializers
from ..errors import JsonIncompleteError, StreamParseError
from .encode import TARGETS, Encoder
from .events import (
    ErrorEvent,
    File,
    Finish,
    Message,
    Part,
    Raw,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    RefusalDelta,
    RefusalEnd,
    RefusalStart,
    Source,
    StreamStart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolCall,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
    ToolResult,
    Unknown,
    Usage,
)
from .families import FAMILIES

# Reference-only (a benchmark option), so not in __all__, which names what both backends have.
from .families import use_json_loads as use_json_loads
from .json_accumulator import DEFAULT_MAX_DEPTH, JsonAccumulator, JsonDelta
from .many import parse_many
from .parser import StreamParser, parse
from .sse import DEFAULT_MAX_EVENT_BYTES, ServerSentEvent, SSEDecoder
from .translate import Translator

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
    "aiter_events",
    "from_dict",
    "iter_events",
    "parse",
    "parse_many",
    "read_jsonl",
    "tool_result_request",
]
