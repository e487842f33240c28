"""Sync and async event iterators, written once over any backend's ``StreamParser``.

Async stays out of Rust: a chunk is parsed synchronously the moment it arrives.
"""

from __future__ import annotations

from collections import deque
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


class Feeding:
    """A feeder (a ``StreamParser`` or an ``SSEDecoder``) and the events it made not yet handed out:
    the part of an event iterator that holds no generator, so that it outlives an interrupted read."""

    def __init__(self, feeder: Any) -> None:
        self.feeder = feeder
        self._ready: deque[Any] = deque()
        self._fault: BaseException | None = None  # raised once the events before it are handed out
        self._done = False
        # A read that raised BaseException (a cancelled await, Ctrl-C) left the body half read.
        self._interrupted: BaseException | None = None

    def _next_ready(self) -> Any:
        """The next event to hand out; raises the fault when they are all out; None when there is none."""
        if self._ready:
            return self._ready.popleft()
        fault = self._fault
        if fault is not None:
            self._fault = None
            raise fault
        return None

    def _stop(self) -> None:
        """Nothing more comes out: the reader closed the stream."""
        self._done = True
        self._ready.clear()
        self._fault = None

    def _arrived(self, chunk: Any) -> None:
        """What a read gave: a chunk, or None at the end of the body."""
        if chunk is None:
            self._end()
            return
        try:
            self._ready.extend(self.feeder.feed(chunk))
        except StreamParseError as err:
            self._ready.extend(take_events(err))
            self._fault = err
            self._done = True

    def _end(self) -> None:
        """The body ended: the feeder's last events."""
        self._done = True
        try:
            self._ready.extend(self.feeder.close())
        except StreamParseError as err:
            self._ready.extend(take_events(err))
            self._fault = err


class AsyncEvents(Feeding):
    """``drive`` over an async iterable of chunks. An object, not an async generator: a read cancelled
    under it (``asyncio.wait_for`` around ``__anext__``) would end a generator for good and quietly;
    here reading on ends the stream as the feeder sees it (a parser reports the cut as
    ``incomplete_stream``). An exception from the chunks is raised as it is, and ends the iterator."""

    def __init__(self, feeder: Any, chunks: AsyncIterable[Any]) -> None:
        super().__init__(feeder)
        self._chunks = aiter(chunks)

    def __aiter__(self) -> AsyncEvents:
        return self

    async def __anext__(self) -> Any:
        while True:
            event = self._next_ready()
            if event is not None:
                return event
            if self._done:
                raise StopAsyncIteration
            if self._interrupted is not None:
                self._end()
                continue
            try:
                chunk = await anext(self._chunks, None)
            except Exception:
                self._done = True
                raise
            except BaseException as err:
                self._interrupted = err
                raise
            self._arrived(chunk)


def adrive(feeder: Any, chunks: AsyncIterable[Any]) -> AsyncIterator[Any]:
    """``drive`` over an async iterable of chunks (see ``AsyncEvents``)."""
    return AsyncEvents(feeder, chunks)


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
