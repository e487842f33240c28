"""The ``cohere`` wire family (Cohere's v2 chat stream): twin of ``rust/core/src/families/cohere/mod.rs``.

Content parts are numbered by their content index, tool calls keep the wire's call id, tool plan text
is reasoning (``tool_plan_0``, …), cited documents with a URL become sources (``src_0``, …, once per
URL), ``message-end`` finishes. See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from ..error import unexpected_payload
from ..events import ErrorEvent, Finish, StreamStart, Usage
from . import PayloadError, incomplete, sources_once
from .fields import obj, opt_list, opt_obj, opt_str, opt_u64, parse_object, raw_json, saturating_add
from .parts import REASONING, TEXT, TOOL_INPUT, Parts

_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR": "error",
}


def _not_open(what: str, index: int) -> PayloadError:
    return PayloadError(unexpected_payload(f"`{what}` for {index}, which is not open"))


def _started_twice(what: str, index: int) -> PayloadError:
    return PayloadError(unexpected_payload(f"`{what}` for {index}, which was already started"))


def _nested(value: Any) -> dict[str, Any] | None:
    """A nested value kept raw by the core's schema and read as an object where it is used."""
    return None if value is None else obj(value)


def _content(value: Any) -> tuple[str | None, str | None, str | None] | None:
    d = _nested(value)
    return None if d is None else (opt_str(d, "type"), opt_str(d, "text"), opt_str(d, "thinking"))


def _tool_call(value: Any) -> tuple[str | None, str | None, str | None] | None:
    d = _nested(value)
    if d is None:
        return None
    function = opt_obj(d, "function")
    name = arguments = None
    if function is not None:
        name = opt_str(function, "name")
        arguments = opt_str(function, "arguments")
    return opt_str(d, "id"), name, arguments


def _document(d: dict[str, Any], key: str) -> tuple[str | None, str | None] | None:
    doc = opt_obj(d, key)
    return None if doc is None else (opt_str(doc, "url"), opt_str(doc, "title"))


def _sources(value: Any) -> list[tuple[str | None, str | None]]:
    d = _nested(value)
    out = []
    for source in (None if d is None else opt_list(d, "sources")) or ():
        source = obj(source)
        opt_str(source, "id")
        document = _document(source, "document")
        tool_output = _document(source, "tool_output")
        # `document` first, as the core's `document.or(tool_output)`.
        chosen = document if document is not None else tool_output
        if chosen is not None:
            out.append(chosen)
    return out


def _usage(value: Any) -> Usage | None:
    d = _nested(value)
    if d is None:
        return None
    tokens = opt_obj(d, "tokens")
    inp = out = 0
    if tokens is not None:
        inp = opt_u64(tokens, "input_tokens") or 0
        out = opt_u64(tokens, "output_tokens") or 0
    cached = opt_u64(d, "cached_tokens") or 0
    return Usage(inp, out, saturating_add(inp, out), 0, cached, 0, None)


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
        d = parse_object(data)
        kind = opt_str(d, "type")
        id = opt_str(d, "id")
        index = opt_u64(d, "index") or 0
        delta = opt_obj(d, "delta")
        message: dict[str, Any] | None = None
        finish_reason = error = None
        if delta is not None:
            message = opt_obj(delta, "message")
            finish_reason = opt_str(delta, "finish_reason")
            error = opt_str(delta, "error")
        tool_plan = None
        if message is not None:
            tool_plan = opt_str(message, "tool_plan")
        m = message or {}
        if kind == "message-start":
            if not self.started:
                self.started = True
                out.append(StreamStart(id or None, None))
        elif kind == "content-start":
            self._content_start(index, _content(m.get("content")), out)
        elif kind == "content-delta":
            self._content_delta(index, _content(m.get("content")), out)
        elif kind == "content-end":
            self._content_end(index, out)
        elif kind == "tool-plan-delta":
            if tool_plan:
                self._tool_plan(tool_plan, out)
        elif kind == "tool-call-start":
            self._tool_start(index, _tool_call(m.get("tool_calls")), out)
        elif kind == "tool-call-delta":
            self._tool_delta(index, _tool_call(m.get("tool_calls")), out)
        elif kind == "tool-call-end":
            self._tool_end(index, out)
        elif kind == "citation-start":
            sources_once(self.source_urls, _sources(m.get("citations")), out)
        elif kind == "message-end":
            self._message_end(data, delta, finish_reason, error, out)

    def _content_start(
        self, index: int, content: tuple[str | None, str | None, str | None] | None, out: list[Any]
    ) -> None:
        if any(i == index for i, _ in self.contents):
            raise _started_twice("content-start", index)
        type_ = None if content is None else content[0]
        kind = TEXT if type_ == "text" else REASONING if type_ == "thinking" else None
        if kind is not None:
            id = str(index)
            self.parts.start(kind, id, "", False, out)
            self._content_text(id, kind, content, out)
        self.contents.append((index, kind))

    def _content_text(
        self, id: str, kind: str, content: tuple[str | None, str | None, str | None] | None, out: list[Any]
    ) -> None:
        if content is None:
            return
        if kind == TEXT:
            if content[1]:
                self.parts.text(id, content[1], out)
        elif content[2]:
            self.parts.reasoning(id, content[2], out)

    def _content_delta(
        self, index: int, content: tuple[str | None, str | None, str | None] | None, out: list[Any]
    ) -> None:
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

    def _tool_start(self, index: int, call: tuple[str | None, str | None, str | None] | None, out: list[Any]) -> None:
        if any(i == index for i, _ in self.tools):
            raise _started_twice("tool-call-start", index)
        id = None if call is None else call[0]
        if id is None:
            raise PayloadError(unexpected_payload("`tool-call-start` without `delta.message.tool_calls.id`"))
        assert call is not None
        self.parts.start(TOOL_INPUT, id, call[1] or "", False, out)
        if call[2]:
            self.parts.tool_input(id, call[2], out)
        self.tools.append((index, id))

    def _tool_delta(self, index: int, call: tuple[str | None, str | None, str | None] | None, out: list[Any]) -> None:
        id = next((id for i, id in self.tools if i == index), None)
        if id is None:
            raise _not_open("tool-call-delta", index)
        if call is not None and call[2]:
            self.parts.tool_input(id, call[2], out)

    def _tool_end(self, index: int, out: list[Any]) -> None:
        pos = next((n for n, (i, _) in enumerate(self.tools) if i == index), None)
        if pos is None:
            raise _not_open("tool-call-end", index)
        _, id = self.tools.pop(pos)
        self.parts.end(id, None, out)

    def _message_end(
        self, data: str, delta: dict[str, Any] | None, finish_reason: str | None, error: str | None, out: list[Any]
    ) -> None:
        raw_usage = None if delta is None else delta.get("usage")
        usage = _usage(raw_usage)
        if usage is not None:
            self.usage = usage
        self.parts.close_all(out)
        self.contents.clear()
        self.tools.clear()
        if error:
            out.append(ErrorEvent(error, "provider_error", None))
        metadata = None if raw_usage is None else '{"usage":' + raw_json(data, ("delta", "usage")) + "}"
        reason = "other" if finish_reason is None else _REASONS.get(finish_reason, "other")
        out.append(Finish(reason, finish_reason, self.usage, metadata))
        self.finished = True

    def end(self, out: list[Any]) -> None:
        if not self.finished:
            incomplete(self.parts, self.usage, out)
