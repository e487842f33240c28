"""The Rust backend as a module with the same names as ``streamdelta.reference``.

Classes come from the extension; the few helpers written in Python over ``feed()`` (iterators,
async) live here so that both backends share one surface.
"""

from __future__ import annotations

from ._core import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_EVENT_BYTES,
    JsonAccumulator,
    JsonDelta,
    ServerSentEvent,
    SSEDecoder,
    __version__,
)
from .errors import JsonIncompleteError, StreamParseError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "JsonAccumulator",
    "JsonDelta",
    "JsonIncompleteError",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamParseError",
    "__version__",
]
