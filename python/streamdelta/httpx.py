"""Events and server-sent events straight from an httpx response.

::

    with httpx.stream("POST", url, json=request) as response:
        for event in streamdelta.httpx.iter_events(response):
            ...

httpx is not imported here: any response with ``iter_bytes()`` / ``aiter_bytes()`` and ``headers``
works (httpx ``Response``, and forks of it such as the one the OpenAI and Anthropic SDKs use). The
body is read as it arrives (decompressed by httpx); the response closes when it has been read to
the end, or when its ``with`` block exits. Check the status first (``response.raise_for_status()``):
an error response is usually plain JSON, not a stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import streamdelta as _backend  # the package's backend; tests swap in each one

from ._http import HasHeaders, family_for
from ._iterators import adrive, drive

if TYPE_CHECKING:
    from ._core import Event, ServerSentEvent

__all__ = ["aiter_events", "aiter_sse", "iter_events", "iter_sse"]


class SyncResponse(HasHeaders, Protocol):
    def iter_bytes(self) -> Iterator[bytes]: ...


class AsyncResponse(HasHeaders, Protocol):
    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


def iter_events(response: SyncResponse, family: str = "auto", **options: Any) -> Iterator[Event]:
    """The normalized events of a streaming response, as its body arrives.

    ``family`` and ``options`` are those of ``StreamParser``; with ``family="auto"`` an AWS
    event-stream response (its ``content-type``) is read as ``"bedrock"``.
    """
    return drive(_backend.StreamParser(family_for(response, family), **options), response.iter_bytes())


def aiter_events(response: AsyncResponse, family: str = "auto", **options: Any) -> AsyncIterator[Event]:
    """``iter_events`` for an ``httpx.AsyncClient`` response."""
    return adrive(_backend.StreamParser(family_for(response, family), **options), response.aiter_bytes())


def iter_sse(response: SyncResponse, **options: Any) -> Iterator[ServerSentEvent]:
    """The server-sent events of a response, as its body arrives (``options`` are ``SSEDecoder``'s)."""
    return drive(_backend.SSEDecoder(**options), response.iter_bytes())


def aiter_sse(response: AsyncResponse, **options: Any) -> AsyncIterator[ServerSentEvent]:
    """``iter_sse`` for an ``httpx.AsyncClient`` response."""
    return adrive(_backend.SSEDecoder(**options), response.aiter_bytes())
