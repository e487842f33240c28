"""Framings that are not SSE (bodies of JSON values): twin of ``rust/core/src/framing/``.

``ndjson`` (values separated by whitespace; a lone JSON body is its one-value case) and
``json_array`` (the items of one JSON array) are read by one ``JsonValues`` splitter, which hands
each value on as soon as its last byte arrives.
"""

from __future__ import annotations

from .json_values import ARRAY, NDJSON, JsonValueRef, JsonValues
from .lone_error import lone_error

__all__ = ["ARRAY", "NDJSON", "JsonValueRef", "JsonValues", "lone_error", "sniff"]


def sniff(first: int) -> str | None:
    """The shape a body's first byte implies: None for SSE (or event-stream, told apart by the parser)."""
    if first == 0x5B:
        return ARRAY
    if first == 0x7B:
        return NDJSON
    return None
