"""Exception classes, defined once here and raised by both backends (Rust imports this module)."""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["IncompleteStreamError", "JsonIncompleteError", "ResponseStatusError", "StreamParseError"]


class StreamParseError(ValueError):
    """Input that cannot be parsed: names where (byte offset, event index) and keeps what came before.

    ``events`` holds the events parsed before the fault in the call that raised; the parser that
    raised stays usable, and the bytes after the fault are read on the next call. ``index`` is the
    position of the faulty body when ``parse_many`` raised (None otherwise).
    """

    offset: int | None
    event_index: int | None
    excerpt: str | None
    events: list[Any]
    index: int | None

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        event_index: int | None = None,
        excerpt: str | None = None,
        events: Sequence[Any] = (),
        index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.event_index = event_index
        self.excerpt = excerpt
        self.events = list(events)
        self.index = index


class JsonIncompleteError(ValueError):
    """A JSON document asked for as a complete value has not been completed yet."""


class IncompleteStreamError(Exception):
    """The response body stopped before its end: the connection broke, a read timed out, or a read was
    interrupted (a cancelled ``await``, Ctrl-C) and the stream was read again.

    Raised by the stream objects (``streamdelta.httpx.stream()`` and its kin) after every event that
    arrived, closed by ``error(kind="incomplete_stream")``, has been handed out. ``message`` is the
    partial ``Message``; the exception from the transport is ``__cause__``.
    """

    message: Any

    def __init__(self, text: str, message: Any) -> None:
        super().__init__(text)
        self.message = message


class ResponseStatusError(Exception):
    """The server answered with a status other than 2xx: ``status_code``, the provider's error message
    (``error``, read from the usual JSON shapes of error bodies, else the body's text) and ``body``."""

    status_code: int
    error: str
    body: bytes

    def __init__(self, status_code: int, error: str, body: bytes) -> None:
        super().__init__(f"HTTP {status_code}: {error}")
        self.status_code = status_code
        self.error = error
        self.body = body
