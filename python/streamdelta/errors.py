"""Exception classes, defined once here and raised by both backends (Rust imports this module)."""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["JsonIncompleteError", "StreamParseError"]


class StreamParseError(ValueError):
    """Input that cannot be parsed: names where (byte offset, event index) and keeps what came before.

    ``events`` holds the events parsed before the fault in the call that raised; the parser that
    raised stays usable, and the bytes after the fault are read on the next call.
    """

    offset: int | None
    event_index: int | None
    excerpt: str | None
    events: list[Any]

    def __init__(
        self,
        message: str,
        *,
        offset: int | None = None,
        event_index: int | None = None,
        excerpt: str | None = None,
        events: Sequence[Any] = (),
    ) -> None:
        super().__init__(message)
        self.offset = offset
        self.event_index = event_index
        self.excerpt = excerpt
        self.events = list(events)


class JsonIncompleteError(ValueError):
    """A JSON document asked for as a complete value has not been completed yet."""
