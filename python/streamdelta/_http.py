"""What the HTTP adapters (``streamdelta.httpx``, ``streamdelta.aiohttp``) share.

The adapters import no HTTP library: they read a response through the few members named by the
protocols below, so that httpx, its forks and aiohttp all fit and ``import streamdelta`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

# AWS event-stream framing cannot be told from an SSE body by its first bytes alone, but the
# response says which it is; anything else is left to the parser's detection.
_EVENTSTREAM_TYPE = "application/vnd.amazon.eventstream"


class HasHeaders(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...


def family_for(response: HasHeaders, family: str) -> str:
    """``family``, or ``"bedrock"`` for ``"auto"`` when the response is an AWS event stream."""
    if family == "auto":
        content_type = response.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() == _EVENTSTREAM_TYPE:
            return "bedrock"
    return family
