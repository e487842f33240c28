"""The pure-Python implementation of streamdelta: the test oracle, the fallback where no wheel fits,
and the benchmark baseline. Same names, signatures, exceptions and event fields as the Rust core."""

from __future__ import annotations

from ..errors import JsonIncompleteError, StreamParseError
from .json_accumulator import DEFAULT_MAX_DEPTH, JsonAccumulator, JsonDelta
from .sse import DEFAULT_MAX_EVENT_BYTES, ServerSentEvent, SSEDecoder

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "JsonAccumulator",
    "JsonDelta",
    "JsonIncompleteError",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamParseError",
]
