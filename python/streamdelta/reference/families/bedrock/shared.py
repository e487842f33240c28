"""What the Bedrock decoders share: twin of the helpers in ``rust/core/src/families/bedrock/mod.rs``
and of ``Counts`` in ``rust/core/src/families/anthropic/usage.rs``."""

from __future__ import annotations

from typing import Any

from ...error import unexpected_payload
from ...events import ErrorEvent, Finish, Usage
from .. import PayloadError
from ..fields import U64, check, opt_u64, parse_object, saturating_add, struct
from ..parts import Parts

_STOP = frozenset(
    ("end_turn", "stop_sequence", "stop", "FINISH", "FINISHED", "STOP_CRITERIA_MET", "COMPLETE", "STOP_SEQUENCE")
)
_LENGTH = frozenset(("max_tokens", "length", "LENGTH", "MAX_TOKENS"))
_TOOL_CALLS = frozenset(("tool_use", "tool_calls"))
_CONTENT_FILTER = frozenset(("guardrail_intervened", "content_filtered", "CONTENT_FILTERED", "ERROR_TOXIC"))

# Bedrock's invocation metrics (the core's `MetricsWire`): input, output, cache read, cache write.
METRICS = ("inputTokenCount", "outputTokenCount", "cacheReadInputTokenCount", "cacheWriteInputTokenCount")
_METRICS = struct(**{name: U64 for name in METRICS})


def unexpected(detail: str) -> PayloadError:
    return PayloadError(unexpected_payload(detail))


def finish_reason(reason: str | None) -> str:
    """One stop reason vocabulary for Converse and every Invoke vendor (their words do not clash)."""
    if reason in _STOP:
        return "stop"
    if reason in _LENGTH:
        return "length"
    if reason in _TOOL_CALLS:
        return "tool_calls"
    if reason in _CONTENT_FILTER:
        return "content_filter"
    return "other"


class Counts:
    """Token counts as last reported, field by field; input without the cache, which ``usage`` adds."""

    __slots__ = ("cache_read", "cache_write", "input", "output")

    def __init__(self) -> None:
        self.input: int | None = None
        self.output: int | None = None
        self.cache_read: int | None = None
        self.cache_write: int | None = None

    def usage(self) -> Usage:
        cache_read = self.cache_read or 0
        cache_write = self.cache_write or 0
        inp = saturating_add(saturating_add(self.input or 0, cache_read), cache_write)
        out = self.output or 0
        return Usage(inp, out, saturating_add(inp, out), 0, cache_read, cache_write, None)

    def report(self, inp: int | None, out: int | None, cache_read: int | None, cache_write: int | None) -> None:
        """Each count sent replaces the last one."""
        self.input = self.input if inp is None else inp
        self.output = self.output if out is None else out
        self.cache_read = self.cache_read if cache_read is None else cache_read
        self.cache_write = self.cache_write if cache_write is None else cache_write

    def fill_from_metrics(self, raw: str) -> None:
        """Bedrock's invocation metrics fill only what the stream never reported."""
        wire = check(parse_object(raw), _METRICS)
        inp, out, cache_read, cache_write = (opt_u64(wire, name) for name in METRICS)
        self.input = inp if self.input is None else self.input
        self.output = out if self.output is None else self.output
        self.cache_read = cache_read if self.cache_read is None else self.cache_read
        self.cache_write = cache_write if self.cache_write is None else self.cache_write


def provider_error(parts: Parts, counts: Counts, message: str, kind: str, raw: str | None, out: list[Any]) -> None:
    """An error the service sent: what is open is closed, the error reported, the stream finished."""
    parts.close_all(out)
    out.append(ErrorEvent(message, kind, raw))
    out.append(Finish("error", None, counts.usage(), None))


def raw_object(members: tuple[tuple[str, str | None], ...]) -> str | None:
    """The core's ``raw_object``: the members that were sent, each value raw as sent."""
    text = ",".join(f'"{name}":{value}' for name, value in members if value is not None)
    return "{" + text + "}" if text else None
