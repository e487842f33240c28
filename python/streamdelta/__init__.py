"""streamdelta: the streaming responses of LLM APIs as one normalized event stream, fast.

The Rust extension (``streamdelta._core``) is used when it loads; ``STREAMDELTA_BACKEND=python``
forces the pure-Python reference, which is always importable as ``streamdelta.reference``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from . import reference
from .errors import JsonIncompleteError, StreamParseError

__all__ = [
    "BACKEND",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "JsonAccumulator",
    "JsonDelta",
    "JsonIncompleteError",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamParseError",
    "__version__",
    "reference",
]

if TYPE_CHECKING:
    from ._core import (
        DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_EVENT_BYTES,
        JsonAccumulator,
        JsonDelta,
        ServerSentEvent,
        SSEDecoder,
        __version__,
    )

    BACKEND: str
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
    DEFAULT_MAX_EVENT_BYTES = _impl.DEFAULT_MAX_EVENT_BYTES
    SSEDecoder = _impl.SSEDecoder
    ServerSentEvent = _impl.ServerSentEvent
    DEFAULT_MAX_DEPTH = _impl.DEFAULT_MAX_DEPTH
    JsonAccumulator = _impl.JsonAccumulator
    JsonDelta = _impl.JsonDelta
    try:
        from importlib.metadata import version as _version

        __version__ = _version("streamdelta")
    except Exception:  # not installed (a source tree on sys.path)
        __version__ = "0+unknown"
