"""The ``openai-chat`` wire family: twin of ``rust/core/src/families/openai_chat/``.

The module comment there lists the decisions the wire leaves open; this file takes the same ones.
Each field is checked like serde checks its Rust type: a value of another type is "JSON of the wrong
shape", unknown fields are ignored, ``null`` is absent.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .. import b64
from ..error import invalid_json, limit_exceeded, unexpected_payload
from ..events import ErrorEvent, File, Finish, StreamStart, Unknown, Usage
from . import (
    PayloadError,
    beyond_double,
    data_url,
    incomplete,
    not_a_u64,
    sources_once,
    unix_seconds,
)
from .fields import (
    RAW,
    STR,
    U64,
    check,
    lenient_list,
    list_of,
    opt_obj,
    opt_str,
    opt_u64,
    parse_object,
    raw_json,
    saturating_add,
    str_or_list,
    struct,
)
from .parts import DEFAULT_MAX_OPEN_PARTS, REASONING, REFUSAL, TEXT, TOOL_INPUT, Parts

_U64_MAX = 2**64 - 1
_I64_MIN = -(2**63)
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

_REASONS = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
    "error": "error",
}

# The wire structs of the core (`Chunk` and what it holds), checked whole before anything is emitted.
_FUNCTION = struct(name=STR, arguments=STR)
_DETAIL = struct(type=STR, text=STR, summary=STR, data=STR, signature=STR)
_TOOL_CALL = struct(index=U64, id=STR, type=STR, function=_FUNCTION)
_THINKING_CHUNK = struct(type=STR, text=STR)
_CONTENT_CHUNK = struct(type=STR, text=STR, thinking=list_of(_THINKING_CHUNK))
# Citations, read only when sent (see the core's `cites`).
_SEARCH_RESULT = struct(url=STR, title=STR)
_ANNOTATION = struct(type=STR, url_citation=_SEARCH_RESULT)
_DELTA = struct(
    content=str_or_list(_CONTENT_CHUNK),
    refusal=STR,
    reasoning_content=STR,
    reasoning=STR,
    reasoning_details=list_of(_DETAIL),
    tool_calls=list_of(_TOOL_CALL),
    function_call=_FUNCTION,
    provider_metadata=RAW,
    annotations=RAW,
    images=RAW,
    audio=RAW,
)
# Generated media, read only when sent (see the core's `media`).
_IMAGES = list_of(struct(image_url=struct(url=STR)))
AUDIO_MEDIA_TYPE = "audio/pcm"
_CHOICE = struct(delta=_DELTA, index=U64, finish_reason=STR, logprobs=RAW)
_CHUNK = struct(
    id=STR,
    model=STR,
    created=RAW,
    choices=list_of(_CHOICE),
    usage=RAW,
    x_groq=struct(usage=RAW),
    error=RAW,
    citations=RAW,
    search_results=RAW,
)


def _cost(value: Any) -> float | None:
    """A number, or a decimal number in a string (``None`` for any other string or JSON type); a
    zero is ``0.0`` whatever its sign (``-0`` is the integer 0 here, ``-0.0`` in serde_json)."""
    if value is None:
        return None
    if type(value) is int or type(value) is float:
        if beyond_double(value):
            raise PayloadError(invalid_json("not valid JSON"))
        return float(value) or 0.0
    if type(value) is str:
        return (float(value) or 0.0) if _DECIMAL.fullmatch(value) else None
    # Another type is passed over; the core reads `cost` as a serde untagged enum, which buffers the
    # whole value first, reading every number in it.
    if _any_beyond_double(value):
        raise PayloadError(invalid_json("not valid JSON"))
    return None


def _usage_fields(usage: dict[str, Any]) -> tuple[int, int, int, int | None, int, int | None, int | None, Any]:
    prompt = opt_u64(usage, "prompt_tokens") or 0
    completion = opt_u64(usage, "completion_tokens") or 0
    total = opt_u64(usage, "total_tokens")
    ptd = opt_obj(usage, "prompt_tokens_details")
    cached = cache_write = None
    if ptd is not None:
        cached = opt_u64(ptd, "cached_tokens")
        cache_write = opt_u64(ptd, "cache_write_tokens")
    ctd = opt_obj(usage, "completion_tokens_details")
    reasoning = 0 if ctd is None else opt_u64(ctd, "reasoning_tokens") or 0
    creation = opt_u64(usage, "cache_creation_input_tokens")
    cost = _cost(usage.get("cost"))
    return prompt, completion, reasoning, total, cached or 0, cache_write, creation, cost


def _usage(usage: dict[str, Any]) -> Usage:
    prompt, completion, reasoning, total, cache_read, cache_write, creation, cost = _usage_fields(usage)
    if cache_write is None:
        cache_write = creation or 0
    # Some servers count reasoning outside `completion_tokens` (xAI, Gemini via Vercel).
    apart = reasoning > 0 and (reasoning > completion or total == saturating_add(prompt + completion, reasoning))
    output = saturating_add(completion, reasoning) if apart else completion
    cached = saturating_add(cache_read, cache_write)
    inp = saturating_add(prompt, cached) if cached > prompt else prompt
    return Usage(inp, output, saturating_add(inp, output), reasoning, cache_read, cache_write, cost)


def _any_beyond_double(value: Any) -> bool:
    if type(value) is dict:
        return any(_any_beyond_double(v) for v in value.values())
    if type(value) is list:
        return any(_any_beyond_double(v) for v in value)
    return beyond_double(value)


def _object(value: Any) -> dict[str, Any] | None:
    """A raw member the core reads later as an object (``Raw::object``): any other value is absent."""
    return value if type(value) is dict else None


def _error(value: Any) -> tuple[str, str]:
    # The core reads `error` as a serde untagged enum, which buffers the whole value first, reading
    # every number in it: one beyond a double's range anywhere inside is not valid JSON to it.
    if _any_beyond_double(value):
        raise PayloadError(invalid_json("not valid JSON"))
    if type(value) is str:
        return value, "provider_error"
    # An object (the caller passes any other value over).
    message = opt_str(value, "message")
    kind = opt_str(value, "type")
    code = value.get("code")
    if not kind:  # empty strings say nothing, as in the Rust twin
        kind = None
        if type(code) is str:
            kind = code
        elif type(code) is int and _I64_MIN <= code <= _U64_MAX:
            kind = str(code)
    return (message if message is not None else "the provider reported an error"), kind or "provider_error"


def _citations(value: Any) -> list[str]:
    """Perplexity's ``citations``: its strings; an item of another type, or a value that is not a
    list, is passed over (the core's ``lenient_str_list``), but serde reads a number there."""
    if type(value) is not list:
        if beyond_double(value):
            raise not_a_u64(value)
        return []
    urls = []
    for item in value:
        if type(item) is str:
            urls.append(item)
        elif beyond_double(item):
            raise not_a_u64(item)
    return urls


# The JSON text of a choice's `content` and `refusal` logprobs (see `_logprobs`).
_Logprobs = tuple[str | None, str | None]
_NO_LOGPROBS: _Logprobs = (None, None)


def _logprobs(data: str, n: int, value: Any) -> _Logprobs:
    """The ``content`` and ``refusal`` lists of choice ``n``'s ``logprobs`` object as sent, each when it is
    a non-empty list (see the core's ``logprobs``)."""
    if type(value) is not dict:
        return _NO_LOGPROBS
    content, refusal = value.get("content"), value.get("refusal")
    return (
        raw_json(data, ("choices", n, "logprobs", "content")) if type(content) is list and content else None,
        raw_json(data, ("choices", n, "logprobs", "refusal")) if type(refusal) is list and refusal else None,
    )


class _Tool:
    __slots__ = ("done", "id", "index")

    def __init__(self, index: int, id: str) -> None:
        self.index = index
        self.id = id
        self.done = False


class _Audio:
    __slots__ = ("data", "id")

    def __init__(self) -> None:
        self.id: str | None = None
        self.data = bytearray()


class _Choice:
    __slots__ = ("audio", "finish", "foreign_tools", "index", "reasoning", "refusal", "text", "tools")

    def __init__(self, index: int) -> None:
        self.index = index
        self.text: str | None = None
        self.refusal: str | None = None
        self.reasoning: str | None = None
        self.tools: list[_Tool] = []
        # The indices of tool calls of a type the decoder does not model: their deltas are passed over.
        self.foreign_tools: list[int] = []
        self.finish: tuple[str, str] | None = None
        # Audio output so far (see the core's `media`), until the choice finishes.
        self.audio: _Audio | None = None


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.usage = Usage()
        self.raw_usage: str | None = None
        self.raw_provider_metadata: str | None = None
        self.gateway_cost: float | None = None
        self.choices: list[_Choice] = []
        self.errored = False
        self.started = False
        self.done = False
        self.finished = False
        self.next_id = 0
        # URLs already reported as sources.
        self.source_urls: list[str] = []

    def _fresh_id(self, prefix: str) -> str:
        while True:
            id = f"{prefix}{self.next_id}"
            self.next_id += 1
            if not self.parts.is_open(id):
                return id

    def _choice(self, index: int) -> _Choice:
        for choice in self.choices:
            if choice.index == index:
                return choice
        # The index is the `choice` of the parts, and the message keeps one per index up to it.
        if len(self.choices) >= DEFAULT_MAX_OPEN_PARTS or index >= DEFAULT_MAX_OPEN_PARTS:
            raise PayloadError(limit_exceeded("choices", DEFAULT_MAX_OPEN_PARTS, "max_open_parts"))
        choice = _Choice(index)
        self.choices.append(choice)
        return choice

    def _open_reasoning(self, choice: _Choice) -> str | None:
        id = choice.reasoning
        return id if id is not None and self.parts.kind(id) == REASONING else None

    def _reasoning_text(self, choice: _Choice, text: str, out: list[Any]) -> None:
        id = self._open_reasoning(choice)
        if id is None:
            id = choice.reasoning = self._fresh_id("")
        self.parts.delta_in(choice.index, REASONING, id, text, out)

    def _end_reasoning(self, choice: _Choice, out: list[Any]) -> None:
        id = self._open_reasoning(choice)
        if id is not None:
            self.parts.end(id, None, out)
        choice.reasoning = None

    def _sign(self, choice: _Choice, signature: str, redacted: bool, out: list[Any]) -> None:
        """Signs the open reasoning part of the choice and closes it; with none open, a new, empty part
        carries the signature (``redacted`` when it stands for encrypted reasoning)."""
        id = self._open_reasoning(choice)
        if id is None:
            id = self._fresh_id("")
            self.parts.start(REASONING, id, "", False, out, choice.index)
            if redacted:
                self.parts.set_redacted(id)
        self.parts.sign(id, signature, False)
        self.parts.end(id, None, out)
        choice.reasoning = None

    def _text(self, choice: _Choice, text: str, out: list[Any], logprobs: str | None = None) -> None:
        id = choice.text
        if id is None or self.parts.kind(id) != TEXT:
            id = choice.text = self._fresh_id("")
        self.parts.delta_in(choice.index, TEXT, id, text, out, logprobs)

    def _refusal(self, choice: _Choice, text: str, out: list[Any], logprobs: str | None) -> None:
        id = choice.refusal
        if id is None or self.parts.kind(id) != REFUSAL:
            id = choice.refusal = self._fresh_id("")
        self.parts.delta_in(choice.index, REFUSAL, id, text, out, logprobs)

    def _complete_tools(self, choice: _Choice, out: list[Any]) -> None:
        for slot in choice.tools:
            if not slot.done:
                slot.done = True
                self.parts.end(slot.id, None, out)

    def _tool_delta(
        self, choice: _Choice, index: int, id: str | None, function: dict[str, Any] | None, out: list[Any]
    ) -> None:
        name = arguments = None
        if function is not None:
            name = function.get("name") or None
            arguments = function.get("arguments") or None
        slot = next((s for s in choice.tools if s.index == index), None)
        if slot is not None and slot.done:
            if name is not None or arguments is not None:
                raise PayloadError(unexpected_payload(f"tool call {index} continued after it was complete"))
            return
        if slot is not None:
            call_id = slot.id
            if name is not None:
                self.parts.append_tool_name(call_id, name)
        else:
            # A new index: the calls before it are complete.
            self._complete_tools(choice, out)
            if id:
                if self.parts.is_open(id):
                    raise PayloadError(unexpected_payload(f"tool call id `{id}` is already in use"))
                call_id = id
            else:
                call_id = self._fresh_id("call_")
            self.parts.start(TOOL_INPUT, call_id, name or "", False, out, choice.index)
            choice.tools.append(_Tool(index, call_id))
        if arguments is not None:
            self.parts.tool_input(call_id, arguments, out)

    def _delta(self, choice: _Choice, delta: dict[str, Any], logprobs: _Logprobs, out: list[Any]) -> None:
        # `payload` has checked the delta against `_DELTA`.
        content = delta.get("content")
        plain = delta.get("reasoning_content") or delta.get("reasoning")
        if plain:
            self._reasoning_text(choice, plain, out)
        for detail in delta.get("reasoning_details") or ():
            kind = detail.get("type")
            if kind == "reasoning.text":
                text = detail.get("text")
                if not plain and text:
                    self._reasoning_text(choice, text, out)
                signature = detail.get("signature")
                if signature:
                    self._sign(choice, signature, False, out)
            elif kind == "reasoning.summary":
                summary = detail.get("summary")
                if not plain and summary:
                    self._reasoning_text(choice, summary, out)
            elif kind == "reasoning.encrypted":
                # The encrypted reasoning of the summary streamed before it (OpenRouter, Vercel): the
                # signature of that part.
                data = detail.get("data")
                if data:
                    self._sign(choice, data, True, out)
        if type(content) is str:
            if content:
                self._text(choice, content, out, logprobs[0])
        elif type(content) is list:
            self._content_chunks(choice, content, logprobs[0], out)
        refusal = delta.get("refusal")
        if refusal:
            self._refusal(choice, refusal, out, logprobs[1])
        # A call without `index` takes its place among the calls the decoder models.
        modeled = 0
        for call in delta.get("tool_calls") or ():
            index = call.get("index")
            if call.get("type") not in (None, "", "function"):
                if index is not None and index not in choice.foreign_tools:
                    choice.foreign_tools.append(index)
                continue
            if index is None:
                index = modeled
            modeled += 1
            if index in choice.foreign_tools:
                continue
            self._tool_delta(choice, index, call.get("id"), call.get("function"), out)
        function_call = delta.get("function_call")
        if function_call is not None:
            self._tool_delta(choice, 0, None, function_call, out)

    def _annotation_sources(self, annotations: Iterable[dict[str, Any]], out: list[Any]) -> None:
        """The sources of ``url_citation`` annotations; other types are passed over."""
        for annotation in annotations:
            citation = annotation.get("url_citation")
            if citation is not None and annotation.get("type") == "url_citation":
                sources_once(self.source_urls, [(citation.get("url") or None, citation.get("title"))], out)

    def _content_chunks(
        self, choice: _Choice, chunks: list[dict[str, Any]], logprobs: str | None, out: list[Any]
    ) -> None:
        """Mistral's typed content chunks: ``text``, and ``thinking`` holding text chunks; others passed
        over. The chunk's text logprobs go with its first text delta."""
        for chunk in chunks:
            kind = chunk.get("type")
            if kind == "text":
                text = chunk.get("text")
                if text:
                    self._text(choice, text, out, logprobs)
                    logprobs = None
            elif kind == "thinking":
                for thought in chunk.get("thinking") or ():
                    text = thought.get("text")
                    if thought.get("type") == "text" and text:
                        self._reasoning_text(choice, text, out)

    def _finish_choice(self, choice: _Choice, raw: str, out: list[Any]) -> None:
        self._end_reasoning(choice, out)
        if choice.text is not None:
            self.parts.end(choice.text, None, out)
            choice.text = None
        if choice.refusal is not None:
            self.parts.end(choice.refusal, None, out)
            choice.refusal = None
        self._complete_tools(choice, out)
        self._flush_audio(choice, out)
        choice.finish = (_REASONS.get(raw, "other"), raw)

    def _flush_audio(self, choice: _Choice, out: list[Any]) -> None:
        """The ``file`` of the choice's audio so far, if any came."""
        audio, choice.audio = choice.audio, None
        if audio is None or not audio.data:
            return
        id = audio.id if audio.id is not None else self._fresh_id("file_")
        out.append(File(id, AUDIO_MEDIA_TYPE, bytes(audio.data), False))

    def _flush_all_audio(self, out: list[Any]) -> None:
        for choice in self.choices:
            self._flush_audio(choice, out)

    def _audio(self, choice: _Choice, data: str, n: int, value: Any, out: list[Any]) -> None:
        """A delta's audio (the core's ``audio``): not an object, or a member serde cannot read,
        is passed over."""
        if type(value) is not dict:
            return
        members = [value.get(key) for key in ("id", "data", "transcript")]
        if any(beyond_double(m) for m in members):
            return
        id, payload, transcript = (m if type(m) is str else None for m in members)
        if transcript:
            self._text(choice, transcript, out)
        if choice.audio is None:
            choice.audio = _Audio()
        if id:
            choice.audio.id = id
        if payload:
            decoded = b64.decode(payload)
            if decoded is None:
                out.append(Unknown("audio", raw_json(data, ("choices", n, "delta", "audio"))))
            else:
                choice.audio.data += decoded

    def _images(self, choice: _Choice, data: str, n: int, items: list[dict[str, Any]], out: list[Any]) -> None:
        """A delta's images (the core's ``images``), after the choice's open text and reasoning end."""
        files: list[tuple[str, bytes]] = []
        every = True
        for item in items:
            image_url = item.get("image_url")
            url = None if image_url is None else image_url.get("url")
            found = data_url(url) if type(url) is str else None
            decoded = None if found is None else b64.decode(found[1])
            if found is None or decoded is None:
                every = False
            else:
                files.append((found[0] or "application/octet-stream", decoded))
        if files:
            self._end_reasoning(choice, out)
            if choice.text is not None:
                self.parts.end(choice.text, None, out)
                choice.text = None
        for media_type, payload in files:
            out.append(File(self._fresh_id("file_"), media_type, payload, False))
        if not every:
            out.append(Unknown("images", raw_json(data, ("choices", n, "delta", "images"))))

    def _reason(self) -> tuple[str, str | None] | None:
        best: _Choice | None = None
        for choice in self.choices:
            if choice.finish is not None and (best is None or choice.index < best.index):
                best = choice
        by_choice = None if best is None or best.finish is None else best.finish
        if self.errored:
            return "error", None if by_choice is None else by_choice[1]
        return by_choice

    def _finish(self, reason: str, raw_reason: str | None, out: list[Any]) -> None:
        self.parts.close_all(out)
        self._flush_all_audio(out)
        members = [
            f'"{key}":{raw}'
            for key, raw in (("usage", self.raw_usage), ("provider_metadata", self.raw_provider_metadata))
            if raw is not None
        ]
        usage = self.usage
        if usage.cost is None and self.gateway_cost is not None:
            u = usage
            usage = Usage(
                u.input_tokens,
                u.output_tokens,
                u.total_tokens,
                u.reasoning_tokens,
                u.cache_read_tokens,
                u.cache_write_tokens,
                self.gateway_cost,
            )
        out.append(Finish(reason, raw_reason, usage, "{" + ",".join(members) + "}" if members else None))
        self.finished = True

    def terminal(self, data: str, out: list[Any]) -> bool:
        """Whether the payload was handled as ``[DONE]`` or one after it (shared with ``openai-completions``)."""
        if self.done:
            return True
        if data.strip(" \t\n\r") == "[DONE]":
            self.done = True
            # `[DONE]` is the terminal event, with or without a finish reason (see the core).
            reason = self._reason()
            if reason is None:
                reason = ("tool_calls" if any(c.tools for c in self.choices) else "stop", None)
            self._finish(reason[0], reason[1], out)
            return True
        return False

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        if self.terminal(data, out):
            return
        self.apply(data, check(parse_object(data), _CHUNK), out)

    def apply(self, data: str, chunk: dict[str, Any], out: list[Any]) -> None:
        """A chunk of checked shape; ``data`` is its text, where ``usage`` and ``error`` are found raw."""
        choices: list[dict[str, Any]] = chunk.get("choices") or []
        usage_path: tuple[str, ...] = ("usage",)
        # Raw members read later as objects: a value of another JSON type reads as absent (the core's
        # `Raw::object`); an error is an object or a message alone.
        usage = _object(chunk.get("usage"))
        if usage is None:
            x_groq = chunk.get("x_groq")
            usage = None if x_groq is None else _object(x_groq.get("usage"))
            usage_path = ("x_groq", "usage")
        # Raw members are read as the core reads them: after the whole chunk, in this order.
        parsed_usage = None if usage is None else _usage(usage)
        error = chunk.get("error")
        parsed_error = _error(error) if type(error) is dict or type(error) is str else None
        metadata: tuple[int, float | None] | None = None
        for n, choice in enumerate(choices):
            delta = choice.get("delta")
            pm = None if delta is None else _object(delta.get("provider_metadata"))
            if pm is not None:
                gateway = opt_obj(pm, "gateway")
                metadata = (n, None if gateway is None else _cost(gateway.get("cost")))
        # Citations after every choice's metadata, annotations first (see the core's `Cites::read`).
        annotations: dict[int, list[dict[str, Any]]] = {}
        for n, choice in enumerate(choices):
            delta = choice.get("delta")
            cited = None if delta is None else delta.get("annotations")
            if cited is not None:
                annotations[n] = lenient_list(cited, _ANNOTATION) or []
        citations = chunk.get("citations")
        urls = None if citations is None else _citations(citations)
        results = chunk.get("search_results")
        results = None if results is None else lenient_list(results, _SEARCH_RESULT)
        # Media after the citations, as the core's `read_images`.
        any_media = False
        for choice in choices:
            delta = choice.get("delta")
            if delta is not None and (delta.get("images") is not None or delta.get("audio") is not None):
                any_media = True
                images = delta.get("images")
                if type(images) is list:
                    _IMAGES(images)
        id = chunk.get("id")
        model = chunk.get("model")
        if not self.started and (id or model):
            self.started = True
            out.append(StreamStart(id or None, model or None, unix_seconds(chunk.get("created"))))
        if parsed_usage is not None:
            self.usage = parsed_usage
            self.raw_usage = raw_json(data, usage_path)
        if metadata is not None:
            self.raw_provider_metadata = raw_json(data, ("choices", metadata[0], "delta", "provider_metadata"))
            self.gateway_cost = metadata[1]
        if urls is not None or results is not None:
            # The search results first, which have titles (see the core's `cites`).
            found = [(r.get("url") or None, r.get("title")) for r in results or ()]
            sources_once(self.source_urls, found + [(url or None, None) for url in urls or ()], out)
        for n, choice in enumerate(choices):
            index = choice.get("index")
            state = self._choice(0 if index is None else index)
            delta = choice.get("delta")
            if delta is not None:
                self._delta(state, delta, _logprobs(data, n, choice.get("logprobs")), out)
                self._annotation_sources(annotations.get(n, ()), out)
                if any_media:
                    audio = delta.get("audio")
                    if audio is not None:
                        self._audio(state, data, n, audio, out)
                    images = delta.get("images")
                    if type(images) is list:
                        self._images(state, data, n, _IMAGES(images) or [], out)
            finish_reason = choice.get("finish_reason")
            if finish_reason:
                self._finish_choice(state, finish_reason, out)
        if parsed_error is not None:
            out.append(ErrorEvent(parsed_error[0], parsed_error[1], raw_json(data, ("error",))))
            self.errored = True

    def end(self, out: list[Any]) -> None:
        if self.finished:
            return
        reason = self._reason()
        if reason is None:
            self.parts.close_all(out)
            self._flush_all_audio(out)
            incomplete(self.parts, self.usage, out)
        else:
            self._finish(reason[0], reason[1], out)
