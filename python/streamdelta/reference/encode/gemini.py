"""``gemini``: the twin of ``rust/core/src/encode/gemini.rs``."""

from __future__ import annotations

import re
from typing import Any

from .. import b64
from .jsontext import is_object, string, value
from .shared import Call, Reasons

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _gemini_code(text: str, keys: tuple[str, ...], required: str) -> bool:
    """Whether ``text`` is an object of Gemini's shape for a code execution part (the Rust
    ``gemini_code``): every key one of ``keys``, ``required`` among them."""
    fields = value(text)
    return isinstance(fields, dict) and required in fields and all(k in keys for k in fields)


def _is_code_result(name: str, result: str) -> bool:
    return name == "code_execution" and _gemini_code(result, ("outcome", "output", "id"), "outcome")


def _is_base64(text: str) -> bool:
    """Whether ``text`` is standard base64 with its padding (the Rust ``is_base64``): Gemini's
    ``thoughtSignature`` is bytes, and its client refuses anything else."""
    return len(text) % 4 == 0 and _BASE64.fullmatch(text) is not None


_KNOWN = (
    "MAX_TOKENS",
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "MALFORMED_FUNCTION_CALL",
)
_WORDS = {
    "other": "OTHER",
    "stop": "STOP",
    "tool_calls": "STOP",
    "error": "STOP",
    "length": "MAX_TOKENS",
    "content_filter": "SAFETY",
}


def _read(raw: str) -> str:
    if raw == "STOP":
        return "stop"
    if raw == "MAX_TOKENS":
        return "length"
    if raw in ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"):
        return "content_filter"
    if raw == "MALFORMED_FUNCTION_CALL":
        return "error"
    return "other"


_REASONS = Reasons(_KNOWN, _read, _WORDS)


class GeminiEncoder:
    PROVIDER_CALLS = True
    ENDS_ON_ERROR = True

    def __init__(self, *, json_array: bool) -> None:
        self._json_array = json_array
        self._id: str | None = None
        self._model: str | None = None
        self._chunks = 0
        self._reasoning: tuple[str, bool] | None = None
        self._signature: str | None = None

    def _emit(self, out: list[str], chunk: str) -> None:
        if self._json_array:
            out.append(("[" if self._chunks == 0 else ",\r\n") + chunk)
        else:
            out.append(f"data: {chunk}\r\n\r\n")
        self._chunks += 1

    def _tail(self, usage: Any = None) -> str:
        tail = ""
        if usage is not None:
            tail += (
                f',"usageMetadata":{{"promptTokenCount":{usage.input_tokens},'
                f'"candidatesTokenCount":{max(usage.output_tokens - usage.reasoning_tokens, 0)},'
                f'"totalTokenCount":{usage.total_tokens}'
            )
            if usage.cache_read_tokens > 0:
                tail += f',"cachedContentTokenCount":{usage.cache_read_tokens}'
            if usage.reasoning_tokens > 0:
                tail += f',"thoughtsTokenCount":{usage.reasoning_tokens}'
            tail += "}"
        if self._model is not None:
            tail += f',"modelVersion":{string(self._model)}'
        if self._id is not None:
            tail += f',"responseId":{string(self._id)}'
        return tail + "}"

    def _part(self, out: list[str], part: str) -> None:
        if self._signature is not None:
            part += f',"thoughtSignature":{string(self._signature)}'
            self._signature = None
        self._emit(
            out, f'{{"candidates":[{{"content":{{"parts":[{{{part}}}],"role":"model"}},"index":0}}]{self._tail()}'
        )

    def _text(self, out: list[str], text: str, thought: bool) -> None:
        self._part(out, f'"text":{string(text)}' + (',"thought":true' if thought else ""))

    def _flush_signature(self, out: list[str]) -> None:
        if self._signature is not None:
            self._text(out, "", False)

    def event(self, event: Any, out: list[str]) -> None:
        kind = event.type
        if kind == "stream_start":
            if self._chunks == 0:
                self._id = event.id
                self._model = event.model
        elif kind == "reasoning_start":
            self._flush_signature(out)
            self._reasoning = (event.id, False)
        elif kind == "reasoning_delta":
            self._flush_signature(out)
            if self._reasoning is not None and self._reasoning[0] == event.id and event.text:
                self._reasoning = (event.id, True)
            self._text(out, event.text, True)
        elif kind == "reasoning_end":
            had_text = False
            if self._reasoning is not None and self._reasoning[0] == event.id:
                had_text = self._reasoning[1]
                self._reasoning = None
            if event.signature and _is_base64(event.signature):
                self._flush_signature(out)
                self._signature = event.signature
                if had_text:
                    self._text(out, "", True)
        elif kind == "text_delta":
            self._text(out, event.text, False)
        elif kind == "error":
            self._error(event.message, event.kind, out)
        elif kind == "tool_result" and event.provider_executed and _is_code_result(event.name, event.result):
            self._part(out, f'"codeExecutionResult":{event.result}')
        elif kind == "file" and not event.partial:
            data = b64.encode(event.data)
            self._part(out, f'"inlineData":{{"mimeType":{string(event.media_type)},"data":"{data}"}}')

    def tool_call(self, call: Call, out: list[str]) -> None:
        # Gemini sends a call whole: of the fragments it only matters whether there were any.
        arguments = call.arguments
        if call.provider_executed:
            if call.name == "code_execution" and _gemini_code(arguments, ("code", "language", "id"), "code"):
                self._part(out, f'"executableCode":{arguments}')
            return
        # A call sent with no arguments has no `args`, as Gemini sends it.
        if not call.fragments and arguments == "{}":
            args = ""
        else:
            args = f',"args":{arguments if is_object(arguments) else "{}"}'
        self._part(out, f'"functionCall":{{"id":{string(call.id)},"name":{string(call.name)}{args}}}')

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[str]) -> None:
        if reason == "error" and _REASONS.own_raw(reason, raw_reason) is None:
            self._error("the response failed", "INTERNAL", out)
            return
        self._flush_signature(out)
        word = string(_REASONS.word(reason, raw_reason))
        self._emit(out, f'{{"candidates":[{{"finishReason":{word},"index":0}}]{self._tail(usage)}')

    def _error(self, message: str, kind: str, out: list[str]) -> None:
        self._flush_signature(out)
        self._emit(out, f'{{"error":{{"code":500,"message":{string(message)},"status":{string(kind)}}}}}')

    def close(self, out: list[str]) -> None:
        if self._json_array:
            out.append("[]" if self._chunks == 0 else "]")
