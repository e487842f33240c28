"""Events and server-sent events straight from an aiohttp client response.

::

    async with session.post(url, json=request) as response:
        async with streamdelta.aiohttp.stream(response) as events:
            async for text in events.text_stream:
                print(text, end="")
            message = await events.final_message()

``stream()`` gives a stream object (``streamdelta.AsyncEventStream``); ``aiter_events()`` only the events.

aiohttp is not imported here: the response is read through ``response.content.iter_any()`` (each
piece as it arrives, decompressed by aiohttp) and ``response.headers``. Check the status first
(``response.raise_for_status()``) when using ``aiter_events()``: an error response is usually plain
JSON, not a stream. ``stream()`` raises ``ResponseStatusError`` for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import streamdelta as _backend  # the package's backend; tests swap in each one

from ._http import HasHeaders, family_for, is_success, status_error
from ._iterators import adrive
from ._stream import AsyncEventStream

if TYPE_CHECKING:
    from ._core import Event, ServerSentEvent
    from ._types import Family

__all__ = ["aiter_events", "aiter_sse", "stream"]


class _Content(Protocol):
    def iter_any(self) -> AsyncIterator[bytes]: ...


class Response(HasHeaders, Protocol):
    @property
    def content(self) -> _Content: ...


class StreamResponse(Response, Protocol):
    @property
    def status(self) -> int: ...
    async def read(self) -> bytes: ...
    def close(self) -> None: ...


def stream(response: StreamResponse, family: Family = "auto", **options: Any) -> AsyncEventStream:
    """The stream object of a streaming response (``family`` and ``options`` as for ``aiter_events``).

    A status other than 2xx raises ``ResponseStatusError`` (status, the provider's error message,
    the body) at ``async with`` or the first read.
    """

    async def check() -> None:
        if not is_success(response.status):
            raise status_error(response.status, await response.read())

    async def aclose() -> None:
        # Once the body is read to its end aiohttp has given the connection back: this closes nothing.
        response.close()

    parser = _backend.StreamParser(family_for(response, family), **options)
    return AsyncEventStream(parser, aiter(response.content.iter_any()), aclose, _backend, response, check)


def aiter_events(response: Response, family: Family = "auto", **options: Any) -> AsyncIterator[Event]:
    """The normalized events of a streaming response, as its body arrives.

    ``family`` and ``options`` are those of ``StreamParser``; with ``family="auto"`` an AWS
    event-stream response (its ``content-type``) is read as ``"bedrock"``.
    """
    return adrive(_backend.StreamParser(family_for(response, family), **options), response.content.iter_any())


def aiter_sse(response: Response, **options: Any) -> AsyncIterator[ServerSentEvent]:
    """The server-sent events of a response, as its body arrives (``options`` are ``SSEDecoder``'s)."""
    return adrive(_backend.SSEDecoder(**options), response.content.iter_any())
