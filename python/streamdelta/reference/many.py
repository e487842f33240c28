"""Many whole bodies at once: twin of ``rust/core/src/many.rs`` and ``rust/python/src/many.rs``.

The reference parses them one after the other; ``threads`` is checked and otherwise ignored."""

from __future__ import annotations

from typing import Any, Iterable

from ..errors import StreamParseError
from .families.parts import DEFAULT_MAX_OPEN_PARTS
from .parser import StreamParser
from .sse import DEFAULT_MAX_EVENT_BYTES, chunk_bytes

__all__ = ["parse_many"]


def _body_bytes(body: object, index: int) -> bytes:
    try:
        return chunk_bytes(body)
    except TypeError:
        pass
    try:
        return memoryview(body).tobytes()  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"body {index}: expected bytes, a buffer or str, got {type(body).__name__}") from None


def parse_many(
    bodies: Iterable[Any],
    family: str = "auto",
    *,
    threads: int | None = None,
    on_error: str = "emit",
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    max_open_parts: int = DEFAULT_MAX_OPEN_PARTS,
) -> list[Any]:
    """Parses many whole bodies; returns the ``Message`` of each, in order (see ``_core.pyi``)."""
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    # Every body is read before any is parsed, as Rust reads them before it releases the GIL.
    data = [_body_bytes(body, index) for index, body in enumerate(bodies)]
    messages = []
    for index, body in enumerate(data):
        parser = StreamParser(family, on_error=on_error, max_event_bytes=max_event_bytes, max_open_parts=max_open_parts)
        try:
            parser.feed(body)
            parser.close()
        except StreamParseError as err:
            raise StreamParseError(
                f"body {index}: {err}", offset=err.offset, event_index=err.event_index, excerpt=err.excerpt, index=index
            ) from None
        messages.append(parser.message)
    return messages
