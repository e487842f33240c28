"""The pure-Python implementation of streamdelta: the test oracle, the fallback where no wheel fits,
and the benchmark baseline. Same names, signatures, exceptions and event fields as the Rust core."""

from __future__ import annotations

from ..errors import JsonIncompleteError, StreamParseError
from .sse import DEFAULT_MAX_EVENT_BYTES, ServerSentEvent, SSEDecoder
from .json_accumulator import DEFAULT_MAX_DEPTH, JsonAccumulator, JsonDelta

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "JsonAccumulator",
    "JsonDelta",
    "DEFAULT_MAX_EVENT_BYTES",
    "JsonIncompleteError",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamParseError",
]
