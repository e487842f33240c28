"""Bedrock's ConverseStream events: twin of ``rust/core/src/families/bedrock/converse.rs``.

One event per frame (named by ``:event-type``), or one member of an Amazon Nova Invoke chunk. Part
ids: the block index for text and reasoning, the ``toolUseId`` for tool calls, ``<index>:<n>`` for
sources. A block's kind comes from its start (``toolUse``, ``toolResult``) or from its first delta.
A ``toolResult`` block (the result of a ``server_tool_use`` call) is one ``tool_result`` at its stop:
a JSON array of its deltas' items. ``messageStop`` and ``metadata`` end the stream in either order;
``finish`` follows the second. See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from ...events import Finish, Source, StreamStart, ToolResult
from .. import beyond_double, incomplete
from ..fields import RAW, STR, U64, check, opt_u64, parse_object, raw_json, struct
from ..parts import REASONING, TOOL_INPUT, Parts
from .shared import Counts, finish_reason, provider_error, raw_object, unexpected

_TEXT = "text"
_REASONING = "reasoning"
_TOOL = "tool"
_OTHER = "other"

# The core's `ConverseWire` and the structs it holds.
_TOOL_START = struct(toolUseId=STR, name=STR, type=STR)
_START = struct(toolUse=_TOOL_START, toolResult=RAW)
_CITATION = struct(title=STR, location=struct(web=struct(url=STR)))
_DELTA = struct(
    text=STR,
    toolUse=struct(input=STR),
    toolResult=RAW,
    reasoningContent=struct(text=STR, signature=STR, redactedContent=STR),
    citation=_CITATION,
)
_EVENT = struct(
    contentBlockIndex=U64,
    start=_START,
    delta=_DELTA,
    stopReason=STR,
    additionalModelResponseFields=RAW,
    usage=RAW,
    metrics=RAW,
)
_USAGE_NAMES = ("inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens")
_USAGE = struct(**{name: U64 for name in _USAGE_NAMES})

_OPEN = "open"
_STOPPED = "stopped"  # `messageStop` came, `metadata` not yet
_MEASURED = "measured"  # `metadata` came, `messageStop` not yet
_FINISHED = "finished"


# The whitespace JSON allows between tokens.
_JSON_SPACE = " \t\n\r"


class _Result:
    """What a ``toolResult`` block holds so far (the core's ``PendingResult``)."""

    __slots__ = ("is_error", "items")

    def __init__(self, is_error: bool) -> None:
        self.is_error = is_error
        self.items = ""

    def add(self, raw: str) -> None:
        """A delta's items: an array's (its text inside the brackets), else itself."""
        items = raw[1:-1].strip(_JSON_SPACE) if len(raw) >= 2 and raw[0] == "[" and raw[-1] == "]" else raw
        if not items:
            return
        self.items = f"{self.items},{items}" if self.items else items


class _Block:
    __slots__ = ("id", "index", "kind", "result", "sources")

    def __init__(self, index: int) -> None:
        self.index = index
        self.kind: str | None = None
        self.id = str(index)
        self.sources = 0
        self.result: _Result | None = None


def _result_start(value: Any) -> tuple[str | None, str | None]:
    """(toolUseId, status) of a ``toolResult`` start; both absent where the core's serde read of it
    fails (not an object, a number beyond a double in a string member)."""
    if type(value) is not dict:
        return None, None
    id, status = value.get("toolUseId"), value.get("status")
    if beyond_double(id) or beyond_double(status):
        return None, None
    return (id if type(id) is str else None, status if type(status) is str else None)


def _fit(block: _Block, kind: str, what: str) -> None:
    if block.kind is None:
        block.kind = kind
    elif block.kind != kind:
        raise unexpected(f"`{what}` does not fit content block {block.index}")


def _source(block: _Block, citation: dict[str, Any], out: list[Any]) -> None:
    location = citation.get("location") or {}
    url = (location.get("web") or {}).get("url")
    if url is None:
        return
    out.append(Source(f"{block.index}:{block.sources}", url, citation.get("title")))
    block.sources += 1


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.blocks: list[_Block] = []
        self.counts = Counts()
        self.stop_reason: str | None = None
        self.usage_raw: str | None = None
        self.metrics_raw: str | None = None
        self.additional_raw: str | None = None
        self.invocation_metrics_raw: str | None = None
        self.started = False
        self.state = _OPEN
        # The provider-executed calls so far, id → name: what their results answer.
        self.server_calls: dict[str, str] = {}

    def event(self, name: str, data: str, out: list[Any]) -> None:
        """One event: ``name`` is its type, ``data`` its JSON object."""
        e = check(parse_object(data), _EVENT)
        if self.state == _FINISHED:
            raise unexpected(f"`{name}` after the end of the message")

        def index() -> int:
            value = e.get("contentBlockIndex")
            if value is None:
                raise unexpected(f"`{name}` without `contentBlockIndex`")
            return value  # type: ignore[no-any-return]  # checked as U64

        if name == "messageStart":
            if self.started:
                raise unexpected("a second `messageStart`")
            self.started = True
            out.append(StreamStart(None, None))
        elif name == "contentBlockStart":
            self._block_start(index(), e.get("start"), out)
        elif name == "contentBlockDelta":
            i = index()
            delta = e.get("delta")
            if delta is None:
                raise unexpected(f"`{name}` without `delta`")
            self._block_delta(i, delta, data, out)
        elif name == "contentBlockStop":
            self._block_stop(index(), out)
        elif name == "messageStop":
            if self.state == _STOPPED:
                raise unexpected("a second `messageStop`")
            self.stop_reason = e.get("stopReason")
            if e.get("additionalModelResponseFields") is not None:
                self.additional_raw = raw_json(data, ("additionalModelResponseFields",))
            else:
                self.additional_raw = None
            if self.state == _MEASURED:
                self._finish(out)
            else:
                self.state = _STOPPED
        elif name == "metadata":
            if type(e.get("usage")) is dict:
                raw = raw_json(data, ("usage",))
                wire = check(parse_object(raw), _USAGE)
                self.counts.report(*(opt_u64(wire, n) for n in _USAGE_NAMES))
                self.usage_raw = raw
            if e.get("metrics") is not None:
                self.metrics_raw = raw_json(data, ("metrics",))
            if self.state == _STOPPED:
                self._finish(out)
            else:
                self.state = _MEASURED

    def invocation_metrics(self, raw: str) -> None:
        self.counts.fill_from_metrics(raw)
        self.invocation_metrics_raw = raw

    def _find(self, index: int) -> _Block | None:
        for block in self.blocks:
            if block.index == index:
                return block
        return None

    def _block_start(self, index: int, start: dict[str, Any] | None, out: list[Any]) -> None:
        if self._find(index) is not None:
            raise unexpected(f"content block {index} started twice")
        block = _Block(index)
        if start is not None:
            tool = start.get("toolUse")
            if tool is not None:
                id = tool.get("toolUseId")
                if id is None:
                    raise unexpected("`toolUse` without `toolUseId`")
                executed = tool.get("type") == "server_tool_use"
                name = tool.get("name") or ""
                self.parts.start(TOOL_INPUT, id, name, executed, out)
                if executed:
                    self.server_calls.setdefault(id, name)
                block.kind = _TOOL
                block.id = id
            elif start.get("toolResult") is not None:
                block.kind = _OTHER
                id, status = _result_start(start["toolResult"])
                if id is not None:
                    block.id = id
                    block.result = _Result(status == "error")
        self.blocks.append(block)

    def _block_delta(self, index: int, delta: dict[str, Any], data: str, out: list[Any]) -> None:
        block = self._find(index)
        if block is None:
            block = _Block(index)
            self.blocks.append(block)
        if block.kind == _OTHER:
            if block.result is not None and delta.get("toolResult") is not None:
                block.result.add(raw_json(data, ("delta", "toolResult")))
            return
        parts = self.parts
        text = delta.get("text")
        if text:
            _fit(block, _TEXT, "text")
            parts.text(block.id, text, out)
        tool = delta.get("toolUse")
        if tool is not None:
            if block.kind != _TOOL:
                raise unexpected(f"`toolUse` for content block {index}, which is no tool use")
            parts.tool_input(block.id, tool.get("input") or "", out)
        reasoning = delta.get("reasoningContent")
        if reasoning is not None:
            _fit(block, _REASONING, "reasoningContent")
            text = reasoning.get("text")
            if text:
                parts.reasoning(block.id, text, out)
            signature = reasoning.get("signature")
            redacted = reasoning.get("redactedContent")
            if (signature is not None or redacted is not None) and not parts.is_open(block.id):
                parts.start(REASONING, block.id, "", False, out)
            if signature is not None:
                parts.sign(block.id, signature, True)
            if redacted is not None:
                # Redacted reasoning keeps its encrypted data where a signature goes, as Anthropic's
                # `redacted_thinking` does: it is what a follow-up request sends back.
                parts.set_redacted(block.id)
                parts.sign(block.id, redacted, True)
        citation = delta.get("citation")
        if citation is not None:
            _source(block, citation, out)

    def _block_stop(self, index: int, out: list[Any]) -> None:
        block = self._find(index)
        if block is None:
            return
        self.blocks.remove(block)
        self._emit_result(block, out)
        if block.kind in (_TEXT, _REASONING, _TOOL):
            self.parts.end(block.id, None, out)

    def _emit_result(self, block: _Block, out: list[Any]) -> None:
        """The ``tool_result`` of a ``toolResult`` block."""
        result = block.result
        if result is not None:
            name = self.server_calls.get(block.id, "")
            out.append(ToolResult(block.id, name, f"[{result.items}]", result.is_error, True))

    def _finish(self, out: list[Any]) -> None:
        for block in self.blocks:
            self._emit_result(block, out)
        self.parts.close_all(out)
        self.blocks.clear()
        metadata = raw_object(
            (
                ("usage", self.usage_raw),
                ("metrics", self.metrics_raw),
                ("additionalModelResponseFields", self.additional_raw),
                ("amazon-bedrock-invocationMetrics", self.invocation_metrics_raw),
            )
        )
        out.append(Finish(finish_reason(self.stop_reason), self.stop_reason, self.counts.usage(), metadata))
        self.state = _FINISHED

    def provider_error(self, message: str, kind: str, raw: str | None, out: list[Any]) -> None:
        self.blocks.clear()
        provider_error(self.parts, self.counts, message, kind, raw, out)
        self.state = _FINISHED

    def end(self, out: list[Any]) -> None:
        if self.state == _FINISHED:
            return
        if self.state == _STOPPED:
            self._finish(out)
            return
        self.blocks.clear()
        incomplete(self.parts, self.counts.usage(), out)
        self.state = _FINISHED
