"""The ``cohere`` wire family (Cohere's v2 chat stream): twin of ``rust/core/src/families/cohere/``.

Content parts are numbered by their content index, tool calls keep the wire's call id, tool plan text
is reasoning (``tool_plan_0``, …), cited documents with a URL become sources (``src_0``, …, once per
URL), ``message-end`` finishes. See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from ..error import unexpected_payload
from ..events import ErrorEvent, Finish, StreamStart, Usage
from . import PayloadError, incomplete, sources_once
from .fields import RAW, STR, U64, Struct, check, list_of, parse_object, raw_json, saturating_add, struct
from .parts import REASONING, TEXT, TOOL_INPUT, Parts

# The wire structs of the core (`wire.rs`). `content`, `tool_calls` and `citations` are arrays in
# `message-start` and objects where they stream, so they are raw there and checked where used.
_MESSAGE = struct(content=RAW, tool_plan=STR, tool_calls=RAW, citations=RAW)
_DELTA = struct(message=_MESSAGE, finish_reason=STR, usage=RAW, error=STR)
_PAYLOAD = struct(type=STR, id=STR, index=U64, delta=_DELTA)
_CONTENT = struct(type=STR, text=STR, thinking=STR)
_TOOL_CALL = struct(id=STR, function=struct(name=STR, arguments=STR))
_DOCUMENT = struct(url=STR, title=STR)
_CITATION = struct(sources=list_of(struct(id=STR, document=_DOCUMENT, tool_output=_DOCUMENT)))
_USAGE = struct(tokens=struct(input_tokens=U64, output_tokens=U64), cached_tokens=U64)

_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR": "error",
}
_EMPTY: dict[str, Any] = {}


def _not_open(what: str, index: int) -> PayloadError:
    return PayloadError(unexpected_payload(f"`{what}` for {index}, which is not open"))


def _started_twice(what: str, index: int) -> PayloadError:
    return PayloadError(unexpected_payload(f"`{what}` for {index}, which was already started"))


def _nested(value: Any, fields: Struct) -> dict[str, Any] | None:
    """A raw member read as the object ``fields`` declares (absent stays absent, and so does a value
    of another JSON type: the core's ``Raw::object``)."""
    return check(value, fields) if type(value) is dict else None


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.usage = Usage()
        self.started = False
        self.finished = False
        self.contents: list[tuple[int, str | None]] = []
        self.tools: list[tuple[int, str]] = []
        self.plan: str | None = None
        self.plans = 0
        self.source_urls: list[str] = []

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        if self.finished:
            return
        d = check(parse_object(data), _PAYLOAD)
        kind = d.get("type")
        index = d.get("index") or 0
        delta = d.get("delta")
        message = (delta or _EMPTY).get("message") or _EMPTY
        if kind == "message-start":
            if not self.started:
                self.started = True
                out.append(StreamStart(d.get("id") or None, None))
        elif kind == "content-start":
            self._content_start(index, _nested(message.get("content"), _CONTENT), out)
        elif kind == "content-delta":
            self._content_delta(index, _nested(message.get("content"), _CONTENT), out)
        elif kind == "content-end":
            self._content_end(index, out)
        elif kind == "tool-plan-delta":
            if message.get("tool_plan"):
                self._tool_plan(message["tool_plan"], out)
        elif kind == "tool-call-start":
            self._tool_start(index, _nested(message.get("tool_calls"), _TOOL_CALL), out)
        elif kind == "tool-call-delta":
            self._tool_delta(index, _nested(message.get("tool_calls"), _TOOL_CALL), out)
        elif kind == "tool-call-end":
            self._tool_end(index, out)
        elif kind == "citation-start":
            citation = _nested(message.get("citations"), _CITATION)
            if citation is not None:
                sources_once(self.source_urls, _sources(citation), out)
        elif kind == "message-end":
            self._message_end(data, delta or _EMPTY, out)

    def _content_start(self, index: int, content: dict[str, Any] | None, out: list[Any]) -> None:
        if any(i == index for i, _ in self.contents):
            raise _started_twice("content-start", index)
        type_ = None if content is None else content.get("type")
        kind = TEXT if type_ == "text" else REASONING if type_ == "thinking" else None
        if kind is not None:
            id = str(index)
            self.parts.start(kind, id, "", False, out)
            self._content_text(id, kind, content, out)
        self.contents.append((index, kind))

    def _content_text(self, id: str, kind: str, content: dict[str, Any] | None, out: list[Any]) -> None:
        if content is None:
            return
        if kind == TEXT:
            if content.get("text"):
                self.parts.text(id, content["text"], out)
        elif content.get("thinking"):
            self.parts.reasoning(id, content["thinking"], out)

    def _content_delta(self, index: int, content: dict[str, Any] | None, out: list[Any]) -> None:
        found = next((k for i, k in self.contents if i == index), False)
        if found is False:
            raise _not_open("content-delta", index)
        if found is None:
            return
        id = str(index)
        if self.parts.kind(id) != found:
            raise _not_open("content-delta", index)
        self._content_text(id, found, content, out)

    def _content_end(self, index: int, out: list[Any]) -> None:
        pos = next((n for n, (i, _) in enumerate(self.contents) if i == index), None)
        if pos is None:
            raise _not_open("content-end", index)
        _, kind = self.contents.pop(pos)
        if kind is not None:
            self.parts.end(str(index), None, out)

    def _tool_plan(self, text: str, out: list[Any]) -> None:
        id = self.plan
        if id is None or self.parts.kind(id) != REASONING:
            id = self.plan = f"tool_plan_{self.plans}"
            self.plans += 1
        self.parts.reasoning(id, text, out)

    def _tool_start(self, index: int, call: dict[str, Any] | None, out: list[Any]) -> None:
        if any(i == index for i, _ in self.tools):
            raise _started_twice("tool-call-start", index)
        id = None if call is None else call.get("id")
        if id is None or call is None:
            raise PayloadError(unexpected_payload("`tool-call-start` without `delta.message.tool_calls.id`"))
        function = call.get("function") or _EMPTY
        self.parts.start(TOOL_INPUT, id, function.get("name") or "", False, out)
        if function.get("arguments"):
            self.parts.tool_input(id, function["arguments"], out)
        self.tools.append((index, id))

    def _tool_delta(self, index: int, call: dict[str, Any] | None, out: list[Any]) -> None:
        id = next((id for i, id in self.tools if i == index), None)
        if id is None:
            raise _not_open("tool-call-delta", index)
        arguments = ((call or _EMPTY).get("function") or _EMPTY).get("arguments")
        if arguments:
            self.parts.tool_input(id, arguments, out)

    def _tool_end(self, index: int, out: list[Any]) -> None:
        pos = next((n for n, (i, _) in enumerate(self.tools) if i == index), None)
        if pos is None:
            raise _not_open("tool-call-end", index)
        _, id = self.tools.pop(pos)
        self.parts.end(id, None, out)

    def _message_end(self, data: str, delta: dict[str, Any], out: list[Any]) -> None:
        raw_usage = delta.get("usage")
        if type(raw_usage) is not dict:
            raw_usage = None
        usage = _nested(raw_usage, _USAGE)
        if usage is not None:
            tokens = usage.get("tokens") or _EMPTY
            inp = tokens.get("input_tokens") or 0
            output = tokens.get("output_tokens") or 0
            self.usage = Usage(inp, output, saturating_add(inp, output), 0, usage.get("cached_tokens") or 0, 0, None)
        self.parts.close_all(out)
        self.contents.clear()
        self.tools.clear()
        if delta.get("error"):
            out.append(ErrorEvent(delta["error"], "provider_error", None))
        raw_reason = delta.get("finish_reason")
        metadata = None if raw_usage is None else '{"usage":' + raw_json(data, ("delta", "usage")) + "}"
        reason = "other" if raw_reason is None else _REASONS.get(raw_reason, "other")
        out.append(Finish(reason, raw_reason, self.usage, metadata))
        self.finished = True

    def end(self, out: list[Any]) -> None:
        if not self.finished:
            incomplete(self.parts, self.usage, out)


def _sources(citation: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """(url, title) of each cited source, ``document`` before ``tool_output`` as the core's ``or``."""
    out = []
    for source in citation.get("sources") or ():
        doc = source.get("document")
        if doc is None:
            doc = source.get("tool_output")
        if doc is not None:
            out.append((doc.get("url"), doc.get("title")))
    return out
