"""``openai-chat``: the twin of ``rust/core/src/encode/openai_chat.rs``."""

from __future__ import annotations

from typing import Any

from .. import b64
from ..families.openai_chat import AUDIO_MEDIA_TYPE
from .jsontext import is_array, sse, string
from .shared import Call, Reasons

_KNOWN = ("stop", "length", "tool_calls", "content_filter", "function_call", "error")


def _read(raw: str) -> str:
    if raw in ("stop", "length", "content_filter", "error"):
        return raw
    if raw in ("tool_calls", "function_call"):
        return "tool_calls"
    return "other"


_REASONS = Reasons(_KNOWN, _read, {})


class ChatEncoder:
    PROVIDER_CALLS = False
    ENDS_ON_ERROR = False

    def __init__(self) -> None:
        self._id = ""
        self._model = ""
        self._created = 0
        self._started = False
        self._tools = 0
        self._details = 0

    def _head(self) -> str:
        head = f'{{"id":{string(self._id)},"object":"chat.completion.chunk","created":{self._created}'
        return f'{head},"model":{string(self._model)}'

    def _chunk(self, out: list[str], delta: str, logprobs: str = "") -> None:
        self._start(out)
        choice = f'{{"index":0,"delta":{{{delta}}}{logprobs},"finish_reason":null}}'
        out.append(sse(None, f'{self._head()},"choices":[{choice}]}}'))

    def _start(self, out: list[str]) -> None:
        if self._started:
            return
        self._started = True
        out.append(
            sse(
                None,
                self._head()
                + ',"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
            )
        )

    def event(self, event: Any, out: list[str]) -> None:
        kind = event.type
        if kind == "stream_start":
            self._id = event.id if event.id is not None else ""
            self._model = event.model if event.model is not None else ""
            self._created = event.created if event.created is not None else 0
            self._start(out)
        elif kind == "text_delta":
            self._chunk(out, f'"content":{string(event.text)}', _logprobs(event.logprobs, refusal=False))
        elif kind == "reasoning_delta":
            self._chunk(out, f'"reasoning_content":{string(event.text)}')
        elif kind == "refusal_delta":
            self._chunk(out, f'"refusal":{string(event.text)}', _logprobs(event.logprobs, refusal=True))
        elif kind == "reasoning_end" and event.signature:
            index = self._details
            self._details += 1
            if event.redacted:
                detail = f'{{"index":{index},"type":"reasoning.encrypted","data":{string(event.signature)}}}'
            else:
                detail = f'{{"index":{index},"type":"reasoning.text","text":"","signature":{string(event.signature)}}}'
            self._chunk(out, f'"reasoning_details":[{detail}]')
        elif kind == "file" and not event.partial:
            # The audio chat streams (pcm16) and OpenRouter's images; another type has no place.
            if event.media_type == AUDIO_MEDIA_TYPE:
                self._chunk(out, f'"audio":{{"id":{string(event.id)},"data":"{b64.encode(event.data)}"}}')
            elif event.media_type.startswith("image/"):
                url = string(f"data:{event.media_type};base64,{b64.encode(event.data)}")
                self._chunk(out, f'"images":[{{"type":"image_url","image_url":{{"url":{url}}}}}]')
        elif kind == "error":
            self._start(out)
            error = f'"error":{{"message":{string(event.message)},"type":{string(event.kind)}}}'
            out.append(sse(None, f"{self._head()},{error}}}"))

    def tool_call(self, call: Call, out: list[str]) -> None:
        index = self._tools
        self._tools += 1
        # A call with no arguments: its first chunk says `""`, as OpenAI sends it.
        for n, fragment in enumerate(call.fragments_for([""])):
            if n == 0:
                head = f'"id":{string(call.id)},"type":"function","function":{{"name":{string(call.name)},'
            else:
                head = '"function":{'
            self._chunk(out, f'"tool_calls":[{{"index":{index},{head}"arguments":{string(fragment)}}}}}]')

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[str]) -> None:
        self._start(out)
        head = self._head()
        word = string(_REASONS.word(reason, raw_reason))
        out.append(sse(None, f'{head},"choices":[{{"index":0,"delta":{{}},"finish_reason":{word}}}]}}'))
        cache_write = f',"cache_write_tokens":{usage.cache_write_tokens}' if usage.cache_write_tokens > 0 else ""
        out.append(
            sse(
                None,
                f'{head},"choices":[],"usage":{{"prompt_tokens":{usage.input_tokens},'
                f'"completion_tokens":{usage.output_tokens},"total_tokens":{usage.total_tokens},'
                f'"prompt_tokens_details":{{"cached_tokens":{usage.cache_read_tokens}{cache_write}}},'
                f'"completion_tokens_details":{{"reasoning_tokens":{usage.reasoning_tokens}}}}}}}',
            )
        )
        out.append(sse(None, "[DONE]"))


def _logprobs(array: str | None, *, refusal: bool) -> str:
    """A choice's ``logprobs`` member for a delta's entries (none when they are not a JSON array)."""
    if array is None or not is_array(array):
        return ""
    if refusal:
        return f',"logprobs":{{"content":null,"refusal":{array}}}'
    return f',"logprobs":{{"content":{array},"refusal":null}}'
