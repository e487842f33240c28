"""Events and server-sent events straight from an httpx response.

::

    with httpx.stream("POST", url, json=request) as response:
        with streamdelta.httpx.stream(response) as events:
            for text in events.text_stream:
                print(text, end="")
            message = events.final_message()

``stream()`` / ``astream()`` give a stream object (``streamdelta.EventStream``): events, text,
the message so far, a cut connection reported; ``iter_events()`` / ``aiter_events()`` only the events.

httpx is not imported here: any response with ``iter_bytes()`` / ``aiter_bytes()`` and ``headers``
works (httpx ``Response``, and forks of it such as the one the OpenAI and Anthropic SDKs use). The
body is read as it arrives (decompressed by httpx); the response closes when it has been read to
the end, or when its ``with`` block exits. ``stream()`` raises ``ResponseStatusError`` for a status
other than 2xx; with ``iter_events()`` check the status first (``response.raise_for_status()``): an
error response is usually plain JSON, not a stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import streamdelta as _backend  # the package's backend; tests swap in each one

from ._http import HasHeaders, family_for, is_success, status_error
from ._iterators import adrive, drive
from ._stream import AsyncEventStream, EventStream

if TYPE_CHECKING:
    from ._core import Event, ServerSentEvent
    from ._types import Family

__all__ = ["aiter_events", "aiter_sse", "astream", "iter_events", "iter_sse", "stream"]


class SyncResponse(HasHeaders, Protocol):
    def iter_bytes(self) -> Iterator[bytes]: ...


class AsyncResponse(HasHeaders, Protocol):
    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


class SyncStreamResponse(SyncResponse, Protocol):
    @property
    def status_code(self) -> int: ...
    def read(self) -> bytes: ...
    def close(self) -> None: ...


class AsyncStreamResponse(AsyncResponse, Protocol):
    @property
    def status_code(self) -> int: ...
    async def aread(self) -> bytes: ...
    async def aclose(self) -> None: ...


def stream(response: SyncStreamResponse, family: Family = "auto", **options: Any) -> EventStream:
    """The stream object of a streaming response (``family`` and ``options`` as for ``iter_events``).

    Raises ``ResponseStatusError`` (status, the provider's error message, the body) at once for a
    status other than 2xx, after reading the body and closing the response.
    """
    if not is_success(response.status_code):
        try:
            body = response.read()
        finally:
            response.close()
        raise status_error(response.status_code, body)
    parser = _backend.StreamParser(family_for(response, family), **options)
    return EventStream(parser, iter(response.iter_bytes()), response.close, _backend, response)


def astream(response: AsyncStreamResponse, family: Family = "auto", **options: Any) -> AsyncEventStream:
    """``stream`` for an ``httpx.AsyncClient`` response; a status other than 2xx raises
    ``ResponseStatusError`` at ``async with`` or the first read."""

    async def check() -> None:
        if not is_success(response.status_code):
            raise status_error(response.status_code, await response.aread())

    parser = _backend.StreamParser(family_for(response, family), **options)
    return AsyncEventStream(parser, aiter(response.aiter_bytes()), response.aclose, _backend, response, check)


def iter_events(response: SyncResponse, family: Family = "auto", **options: Any) -> Iterator[Event]:
    """The normalized events of a streaming response, as its body arrives.

    ``family`` and ``options`` are those of ``StreamParser``; with ``family="auto"`` an AWS
    event-stream response (its ``content-type``) is read as ``"bedrock"``.
    """
    return drive(_backend.StreamParser(family_for(response, family), **options), response.iter_bytes())


def aiter_events(response: AsyncResponse, family: Family = "auto", **options: Any) -> AsyncIterator[Event]:
    """``iter_events`` for an ``httpx.AsyncClient`` response."""
    return adrive(_backend.StreamParser(family_for(response, family), **options), response.aiter_bytes())


def iter_sse(response: SyncResponse, **options: Any) -> Iterator[ServerSentEvent]:
    """The server-sent events of a response, as its body arrives (``options`` are ``SSEDecoder``'s)."""
    return drive(_backend.SSEDecoder(**options), response.iter_bytes())


def aiter_sse(response: AsyncResponse, **options: Any) -> AsyncIterator[ServerSentEvent]:
    """``iter_sse`` for an ``httpx.AsyncClient`` response."""
    return adrive(_backend.SSEDecoder(**options), response.aiter_bytes())
