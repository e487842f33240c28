"""Sync and async event iterators, written once over any backend's ``StreamParser``.

Async stays out of Rust: a chunk is parsed synchronously the moment it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any, Callable

from .errors import StreamParseError


def make_iterators(parser_class: Callable[..., Any]) -> tuple[Callable[..., Iterator[Any]], Callable[..., Any]]:
    def iter_events(chunks: Iterable[Any], family: str = "auto", **options: Any) -> Iterator[Any]:
        """Normalized events of a response body given as an iterable of chunks.

        A ``StreamParseError`` is raised after the events before the fault have been yielded.
        """
        parser = parser_class(family, **options)
        for chunk in chunks:
            try:
                events = parser.feed(chunk)
            except StreamParseError as err:
                yield from err.events
                err.events = []
                raise
            yield from events
        try:
            events = parser.close()
        except StreamParseError as err:
            yield from err.events
            err.events = []
            raise
        yield from events

    async def aiter_events(chunks: AsyncIterable[Any], family: str = "auto", **options: Any) -> AsyncIterator[Any]:
        """Normalized events of a response body given as an async iterable of chunks."""
        parser = parser_class(family, **options)
        async for chunk in chunks:
            try:
                events = parser.feed(chunk)
            except StreamParseError as err:
                for event in err.events:
                    yield event
                err.events = []
                raise
            for event in events:
                yield event
        try:
            events = parser.close()
        except StreamParseError as err:
            for event in err.events:
                yield event
            err.events = []
            raise
        for event in events:
            yield event

    return iter_events, aiter_events
