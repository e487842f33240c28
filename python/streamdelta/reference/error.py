"""Error messages, word for word those of ``rust/core/src/error.rs``."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import StreamParseError

_EXCERPT_CHARS = 60


def excerpt(text: str) -> str:
    """The first 60 characters of ``text`` on one line (CR and LF escaped), with ``...`` when cut."""
    cut = text[:_EXCERPT_CHARS].replace("\n", "\\n").replace("\r", "\\r")
    return cut + "..." if len(text) > _EXCERPT_CHARS else cut


def line_too_long(limit: int) -> str:
    return f"line longer than `max_event_bytes` ({limit} bytes); raise `max_event_bytes` to accept it"


def event_too_large(limit: int) -> str:
    return f"event data larger than `max_event_bytes` ({limit} bytes); raise `max_event_bytes` to accept it"


def invalid_json(detail: str) -> str:
    return f"invalid JSON payload: {detail}"


def incomplete_json(detail: str) -> str:
    return f"incomplete JSON document: EOF while parsing {detail}"


def unexpected_payload(detail: str) -> str:
    return f"unexpected payload: {detail}"


def bad_frame(detail: str) -> str:
    return f"bad event-stream frame: {detail}"


# A misuse, not a fault of the input: raised as a plain ValueError, as for a closed file.
CLOSED = "`feed()` after `close()`: the stream has ended"


def limit_exceeded(what: str, limit: int, option: str) -> str:
    return f"more than {limit} {what}; raise `{option}` to accept it"


class CoreError(Exception):
    """The reference's twin of the core ``Error``: a kind message and where it happened."""

    def __init__(self, kind: str, offset: int, event_index: int | None = None, excerpt_text: str | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.offset = offset
        self.event_index = event_index
        self.excerpt = None if excerpt_text is None else excerpt(excerpt_text)

    def __str__(self) -> str:
        text = f"{self.kind} at byte {self.offset}"
        if self.event_index is not None:
            text += f", event {self.event_index}"
        if self.excerpt is not None:
            text += f", near `{self.excerpt}`"
        return text

    def to_exception(self, events: Sequence[Any]) -> StreamParseError:
        return StreamParseError(
            str(self), offset=self.offset, event_index=self.event_index, excerpt=self.excerpt, events=events
        )
