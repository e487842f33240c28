"""The `anthropic` wire family: twin of ``rust/core/src/families/anthropic/``.

The Messages API stream as sent by the Anthropic API, by Vertex AI (``streamRawPredict``) and, one
event per frame, inside Bedrock's event-stream framing. Dispatch is on the payload's own ``type``.
Part ids: the content block index for text and thinking, the ``toolu_…`` / ``srvtoolu_…`` id for
tool calls, ``<block index>:<n>`` for sources. Unknown event and block types are reported as
``unknown`` (before the end of the message; after it they are ignored); unknown delta types are skipped.

The field checks below accept and reject exactly what the core's serde structs do.
"""

from __future__ import annotations

import json
from typing import Any

from ..error import unexpected_payload
from ..events import ErrorEvent, Finish, Source, StreamStart, ToolResult, Unknown, Usage
from . import PayloadError, incomplete
from .fields import (
    BOOL,
    RAW,
    STR,
    U64,
    Step,
    check,
    lenient_list,
    list_of,
    opt_u64,
    parse_object,
    raw_json,
    saturating_add,
    struct,
)
from .parts import REASONING, TEXT, TOOL_INPUT, Parts

_TEXT = "text"
_REASONING = "reasoning"
_TOOL = "tool"
_OTHER = "other"

_DELTA_BLOCK = {
    "text_delta": _TEXT,
    "citations_delta": _TEXT,
    "thinking_delta": _REASONING,
    "signature_delta": _REASONING,
    "input_json_delta": _TOOL,
}

# The core's `Payload` and the structs it holds: serde checks every declared field whatever the
# event type. Raw members are parsed where they are used.
# Where a document citation's text sits: kept as sent in the source's metadata (see the core).
_CITATION_WHERE = (
    "cited_text",
    "document_index",
    "file_id",
    "source",
    "search_result_index",
    "start_char_index",
    "end_char_index",
    "start_page_number",
    "end_page_number",
    "start_block_index",
    "end_block_index",
)
_CITATION = struct(type=STR, url=STR, title=STR, document_title=STR, **dict.fromkeys(_CITATION_WHERE, RAW))
# The media type of the documents each kind of citation cites (the API reference).
_DOCUMENT_CITATIONS = {
    "char_location": "text/plain",
    "page_location": "application/pdf",
    "content_block_location": None,
    "search_result_location": None,
}
_MESSAGE = struct(id=STR, model=STR, usage=RAW)
_BLOCK = struct(
    type=STR,
    id=STR,
    name=STR,
    input=RAW,
    text=STR,
    thinking=STR,
    signature=STR,
    data=STR,
    citations=list_of(_CITATION),
    tool_use_id=STR,
    is_error=BOOL,
    content=RAW,
)
_DELTA = struct(
    type=STR,
    text=STR,
    thinking=STR,
    signature=STR,
    partial_json=STR,
    citation=_CITATION,
    stop_reason=STR,
    stop_sequence=RAW,
)
_ERROR = struct(type=STR, message=STR)
_PAYLOAD = struct(
    type=STR,
    message=_MESSAGE,
    index=U64,
    content_block=_BLOCK,
    delta=_DELTA,
    usage=RAW,
    error=_ERROR,
    **{"amazon-bedrock-invocationMetrics": RAW},
)


# The token counts of the core's `UsageWire` and `MetricsWire`: input, output, cache read, cache write.
_USAGE = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_METRICS = ("inputTokenCount", "outputTokenCount", "cacheReadInputTokenCount", "cacheWriteInputTokenCount")


def _counts(raw: str, names: tuple[str, str, str, str]) -> list[int | None]:
    wire = parse_object(raw)
    return [opt_u64(wire, name) for name in names]


# One web search result (the core's `SearchResultWire`).
_SEARCH_RESULT = struct(url=STR, title=STR)


# The event types this decoder models (`ping` carries nothing); any other is reported as `unknown`.
_KNOWN_EVENTS = frozenset(
    (
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    )
)


def _missing(what: str, field: str) -> PayloadError:
    return PayloadError(unexpected_payload(f"`{what}` without `{field}`"))


def _required(d: dict[str, Any], key: str, what: str) -> Any:
    value = d.get(key)
    if value is None:
        raise _missing(what, key)
    return value


def _unexpected(detail: str) -> PayloadError:
    return PayloadError(unexpected_payload(detail))


def _finish_reason(stop_reason: str | None) -> str:
    if stop_reason in ("end_turn", "stop_sequence", "pause_turn"):
        return "stop"
    if stop_reason == "max_tokens":
        return "length"
    if stop_reason == "tool_use":
        return "tool_calls"
    if stop_reason == "refusal":
        return "content_filter"
    return "other"


class _Block:
    __slots__ = ("id", "index", "kind", "pending_input", "sources")

    def __init__(self, index: int, kind: str, id: str) -> None:
        self.index = index
        self.kind = kind
        self.id = id
        self.pending_input: str | None = None
        self.sources = 0


def _next_source_id(block: _Block) -> str:
    block.sources += 1
    return f"{block.index}:{block.sources - 1}"


def _search_result(block: _Block, url: str | None, title: str | None, out: list[Any]) -> None:
    if url is not None:
        out.append(Source(_next_source_id(block), url, title))


def _citation_source(
    block: _Block, citation: dict[str, Any], data: str, path: tuple[Step, ...], out: list[Any]
) -> None:
    """A source for a citation: of its URL, or of the document it cites (see the core)."""
    url = citation.get("url")
    if url is not None:
        out.append(Source(_next_source_id(block), url, citation.get("title")))
        return
    kind = citation.get("type")
    if kind not in _DOCUMENT_CITATIONS:
        return
    members = [f'"type":{json.dumps(kind)}'] + [
        f'"{key}":{raw_json(data, (*path, key))}' for key in _CITATION_WHERE if citation.get(key) is not None
    ]
    title = citation.get("document_title")
    if title is None:
        title = citation.get("title")
    metadata = "{" + ",".join(members) + "}"
    out.append(Source(_next_source_id(block), None, title, "document", _DOCUMENT_CITATIONS[kind], None, metadata))


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.blocks: list[_Block] = []
        self.input: int | None = None
        self.output: int | None = None
        self.cache_read: int | None = None
        self.cache_write: int | None = None
        self.usage_raw: str | None = None
        self.delta_usage_raw: str | None = None
        self.stop_sequence_raw: str | None = None
        self.metrics_raw: str | None = None
        self.stop_reason: str | None = None
        self.started = False
        self.finished = False
        # (id, name) of the calls the provider runs: a tool result is named by the call it answers.
        self.server_calls: dict[str, str] = {}

    def usage(self) -> Usage:
        cache_read = self.cache_read or 0
        cache_write = self.cache_write or 0
        inp = saturating_add(self.input or 0, cache_read + cache_write)
        out = self.output or 0
        return Usage(inp, out, saturating_add(inp, out), 0, cache_read, cache_write, None)

    def _update_usage(self, raw: str, from_delta: bool) -> None:
        inp, out, cache_read, cache_write = _counts(raw, _USAGE)
        self.input = self.input if inp is None else inp
        self.output = self.output if out is None else out
        self.cache_read = self.cache_read if cache_read is None else cache_read
        self.cache_write = self.cache_write if cache_write is None else cache_write
        if from_delta:
            self.delta_usage_raw = raw
        else:
            self.usage_raw = raw

    def _update_metrics(self, raw: str) -> None:
        """Anthropic's own ``usage`` wins field by field; Bedrock's metrics fill what it never said."""
        inp, out, cache_read, cache_write = _counts(raw, _METRICS)
        self.input = inp if self.input is None else self.input
        self.output = out if self.output is None else self.output
        self.cache_read = cache_read if self.cache_read is None else self.cache_read
        self.cache_write = cache_write if self.cache_write is None else self.cache_write
        self.metrics_raw = raw

    def _provider_metadata(self) -> str | None:
        members = (
            ("usage", self.usage_raw),
            ("delta_usage", self.delta_usage_raw),
            ("stop_sequence", self.stop_sequence_raw),
            ("amazon-bedrock-invocationMetrics", self.metrics_raw),
        )
        text = ",".join(f'"{name}":{value}' for name, value in members if value is not None)
        return "{" + text + "}" if text else None

    def provider_error(self, message: str, kind: str, raw: str | None, out: list[Any]) -> None:
        """An error the provider sent: what is open is closed, the error reported, the stream finished."""
        self.parts.close_all(out)
        self.blocks.clear()
        out.append(ErrorEvent(message, kind, raw))
        out.append(Finish("error", None, self.usage(), None))
        self.finished = True

    def _find(self, index: int) -> _Block | None:
        for block in self.blocks:
            if block.index == index:
                return block
        return None

    def _block_start(self, index: int, block: dict[str, Any], data: str, out: list[Any]) -> None:
        if self._find(index) is not None:
            raise _unexpected(f"content block {index} started twice")
        kind = block.get("type")
        if kind is None:
            raise _missing("content_block_start", "content_block.type")
        parts = self.parts
        open_block = _Block(index, _OTHER, "")
        if kind == "text":
            open_block.kind = _TEXT
            open_block.id = str(index)
            parts.start(TEXT, open_block.id, "", False, out)
            if block.get("text"):
                parts.text(open_block.id, block["text"], out)
            for i, c in enumerate(block.get("citations") or ()):
                _citation_source(open_block, c, data, ("content_block", "citations", i), out)
        elif kind in ("thinking", "redacted_thinking"):
            open_block.kind = _REASONING
            open_block.id = str(index)
            parts.start(REASONING, open_block.id, "", False, out)
            if kind == "redacted_thinking":
                parts.set_redacted(open_block.id)
                if block.get("data") is not None:
                    parts.sign(open_block.id, block["data"], False)
            else:
                if block.get("thinking"):
                    parts.reasoning(open_block.id, block["thinking"], out)
                if block.get("signature"):
                    parts.sign(open_block.id, block["signature"], False)
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            id = block.get("id")
            if id is None:
                raise _missing(kind, "id")
            open_block.kind = _TOOL
            open_block.id = id
            if kind != "tool_use":
                # The first entry for an id wins, as the core's search of its list does.
                self.server_calls.setdefault(id, block.get("name") or "")
            parts.start(TOOL_INPUT, id, block.get("name") or "", kind != "tool_use", out)
            value = block.get("input")
            if value is not None and not (type(value) is dict and not value):
                open_block.pending_input = raw_json(data, ("content_block", "input"))
        elif kind == "web_search_tool_result":
            self._tool_result(block, data, out)
            # The results come whole with the start; an error result is an object, not a list.
            content = block.get("content")
            if type(content) is list:
                for result in lenient_list(content, _SEARCH_RESULT) or ():
                    _search_result(open_block, result.get("url"), result.get("title"), out)
        elif kind.endswith("_tool_result") and block.get("tool_use_id") is not None:
            self._tool_result(block, data, out)
        else:
            out.append(Unknown(kind, data))
        self.blocks.append(open_block)

    def _tool_result(self, block: dict[str, Any], data: str, out: list[Any]) -> None:
        """The result of a tool the provider ran: the core's ``tool_result``."""
        id = block.get("tool_use_id")
        if id is None:
            return
        content = block.get("content")
        result = "null" if content is None else raw_json(data, ("content_block", "content"))
        content_type = content.get("type") if type(content) is dict else None
        typed_error = type(content_type) is str and content_type.endswith("_error")
        is_error = block.get("is_error") is True or typed_error
        out.append(ToolResult(id, self.server_calls.get(id, ""), result, is_error, True))

    def _block_delta(self, index: int, delta: dict[str, Any], data: str, out: list[Any]) -> None:
        kind = delta.get("type")
        if kind is None:
            raise _missing("content_block_delta", "delta.type")
        block = self._find(index)
        if block is None:
            raise _unexpected(f"`{kind}` for content block {index}, which is not open")
        expected = _DELTA_BLOCK.get(kind)
        if expected is None or block.kind == _OTHER:
            return
        if block.kind != expected:
            raise _unexpected(f"`{kind}` does not fit content block {index}")
        if kind == "text_delta":
            text = _required(delta, "text", kind)
            self.parts.text(block.id, text, out)
        elif kind == "citations_delta":
            citation = _required(delta, "citation", kind)
            _citation_source(block, citation, data, ("delta", "citation"), out)
        elif kind == "thinking_delta":
            thinking = _required(delta, "thinking", kind)
            self.parts.reasoning(block.id, thinking, out)
        elif kind == "signature_delta":
            signature = _required(delta, "signature", kind)
            self.parts.sign(block.id, signature, True)
        else:
            fragment = _required(delta, "partial_json", kind)
            if fragment:
                # Streamed fragments supersede an input sent with the start.
                block.pending_input = None
                self.parts.tool_input(block.id, fragment, out)

    def _block_stop(self, index: int, out: list[Any]) -> None:
        block = self._find(index)
        if block is None:
            raise _unexpected(f"`content_block_stop` for content block {index}, which is not open")
        self.blocks.remove(block)
        if block.kind == _OTHER:
            return
        if block.pending_input is not None:
            self.parts.tool_input(block.id, block.pending_input, out)
        self.parts.end(block.id, None, out)

    def _finish(self, out: list[Any]) -> None:
        self.parts.close_all(out)
        self.blocks.clear()
        reason = _finish_reason(self.stop_reason)
        out.append(Finish(reason, self.stop_reason, self.usage(), self._provider_metadata()))
        self.finished = True

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        p = check(parse_object(data), _PAYLOAD)
        kind = p.get("type")
        if kind is None:
            raise _missing("payload", "type")
        known = kind in _KNOWN_EVENTS
        if self.finished and kind != "ping" and known:
            raise _unexpected(f"`{kind}` after the end of the message")
        if kind == "message_start":
            if self.started:
                raise _unexpected("a second `message_start`")
            message = _required(p, "message", kind)
            # A raw object read later: a value of another JSON type reads as absent (as the core's `Raw::object`).
            if type(message.get("usage")) is dict:
                self._update_usage(raw_json(data, ("message", "usage")), False)
            self.started = True
            out.append(StreamStart(message.get("id"), message.get("model")))
        elif kind == "content_block_start":
            index = _required(p, "index", kind)
            self._block_start(index, _required(p, "content_block", kind), data, out)
        elif kind == "content_block_delta":
            index = _required(p, "index", kind)
            self._block_delta(index, _required(p, "delta", kind), data, out)
        elif kind == "content_block_stop":
            self._block_stop(_required(p, "index", kind), out)
        elif kind == "message_delta":
            if type(p.get("usage")) is dict:
                self._update_usage(raw_json(data, ("usage",)), True)
            delta = p.get("delta")
            if delta is not None:
                if delta.get("stop_reason") is not None:
                    self.stop_reason = delta["stop_reason"]
                if delta.get("stop_sequence") is not None:
                    self.stop_sequence_raw = raw_json(data, ("delta", "stop_sequence"))
        elif kind == "message_stop":
            if type(p.get("amazon-bedrock-invocationMetrics")) is dict:
                self._update_metrics(raw_json(data, ("amazon-bedrock-invocationMetrics",)))
            self._finish(out)
        elif kind == "error":
            error = p.get("error") or {}
            error_type = error.get("type")
            error_type = "error" if error_type is None else error_type
            message = error.get("message")
            self.provider_error(error_type if message is None else message, error_type, data, out)
        elif not known and not self.finished:
            out.append(Unknown(kind, data))

    def end(self, out: list[Any]) -> None:
        if self.finished:
            return
        self.blocks.clear()
        incomplete(self.parts, self.usage(), out)
        self.finished = True
