"""The way back: normalized events into one family's wire bytes; the twin of
``rust/core/src/encode/`` (same rules, same bytes; ``docs/encoding.md`` has the table of what
each target carries)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..events import Usage
from .anthropic import AnthropicEncoder
from .bedrock import BedrockEncoder
from .gemini import GeminiEncoder
from .openai_chat import ChatEncoder
from .openai_responses import ResponsesEncoder
from .shared import Call, HeldCalls, Writer

__all__ = ["TARGETS", "Encoder"]

TARGETS = ("openai-chat", "anthropic", "openai-responses", "gemini", "bedrock")
# The framings each family takes besides "auto" (its own: SSE, Bedrock's event-stream).
_FRAMINGS = {"gemini": ("sse", "json-array"), "bedrock": ("eventstream",)}
_EVENT_TYPES = frozenset(
    [
        "stream_start",
        "text_start",
        "text_delta",
        "text_end",
        "reasoning_start",
        "reasoning_delta",
        "reasoning_end",
        "tool_input_start",
        "tool_input_delta",
        "tool_input_end",
        "tool_call",
        "source",
        "finish",
        "error",
        "unknown",
        "raw",
        "refusal_start",
        "refusal_delta",
        "refusal_end",
        "tool_result",
        "file",
    ]
)
# No target has a place for them (docs/encoding.md), as in the core.
_NOT_ENCODED = frozenset(("unknown", "raw"))
_REASONS = frozenset(("stop", "length", "tool_calls", "content_filter", "error", "other"))


def _target(family: str, framing: str) -> Writer:
    if not isinstance(family, str) or not isinstance(framing, str):
        raise TypeError("family and framing must be str")
    if family not in TARGETS:
        expected = '", "'.join(TARGETS)
        raise ValueError(f'unknown target family "{family}"; expected one of "{expected}"')
    framings = _FRAMINGS.get(family, ("sse",))
    if framing != "auto" and framing not in framings:
        expected = '", "'.join(framings)
        raise ValueError(f'framing "{framing}" is not one {family} sends; expected "auto", "{expected}"')
    if family == "openai-chat":
        return ChatEncoder()
    if family == "anthropic":
        return AnthropicEncoder()
    if family == "openai-responses":
        return ResponsesEncoder()
    if family == "bedrock":
        return BedrockEncoder()
    return GeminiEncoder(json_array=framing == "json-array")


class Encoder:
    """Events in, the wire bytes of ``family`` out: what its official client accepts."""

    def __init__(self, family: str, *, framing: str = "auto") -> None:
        self._inner = _target(family, framing)
        # Bedrock writes binary frames; the others text.
        self.binary = isinstance(self._inner, BedrockEncoder)
        self._held = HeldCalls()
        # A finish or an error the target's decoder reads nothing after was written, or the
        # stream was reported cut: what follows is not encoded.
        self._ended = False
        self._closed = False

    def event(self, event: Any, out: list[Any]) -> None:
        """Appends the wire text (bytes for Bedrock) of one event to ``out``."""
        if self._ended or self._closed:
            return
        kind = event.type
        if kind in _NOT_ENCODED:
            return
        if kind == "error" and event.kind == "incomplete_stream":
            self._ended = True
            return
        inner = self._inner
        held = self._held.take(event)
        if isinstance(held, Call):
            if inner.PROVIDER_CALLS or not held.provider_executed:
                inner.tool_call(held, out)
            return
        if held:  # a call's start or fragment
            return
        if kind == "finish":
            self._ended = True
            # A finish made without usage (`Finish("stop")`) encodes as one that counted nothing.
            usage = Usage() if event.usage is None else event.usage
            inner.finish(event.reason, event.raw_reason, usage, out)
            return
        if kind == "error":
            self._ended = inner.ENDS_ON_ERROR
        inner.event(event, out)

    def feed(self, events: Iterable[Any]) -> bytes:
        """The wire bytes of these events."""
        if self._closed:
            raise ValueError("the encoder is closed")
        out: list[Any] = []
        for event in events:
            kind = getattr(event, "type", None)
            if not isinstance(kind, str) or isinstance(event, type):
                raise TypeError(f"expected an event, got {type(event).__name__}")
            if kind not in _EVENT_TYPES:
                raise ValueError(f'unknown event type "{kind}"')
            if kind == "finish" and event.reason not in _REASONS:
                raise ValueError(f'unknown finish reason "{event.reason}"')
            self.event(event, out)
        return self.joined(out)

    def joined(self, out: list[Any]) -> bytes:
        """The bytes of what ``event()`` appended."""
        return b"".join(out) if self.binary else "".join(out).encode()

    def close(self) -> bytes:
        """Ends the body (Gemini's JSON array needs its ``]``); idempotent."""
        if self._closed:
            return b""
        self._closed = True
        out: list[Any] = []
        if isinstance(self._inner, GeminiEncoder):
            self._inner.close(out)
        return self.joined(out)
