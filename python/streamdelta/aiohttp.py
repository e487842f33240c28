"""Events and server-sent events straight from an aiohttp client response.

::

    async with session.post(url, json=request) as response:
        async for event in streamdelta.aiohttp.aiter_events(response):
            ...

aiohttp is not imported here: the response is read through ``response.content.iter_any()`` (each
piece as it arrives, decompressed by aiohttp) and ``response.headers``. Check the status first
(``response.raise_for_status()``): an error response is usually plain JSON, not a stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import streamdelta as _backend  # the package's backend; tests swap in each one

from ._http import HasHeaders, family_for
from ._iterators import adrive

if TYPE_CHECKING:
    from ._core import Event, ServerSentEvent

__all__ = ["aiter_events", "aiter_sse"]


class _Content(Protocol):
    def iter_any(self) -> AsyncIterator[bytes]: ...


class Response(HasHeaders, Protocol):
    @property
    def content(self) -> _Content: ...


def aiter_events(response: Response, family: str = "auto", **options: Any) -> AsyncIterator[Event]:
    """The normalized events of a streaming response, as its body arrives.

    ``family`` and ``options`` are those of ``StreamParser``; with ``family="auto"`` an AWS
    event-stream response (its ``content-type``) is read as ``"bedrock"``.
    """
    return adrive(_backend.StreamParser(family_for(response, family), **options), response.content.iter_any())


def aiter_sse(response: Response, **options: Any) -> AsyncIterator[ServerSentEvent]:
    """The server-sent events of a response, as its body arrives (``options`` are ``SSEDecoder``'s)."""
    return adrive(_backend.SSEDecoder(**options), response.content.iter_any())
