"""``bedrock`` (``ConverseStream``): the twin of ``rust/core/src/encode/bedrock.rs``."""

from __future__ import annotations

from typing import Any

from ..eventstream import encode_frame
from ..families.bedrock.shared import finish_reason
from .jsontext import string
from .shared import Blocks, Call, Reasons

_KNOWN = ("end_turn", "stop_sequence", "max_tokens", "tool_use", "guardrail_intervened", "content_filtered")
_WORDS = {
    "other": "other",
    "stop": "end_turn",
    "error": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "content_filtered",
}


def _read(raw: str) -> str:
    return str(finish_reason(raw))


_REASONS = Reasons(_KNOWN, _read, _WORDS)


def _event(out: list[bytes], event_type: str, payload: str) -> None:
    headers = [(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")]
    out.append(encode_frame(headers, payload.encode()))


class BedrockEncoder:
    PROVIDER_CALLS = False
    ENDS_ON_ERROR = True

    def __init__(self) -> None:
        self._started = False
        # Open text and reasoning parts: id -> block index.
        self._blocks: Blocks[int] = Blocks()

    def _start(self, out: list[bytes]) -> None:
        if not self._started:
            self._started = True
            _event(out, "messageStart", '{"role":"assistant"}')

    def _block(self, out: list[bytes]) -> int:
        self._start(out)
        return self._blocks.next()

    def _delta(self, out: list[bytes], index: int, delta: str) -> None:
        _event(out, "contentBlockDelta", f'{{"contentBlockIndex":{index},"delta":{delta}}}')

    def _stop_block(self, out: list[bytes], index: int) -> None:
        _event(out, "contentBlockStop", f'{{"contentBlockIndex":{index}}}')

    def event(self, event: Any, out: list[bytes]) -> None:
        kind = event.type
        if kind == "stream_start":
            self._start(out)
        elif kind in ("text_start", "reasoning_start"):
            self._blocks.open_part(event.id, self._block(out))
        elif kind == "text_delta":
            if event.id in self._blocks.open and event.text:
                self._delta(out, self._blocks.open[event.id], f'{{"text":{string(event.text)}}}')
        elif kind == "reasoning_delta":
            if event.id in self._blocks.open and event.text:
                self._delta(out, self._blocks.open[event.id], f'{{"reasoningContent":{{"text":{string(event.text)}}}}}')
        elif kind == "text_end":
            if event.id in self._blocks.open:
                self._stop_block(out, self._blocks.open.pop(event.id))
        elif kind == "reasoning_end":
            if event.id in self._blocks.open:
                index = self._blocks.open.pop(event.id)
                if event.signature:
                    key = "redactedContent" if event.redacted else "signature"
                    self._delta(out, index, f'{{"reasoningContent":{{"{key}":{string(event.signature)}}}}}')
                self._stop_block(out, index)
        elif kind == "error":
            self._error(event.message, event.kind, out)

    def _error(self, message: str, kind: str, out: list[bytes]) -> None:
        self._start(out)
        headers = [(":exception-type", kind), (":content-type", "application/json"), (":message-type", "exception")]
        out.append(encode_frame(headers, f'{{"message":{string(message)}}}'.encode()))

    def tool_call(self, call: Call, out: list[bytes]) -> None:
        index = self._block(out)
        tool_use = f'{{"toolUseId":{string(call.id)},"name":{string(call.name)}}}'
        _event(out, "contentBlockStart", f'{{"contentBlockIndex":{index},"start":{{"toolUse":{tool_use}}}}}')
        for fragment in call.fragments_for([]):
            self._delta(out, index, f'{{"toolUse":{{"input":{string(fragment)}}}}}')
        self._stop_block(out, index)

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[bytes]) -> None:
        if reason == "error":
            self._error("the response failed", "internalServerException", out)
            return
        self._start(out)
        for index in self._blocks.take_open():
            self._stop_block(out, index)
        _event(out, "messageStop", f'{{"stopReason":{string(_REASONS.word(reason, raw_reason))}}}')
        uncached = max(usage.input_tokens - (usage.cache_read_tokens + usage.cache_write_tokens), 0)
        _event(
            out,
            "metadata",
            f'{{"usage":{{"inputTokens":{uncached},"outputTokens":{usage.output_tokens},'
            f'"totalTokens":{usage.total_tokens},"cacheReadInputTokens":{usage.cache_read_tokens},'
            f'"cacheWriteInputTokens":{usage.cache_write_tokens}}},"metrics":{{"latencyMs":0}}}}',
        )
