"""The `bedrock` family: twin of ``rust/core/src/families/bedrock/``.

Anthropic events carried by AWS event-stream frames. A ``chunk`` event frame holds
``{"bytes": "<base64 of one Anthropic event JSON>", "p": "<padding>"}``; an ``exception`` or ``error``
frame is an error the service sent mid-stream.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..depth import check_payload as check_depth
from ..error import bad_frame
from ..eventstream import FrameRef
from . import PayloadError, stdlib_loads, wrong_shape
from .anthropic import Decoder
from .fields import has_surrogate, opt_str, parse_object

# What the core's decoder takes: padding only at the end, length a multiple of 4.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def base64_decode(text: str) -> bytes | None:
    if not _BASE64.fullmatch(text):
        return None
    return base64.b64decode(text, validate=True)


def frame(decoder: Decoder, f: FrameRef, payload: str, inner: list[str], out: list[Any]) -> None:
    """One frame through the Anthropic decoder; ``inner`` receives the decoded event JSON of a
    ``chunk`` frame, so that an error in it can quote it."""
    h = f.headers
    message_type = h.get("message_type", b"event")
    if message_type == b"event":
        if h.get("event_type") != b"chunk":
            return
        chunk = parse_object(payload)
        text = opt_str(chunk, "bytes")
        if text is None:
            raise wrong_shape()
        raw = base64_decode(text)
        if raw is None:
            raise PayloadError(bad_frame("`bytes` is not valid base64"))
        inner.append(raw.decode("utf-8", "replace"))
        check_depth(inner[0])
        decoder.payload("chunk", inner[0], out)
    elif message_type in (b"exception", b"error"):
        kind_bytes = h.get("exception_type", h.get("error_code"))
        kind = "error" if kind_bytes is None else kind_bytes.decode("utf-8", "replace")
        message = _exception_message(payload)
        if message is None:
            error_message = h.get("error_message")
            if error_message is not None:
                message = error_message.decode("utf-8", "replace")
            else:
                message = payload if payload else kind
        decoder.provider_error(message, kind, payload or None, out)


def _exception_message(payload: str) -> str | None:
    """``message`` of the payload when it reads as the core's ``ExceptionWire``, else None.

    The core reads it with plain serde, not ``parse_json``: a lone surrogate escape is refused only
    in the strings serde decodes (the keys of the object and ``message``), not in the values it skips."""
    try:
        body = stdlib_loads(payload)
        if type(body) is not dict or any(map(has_surrogate, body)):
            return None
        return opt_str(body, "message")
    except (ValueError, PayloadError):
        return None
