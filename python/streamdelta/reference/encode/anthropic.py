"""``anthropic``: the twin of ``rust/core/src/encode/anthropic.rs``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .jsontext import sse, string, value
from .shared import Blocks, Call, Reasons

_KNOWN = ("end_turn", "stop_sequence", "pause_turn", "max_tokens", "tool_use", "refusal")
_WORDS = {
    "other": "other",
    "stop": "end_turn",
    "error": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
}


def _read(raw: str) -> str:
    if raw in ("end_turn", "stop_sequence", "pause_turn"):
        return "stop"
    return {"max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter"}.get(raw, "other")


_REASONS = Reasons(_KNOWN, _read, _WORDS)
# The result block of an Anthropic server tool, by the tool's name (the Rust `result_block`).
_RESULT_BLOCKS = {
    "web_search": "web_search_tool_result",
    "web_fetch": "web_fetch_tool_result",
    "code_execution": "code_execution_tool_result",
    "bash_code_execution": "bash_code_execution_tool_result",
    "text_editor_code_execution": "text_editor_code_execution_tool_result",
    "tool_search_tool_regex": "tool_search_tool_result",
    "tool_search_tool_bm25": "tool_search_tool_result",
    "advisor": "advisor_tool_result",
}


def _is_content_of(block_type: str, result: str) -> bool:
    """Whether ``result`` is content of a ``block_type`` block as Anthropic sends it (the Rust
    ``is_content_of``): a list, or an object whose ``type`` is the tool's own."""
    content = value(result)
    if isinstance(content, list):
        return True
    kind = content.get("type") if isinstance(content, dict) else None
    return isinstance(kind, str) and kind.startswith(block_type.removesuffix("_tool_result"))


class AnthropicEncoder:
    PROVIDER_CALLS = True
    ENDS_ON_ERROR = True

    def __init__(self) -> None:
        self._started = False
        # Open text and reasoning parts: id -> block index (None: a reasoning block not opened yet).
        self._blocks: Blocks[int | None] = Blocks()

    def _start(self, id: str | None, model: str | None, out: list[str]) -> None:
        if self._started:
            return
        self._started = True
        head = "" if id is None else f'"id":{string(id)},'
        model_field = "" if model is None else f'"model":{string(model)},'
        out.append(
            sse(
                "message_start",
                f'{{"type":"message_start","message":{{{head}"type":"message","role":"assistant",{model_field}'
                '"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}',
            )
        )

    def _open_block(self, out: list[str], block: str) -> int:
        self._start(None, None, out)
        index = self._blocks.next()
        out.append(
            sse(
                "content_block_start",
                f'{{"type":"content_block_start","index":{index},"content_block":{block}}}',
            )
        )
        return index

    def _delta(self, out: list[str], index: int, delta: str) -> None:
        out.append(sse("content_block_delta", f'{{"type":"content_block_delta","index":{index},"delta":{delta}}}'))

    def _stop_block(self, out: list[str], index: int) -> None:
        out.append(sse("content_block_stop", f'{{"type":"content_block_stop","index":{index}}}'))

    def _thinking_block(self, out: list[str]) -> int:
        return self._open_block(out, '{"type":"thinking","thinking":"","signature":""}')

    def _block_of(self, id: str, out: list[str]) -> int | None:
        opened = self._blocks.open
        if id not in opened:
            return None
        index = opened[id]
        if index is None:
            index = opened[id] = self._thinking_block(out)
        return index

    def event(self, event: Any, out: list[str]) -> None:
        kind = event.type
        delta: Callable[[str], str] | None = None
        if kind == "stream_start":
            self._start(event.id, event.model, out)
        elif kind == "text_start":
            self._blocks.open_part(event.id, self._open_block(out, '{"type":"text","text":""}'))
        elif kind == "reasoning_start":
            self._start(None, None, out)
            self._blocks.open_part(event.id, None)
        elif kind == "text_delta":
            delta = lambda text: f'{{"type":"text_delta","text":{string(text)}}}'  # noqa: E731
        elif kind == "reasoning_delta":
            delta = lambda text: f'{{"type":"thinking_delta","thinking":{string(text)}}}'  # noqa: E731
        elif kind == "text_end":
            if event.id in self._blocks.open:
                index = self._blocks.open.pop(event.id)
                if index is not None:
                    self._stop_block(out, index)
        elif kind == "reasoning_end":
            if event.id in self._blocks.open:
                self._end_reasoning(self._blocks.open.pop(event.id), event.signature, event.redacted, out)
        elif kind == "error":
            self._error(event.message, event.kind, out)
        elif kind == "tool_result" and event.provider_executed:
            block_type = _RESULT_BLOCKS.get(event.name)
            if block_type is not None and _is_content_of(block_type, event.result):
                block = f'{{"type":"{block_type}","tool_use_id":{string(event.id)},"content":{event.result}}}'
                self._stop_block(out, self._open_block(out, block))
        if delta is not None:
            index = self._block_of(event.id, out)
            if index is not None:
                self._delta(out, index, delta(event.text))

    def _error(self, message: str, kind: str, out: list[str]) -> None:
        self._start(None, None, out)
        out.append(sse("error", f'{{"type":"error","error":{{"type":{string(kind)},"message":{string(message)}}}}}'))

    def _end_reasoning(self, index: int | None, signature: str | None, redacted: bool, out: list[str]) -> None:
        signature = signature or None
        if index is None and signature is not None and redacted:
            index = self._open_block(out, f'{{"type":"redacted_thinking","data":{string(signature)}}}')
            self._stop_block(out, index)
            return
        if index is None:
            index = self._thinking_block(out)
        if signature is not None:
            self._delta(out, index, f'{{"type":"signature_delta","signature":{string(signature)}}}')
        self._stop_block(out, index)

    def tool_call(self, call: Call, out: list[str]) -> None:
        block_type = "server_tool_use" if call.provider_executed else "tool_use"
        block = f'{{"type":"{block_type}","id":{string(call.id)},"name":{string(call.name)},"input":{{}}}}'
        index = self._open_block(out, block)
        # A call with no arguments: no `input_json_delta`, the block's `input` says `{}`.
        for fragment in call.fragments_for([]):
            self._delta(out, index, f'{{"type":"input_json_delta","partial_json":{string(fragment)}}}')
        self._stop_block(out, index)

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[str]) -> None:
        if reason == "error":
            # Anthropic ends a failed stream with an `error` event, never a stop reason.
            self._error("the response failed", "api_error", out)
            return
        self._start(None, None, out)
        for index in self._blocks.take_open():
            if index is not None:
                self._stop_block(out, index)
            else:
                self._end_reasoning(None, None, False, out)
        cached = usage.cache_read_tokens + usage.cache_write_tokens
        uncached = max(usage.input_tokens - cached, 0)
        out.append(
            sse(
                "message_delta",
                f'{{"type":"message_delta","delta":{{"stop_reason":{string(_REASONS.word(reason, raw_reason))},'
                f'"stop_sequence":null}},"usage":{{"input_tokens":{uncached},'
                f'"cache_creation_input_tokens":{usage.cache_write_tokens},'
                f'"cache_read_input_tokens":{usage.cache_read_tokens},"output_tokens":{usage.output_tokens}}}}}',
            )
        )
        out.append(sse("message_stop", '{"type":"message_stop"}'))
