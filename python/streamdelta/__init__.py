"""streamdelta: the streaming responses of LLM APIs as one normalized event stream, fast.

The Rust extension (``streamdelta._core``) is used when it loads; ``STREAMDELTA_BACKEND=python``
forces the pure-Python reference, which is always importable as ``streamdelta.reference``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Union

from . import reference
from ._stream import AsyncEventStream, EventStream
from ._types import Family, OnError
from .errors import IncompleteStreamError, JsonIncompleteError, ResponseStatusError, StreamParseError

if TYPE_CHECKING:
    from ._core import (
        DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_EVENT_BYTES,
        FAMILIES,
        TARGETS,
        Encoder,
        ErrorEvent,
        Event,
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
        parse,
        parse_many,
    )
    from ._request import tool_result_request
    from ._rust import aiter_events, from_dict, iter_events, read_jsonl

    BACKEND: str
    __version__: str
else:
    _forced = os.environ.get("STREAMDELTA_BACKEND", "").strip().lower()
    if _forced not in ("", "rust", "python"):
        raise ImportError(f"STREAMDELTA_BACKEND must be 'rust' or 'python', got {_forced!r}")
    _impl = reference
    BACKEND = "python"
    if _forced != "python":
        try:
            from . import _rust as _impl

            BACKEND = "rust"
        except ImportError:
            if _forced == "rust":
                raise
    for _name in reference.__all__:
        globals()[_name] = getattr(_impl, _name)
    # The union of the event classes (those with a `type` name), for annotations and isinstance().
    Event = Union[
        tuple(c for c in map(globals().__getitem__, reference.__all__) if isinstance(getattr(c, "type", None), str))
    ]
    try:
        from importlib.metadata import version as _version

        __version__ = _version("streamdelta")
    except Exception:  # not installed (a source tree on sys.path)
        __version__ = "0+unknown"

__all__ = [
    "BACKEND",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "FAMILIES",
    "TARGETS",
    "AsyncEventStream",
    "Encoder",
    "ErrorEvent",
    "Event",
    "EventStream",
    "Family",
    "File",
    "Finish",
    "IncompleteStreamError",
    "JsonAccumulator",
    "JsonDelta",
    "JsonIncompleteError",
    "Message",
    "OnError",
    "Part",
    "Raw",
    "ReasoningDelta",
    "ReasoningEnd",
    "ReasoningStart",
    "RefusalDelta",
    "RefusalEnd",
    "RefusalStart",
    "ResponseStatusError",
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
    "reference",
    "tool_result_request",
]
