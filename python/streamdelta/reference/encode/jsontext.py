"""The JSON text the encoders write: the twin of ``rust/core/src/encode/json.rs``, byte for byte."""

from __future__ import annotations

import json
import math
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def string(text: str) -> str:
    """``text`` as a JSON string (UTF-8 kept, control characters escaped as serde does)."""
    return _dumps(text)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def _refuse(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _int(text: str) -> int:
    _finite(text)  # serde reads an integer beyond 64 bits as a double: beyond its range it refuses
    return int(text)


def value(text: str) -> Any:
    """``text`` parsed as serde reads it (no NaN, no number beyond a double); None when it is not JSON."""
    try:
        return json.loads(text, parse_float=_finite, parse_int=_int, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None


def is_json(text: str) -> bool:
    """Whether ``text`` is JSON, as serde reads it."""
    try:
        json.loads(text, parse_float=_finite, parse_int=_int, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return False
    return True


def is_array(text: str) -> bool:
    """Whether ``text`` is one JSON array, as serde reads it."""
    return array_len(text) is not None


def array_len(text: str) -> int | None:
    """The number of items of ``text`` when it is one JSON array, as serde reads it."""
    parsed = value(text)
    return len(parsed) if isinstance(parsed, list) else None


def is_object(text: str) -> bool:
    """Whether ``text`` is one JSON object, as serde reads it."""
    return isinstance(value(text), dict)


def sse(event: str | None, data: str) -> str:
    """One SSE event: an optional ``event:`` line, the ``data:`` line, the blank line."""
    if event is None:
        return f"data: {data}\n\n"
    return f"event: {event}\ndata: {data}\n\n"
