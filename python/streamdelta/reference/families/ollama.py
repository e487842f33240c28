"""The `ollama` wire family (``/api/chat``, ``/api/generate``): twin of ``rust/core/src/families/ollama/``.

Text (``message.content`` / ``response``) and thinking (``message.thinking`` / ``thinking``) form
parts numbered ``"0"``, ``"1"``, …; tool calls come whole, id as sent or ``call_{n}``, arguments the
raw JSON text of ``arguments``; ``done: true`` is the terminal line; an ``error`` line ends the stream.
See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from ..events import ErrorEvent, Finish, StreamStart, Usage
from . import incomplete
from .fields import opt_bool, opt_list, opt_obj, opt_str, opt_u64, parse_object, raw_json, saturating_add
from .parts import REASONING, TEXT, TOOL_INPUT, Parts
from .time import rfc3339_seconds

PROVIDER_ERROR = "provider_error"


class _Call:
    __slots__ = ("arguments", "id", "name")

    def __init__(self, d: dict[str, Any], data: str, n: int) -> None:
        self.id = opt_str(d, "id")
        function = opt_obj(d, "function")
        self.name = None if function is None else opt_str(function, "name")
        has_args = function is not None and function.get("arguments") is not None
        self.arguments = raw_json(data, ("message", "tool_calls", n, "function", "arguments")) if has_args else None


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.started = False
        self.ended = False
        self.block: tuple[str, str] | None = None
        self.next_part = 0
        self.calls = 0

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        # Every field is read (and its type checked) before any event, as serde reads the line whole.
        d = parse_object(data)
        model = opt_str(d, "model")
        created_at = opt_str(d, "created_at")
        message = opt_obj(d, "message")
        content = thinking_m = None
        calls: list[_Call] = []
        if message is not None:
            content = opt_str(message, "content")
            thinking_m = opt_str(message, "thinking")
            calls = [_Call(c, data, n) for n, c in enumerate(opt_list(message, "tool_calls") or ())]
        response = opt_str(d, "response")
        thinking = opt_str(d, "thinking")
        done = opt_bool(d, "done")
        done_reason = opt_str(d, "done_reason")
        prompt = opt_u64(d, "prompt_eval_count")
        evals = opt_u64(d, "eval_count")
        error = opt_str(d, "error")
        if self.ended:
            return
        if error is not None:
            self.parts.close_all(out)
            self.block = None
            self.ended = True
            out.append(ErrorEvent(error, PROVIDER_ERROR, data))
            out.append(Finish("error", None, Usage(), None))
            return
        if not self.started:
            self.started = True
            out.append(StreamStart(None, model, None if created_at is None else rfc3339_seconds(created_at)))
        self._piece(REASONING, thinking_m if thinking_m is not None else thinking, out)
        self._piece(TEXT, content if content is not None else response, out)
        for call in calls:
            self._call(call, out)
        if done is True:
            self.ended = True
            self.parts.close_all(out)
            self.block = None
            if done_reason is None or done_reason == "stop":
                reason = "tool_calls" if self.calls > 0 else "stop"
            else:
                reason = "length" if done_reason == "length" else "other"
            prompt = prompt or 0
            evals = evals or 0
            out.append(
                Finish(reason, done_reason, Usage(prompt, evals, saturating_add(prompt, evals), 0, 0, 0, None), None)
            )

    def end(self, out: list[Any]) -> None:
        if not self.ended:
            self.ended = True
            self.block = None
            incomplete(self.parts, Usage(), out)

    def _piece(self, kind: str, text: str | None, out: list[Any]) -> None:
        if not text:
            return
        block = self.block
        self.block = None
        if block is not None and block[0] == kind:
            part_id = block[1]
        else:
            if block is not None:
                self.parts.end(block[1], None, out)
            part_id = str(self.next_part)
            self.next_part += 1
            self.parts.start(kind, part_id, "", False, out)
        if kind == REASONING:
            self.parts.reasoning(part_id, text, out)
        else:
            self.parts.text(part_id, text, out)
        self.block = (kind, part_id)

    def _call(self, call: _Call, out: list[Any]) -> None:
        if self.block is not None:
            self.parts.end(self.block[1], None, out)
            self.block = None
        call_id = call.id if call.id is not None else f"call_{self.calls}"
        self.calls += 1
        self.parts.start(TOOL_INPUT, call_id, call.name or "", False, out)
        if call.arguments is not None:
            self.parts.tool_input(call_id, call.arguments, out)
        self.parts.end(call_id, None, out)
