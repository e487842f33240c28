"""What the HTTP adapters (``streamdelta.httpx``, ``streamdelta.aiohttp``) share.

The adapters import no HTTP library: they read a response through the few members named by the
protocols below, so that httpx, its forks and aiohttp all fit and ``import streamdelta`` stays light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from ._types import Family
from .errors import ResponseStatusError

# AWS event-stream framing cannot be told from an SSE body by its first bytes alone, but the
# response says which it is; anything else is left to the parser's detection.
_EVENTSTREAM_TYPE = "application/vnd.amazon.eventstream"


class HasHeaders(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...


def family_for(response: HasHeaders, family: Family) -> Family:
    """``family``, or ``"bedrock"`` for ``"auto"`` when the response is an AWS event stream."""
    if family == "auto":
        content_type = response.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() == _EVENTSTREAM_TYPE:
            return "bedrock"
    return family


def is_success(status: int) -> bool:
    return 200 <= status < 300


# An error body's text beyond this is left out of the exception's message (it stays in ``body``).
_TEXT_LIMIT = 500


def status_error(status: int, body: bytes) -> ResponseStatusError:
    """The exception for a response that is not a stream: its status and the provider's message."""
    return ResponseStatusError(status, provider_error_message(body), body)


def provider_error_message(body: bytes) -> str:
    """The message of an error body in the shapes providers use: ``{"error": {"message": ...}}``
    (OpenAI, Anthropic, Gemini, also inside a one-element array), ``{"error": "..."}``,
    ``{"message": ...}`` / ``{"Message": ...}`` (AWS); else the body's text, shortened."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc: Any = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, list) and doc:
        doc = doc[0]
    if isinstance(doc, dict):
        inner = doc.get("error")
        if isinstance(inner, str) and inner:
            return inner
        for holder in (inner, doc):
            if isinstance(holder, dict):
                for key in ("message", "Message"):
                    found = holder.get(key)
                    if isinstance(found, str) and found:
                        return found
    if len(text) > _TEXT_LIMIT:
        return text[:_TEXT_LIMIT] + "…"
    return text or "(empty body)"
