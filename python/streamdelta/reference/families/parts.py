"""Open parts of one stream and the shared ordering rules: twin of ``rust/core/src/families/parts.rs``."""

from __future__ import annotations

from typing import Any

from ..error import limit_exceeded, unexpected_payload
from ..events import (
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    RefusalDelta,
    RefusalEnd,
    RefusalStart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolCall,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from . import PayloadError

DEFAULT_MAX_OPEN_PARTS = 1024

TEXT = "text"
REASONING = "reasoning"
REFUSAL = "refusal"
TOOL_INPUT = "tool_input"


class _OpenPart:
    __slots__ = ("arguments", "call_type", "id", "kind", "name", "provider_executed", "redacted", "signature")

    def __init__(self, kind: str, id: str, name: str, provider_executed: bool) -> None:
        self.kind = kind
        self.id = id
        self.name = name
        self.arguments: list[str] = []
        self.provider_executed = provider_executed
        self.call_type: str | None = None
        self.signature: str | None = None
        self.redacted = False


class Parts:
    def __init__(self, max_open: int = DEFAULT_MAX_OPEN_PARTS) -> None:
        self._open: list[_OpenPart] = []
        self.max_open = max_open

    def _get(self, id: str) -> _OpenPart | None:
        for part in self._open:
            if part.id == id:
                return part
        return None

    def is_open(self, id: str) -> bool:
        return self._get(id) is not None

    def kind(self, id: str) -> str | None:
        part = self._get(id)
        return None if part is None else part.kind

    def start(self, kind: str, id: str, name: str, provider_executed: bool, out: list[Any], choice: int = 0) -> None:
        """Opens a part (of choice `choice`); opening any other than a reasoning part first closes every
        open reasoning part."""
        if self._get(id) is not None:
            raise PayloadError(unexpected_payload(f"part `{id}` started again while open"))
        if kind != REASONING:
            self.close_kind(REASONING, out)
        if len(self._open) >= self.max_open:
            raise PayloadError(limit_exceeded("open parts", self.max_open, "max_open_parts"))
        if kind == TEXT:
            out.append(TextStart(id, choice))
        elif kind == REASONING:
            out.append(ReasoningStart(id, choice))
        elif kind == REFUSAL:
            out.append(RefusalStart(id, choice))
        else:
            out.append(ToolInputStart(id, name, choice, provider_executed))
        self._open.append(_OpenPart(kind, id, name, provider_executed))

    def text(self, id: str, text: str, out: list[Any]) -> None:
        if self._get(id) is None:
            self.start(TEXT, id, "", False, out)
        out.append(TextDelta(id, text))

    def reasoning(self, id: str, text: str, out: list[Any]) -> None:
        if self._get(id) is None:
            self.start(REASONING, id, "", False, out)
        out.append(ReasoningDelta(id, text))

    def delta_in(self, choice: int, kind: str, id: str, text: str, out: list[Any], logprobs: str | None = None) -> None:
        """A text, reasoning or refusal delta for `id`, opening the part (of `choice`) first when it is not
        open; `logprobs` (text and refusal) is the JSON text of its tokens' log probabilities."""
        if self._get(id) is None:
            self.start(kind, id, "", False, out, choice)
        if kind == REASONING:
            out.append(ReasoningDelta(id, text))
        else:
            out.append((RefusalDelta if kind == REFUSAL else TextDelta)(id, text, logprobs))

    def tool_input(self, id: str, delta: str, out: list[Any]) -> bool:
        part = self._get(id)
        if part is None or part.kind != TOOL_INPUT:
            return False
        if delta:
            part.arguments.append(delta)
            out.append(ToolInputDelta(id, delta))
        return True

    def append_tool_name(self, id: str, fragment: str) -> None:
        part = self._get(id)
        if part is not None:
            part.name += fragment

    def sign(self, id: str, signature: str, append: bool) -> None:
        part = self._get(id)
        if part is not None:
            if append and part.signature is not None:
                part.signature += signature
            else:
                part.signature = signature

    def set_call_type(self, id: str, call_type: str) -> None:
        part = self._get(id)
        if part is not None:
            part.call_type = call_type

    def set_redacted(self, id: str) -> None:
        part = self._get(id)
        if part is not None:
            part.redacted = True

    def end(self, id: str, arguments: str | None, out: list[Any]) -> bool:
        for pos, part in enumerate(self._open):
            if part.id == id:
                del self._open[pos]
                _emit_end(part, arguments, out)
                return True
        return False

    def close_kind(self, kind: str, out: list[Any]) -> None:
        if not any(p.kind == kind for p in self._open):
            return
        closing = [p for p in self._open if p.kind == kind]
        self._open = [p for p in self._open if p.kind != kind]
        for part in closing:
            _emit_end(part, None, out)

    def close_all(self, out: list[Any]) -> None:
        parts, self._open = self._open, []
        for part in parts:
            _emit_end(part, None, out)


def _emit_end(part: _OpenPart, arguments: str | None, out: list[Any]) -> None:
    if part.kind == TEXT:
        out.append(TextEnd(part.id))
    elif part.kind == REFUSAL:
        out.append(RefusalEnd(part.id))
    elif part.kind == REASONING:
        out.append(ReasoningEnd(part.id, part.signature, part.redacted))
    else:
        args = "".join(part.arguments) if arguments is None else arguments
        out.append(ToolInputEnd(part.id))
        out.append(ToolCall(part.id, part.name, args or "{}", part.provider_executed, part.call_type))
