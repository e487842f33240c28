"""Sync and async event iterators, written once over any backend's ``StreamParser``.

Async stays out of Rust: a chunk is parsed synchronously the moment it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .errors import StreamParseError

if TYPE_CHECKING:
    from ._core import Chunk, Event
    from ._types import Family, OnError


class IterEvents(Protocol):
    def __call__(
        self,
        chunks: Iterable[Chunk],
        family: Family = "auto",
        *,
        on_error: OnError = "raise",
        max_event_bytes: int = ...,
        max_open_parts: int = ...,
    ) -> Iterator[Event]: ...


class AiterEvents(Protocol):
    def __call__(
        self,
        chunks: AsyncIterable[Chunk],
        family: Family = "auto",
        *,
        on_error: OnError = "raise",
        max_event_bytes: int = ...,
        max_open_parts: int = ...,
    ) -> AsyncIterator[Event]: ...


def take_events(err: StreamParseError) -> list[Any]:
    """The events parsed before the fault, taken off the exception: they are handed out, not kept twice."""
    events, err.events = err.events, []
    return events


def batches(feeder: Any, chunks: Iterable[Any]) -> Iterator[list[Any]]:
    """What ``feeder`` (a ``StreamParser`` or an ``SSEDecoder``) makes of each chunk, then of ``close()``.

    A ``StreamParseError`` is raised after the events before the fault have been handed out: one list
    per call, so that callers loop over events without a generator step for each.
    """
    for chunk in chunks:
        try:
            events = feeder.feed(chunk)
        except StreamParseError as err:
            yield take_events(err)
            raise
        yield events
    try:
        events = feeder.close()
    except StreamParseError as err:
        yield take_events(err)
        raise
    yield events


async def abatches(feeder: Any, chunks: AsyncIterable[Any]) -> AsyncIterator[list[Any]]:
    """``batches`` over an async iterable of chunks."""
    async for chunk in chunks:
        try:
            events = feeder.feed(chunk)
        except StreamParseError as err:
            yield take_events(err)
            raise
        yield events
    try:
        events = feeder.close()
    except StreamParseError as err:
        yield take_events(err)
        raise
    yield events


def drive(feeder: Any, chunks: Iterable[Any]) -> Iterator[Any]:
    """Every event ``feeder`` makes of ``chunks``, ``close()`` included.

    A ``StreamParseError`` is raised after the events before the fault have been yielded.
    """
    for events in batches(feeder, chunks):
        yield from events


async def adrive(feeder: Any, chunks: AsyncIterable[Any]) -> AsyncIterator[Any]:
    """``drive`` over an async iterable of chunks."""
    async for events in abatches(feeder, chunks):
        for event in events:
            yield event


def make_iterators(parser_class: Callable[..., Any]) -> tuple[IterEvents, AiterEvents]:
    def iter_events(chunks: Iterable[Any], family: str = "auto", **options: Any) -> Iterator[Any]:
        """Normalized events of a response body given as an iterable of chunks.

        A ``StreamParseError`` is raised after the events before the fault have been yielded.
        """
        return drive(parser_class(family, **options), chunks)

    def aiter_events(chunks: AsyncIterable[Any], family: str = "auto", **options: Any) -> AsyncIterator[Any]:
        """Normalized events of a response body given as an async iterable of chunks."""
        return adrive(parser_class(family, **options), chunks)

    return iter_events, aiter_events
