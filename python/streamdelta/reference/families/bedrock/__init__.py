"""The `bedrock` family: twin of ``rust/core/src/families/bedrock/mod.rs``.

AWS event-stream frames around the events of either Bedrock API. InvokeModelWithResponseStream: a
``chunk`` event frame holds ``{"bytes": "<base64 of one event JSON of the model's own API>", "p": …}``;
the first chunk tells the vendor: Anthropic (``type``), Amazon Nova (Converse's events, each under its
name), or a text vendor (Meta Llama, Mistral, Amazon Titan, Cohere). ConverseStream: each event frame
is one Converse event, ``:event-type`` its name. An ``exception`` or ``error`` frame is an error the
service sent mid-stream.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Union

from ...depth import check_payload as check_depth
from ...error import bad_frame
from ...events import Usage
from ...eventstream import FrameRef
from .. import PayloadError, incomplete, stdlib_loads, wrong_shape
from ..anthropic import Decoder as AnthropicDecoder
from ..fields import RAW, check, has_surrogate, opt_str, parse_object, raw_json, struct
from ..parts import Parts
from . import converse, vendors
from .shared import unexpected

# What the core's decoder takes: padding only at the end, length a multiple of 4.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")

_CONVERSE_EVENTS = (
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
)
_TEXT_VENDOR_MEMBERS = ("generation", "outputs", "choices", "outputText", "generations", "is_finished", "event_type")
_METRICS = "amazon-bedrock-invocationMetrics"
# The core's `VendorProbe` and `NovaWire`: raw members only, nothing to check but the object.
_NOVA = struct(**{name: RAW for name in (*_CONVERSE_EVENTS, _METRICS)})
Inner = Union[AnthropicDecoder, converse.Decoder, vendors.Decoder]


def base64_decode(text: str) -> bytes | None:
    if not _BASE64.fullmatch(text):
        return None
    return base64.b64decode(text, validate=True)


class Decoder:
    """The decoder of a Bedrock stream, chosen by its first event frame."""

    def __init__(self) -> None:
        # Until the first event frame the parts only hold their limit, handed to the decoder chosen.
        self.parts = Parts()
        self.inner: Inner | None = None
        self.nova = False

    def _choose(self, inner: Inner, nova: bool = False) -> Inner:
        inner.parts = self.parts
        self.inner = inner
        self.nova = nova
        return inner

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        raise unexpected("the `bedrock` family reads AWS event-stream frames only")

    def end(self, out: list[Any]) -> None:
        if self.inner is None:
            incomplete(self.parts, Usage(0, 0, 0, 0, 0, 0, None), out)
        else:
            self.inner.end(out)

    def provider_error(self, message: str, kind: str, raw: str | None, out: list[Any]) -> None:
        inner = self.inner if self.inner is not None else self._choose(converse.Decoder())
        inner.provider_error(message, kind, raw, out)

    def chunk(self, json: str, out: list[Any]) -> None:
        inner = self.inner
        if inner is None:
            probe = parse_object(json)
            if probe.get("type") is not None:
                inner = self._choose(AnthropicDecoder())
            elif any(probe.get(name) is not None for name in _CONVERSE_EVENTS):
                inner = self._choose(converse.Decoder(), nova=True)
            elif any(probe.get(name) is not None for name in _TEXT_VENDOR_MEMBERS):
                inner = self._choose(vendors.Decoder())
            else:
                raise unexpected("cannot tell the model vendor of an Invoke `chunk`")
        if isinstance(inner, AnthropicDecoder):
            inner.payload("chunk", json, out)
        elif isinstance(inner, vendors.Decoder):
            inner.chunk(json, out)
        elif self.nova:
            _nova_chunk(inner, json, out)
        else:
            raise unexpected("an Invoke `chunk` in a ConverseStream")

    def converse(self, name: str, payload: str, out: list[Any]) -> None:
        """One ConverseStream event; in an Invoke stream an event frame not named `chunk` is passed over."""
        inner = self.inner if self.inner is not None else self._choose(converse.Decoder())
        if isinstance(inner, converse.Decoder) and not self.nova:
            inner.event(name, payload, out)


def _nova_chunk(decoder: converse.Decoder, json: str, out: list[Any]) -> None:
    """An Amazon Nova chunk: its invocation metrics first, then its one event."""
    chunk = check(parse_object(json), _NOVA)
    # Raw members read later as objects: a value of another JSON type reads as absent (`Raw::object`).
    if type(chunk.get(_METRICS)) is dict:
        decoder.invocation_metrics(raw_json(json, (_METRICS,)))
    for name in _CONVERSE_EVENTS:
        if type(chunk.get(name)) is dict:
            decoder.event(name, raw_json(json, (name,)), out)


def frame(decoder: Decoder, f: FrameRef, payload: str, inner: list[str], out: list[Any]) -> None:
    """One frame through the decoder; ``inner`` receives the decoded event JSON of a ``chunk`` frame,
    so that an error in it can quote it."""
    h = f.headers
    message_type = h.get("message_type", b"event")
    if message_type == b"event":
        event_type = h.get("event_type")
        if event_type == b"chunk":
            chunk = parse_object(payload)
            text = opt_str(chunk, "bytes")
            if text is None:
                raise wrong_shape()
            raw = base64_decode(text)
            if raw is None:
                raise PayloadError(bad_frame("`bytes` is not valid base64"))
            inner.append(raw.decode("utf-8", "replace"))
            check_depth(inner[0])
            decoder.chunk(inner[0], out)
        elif event_type is not None:
            decoder.converse(event_type.decode("utf-8", "replace"), payload, out)
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
