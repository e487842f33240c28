"""The `gemini` wire family: twin of ``rust/core/src/families/gemini/``.

Text and thought parts are numbered ``"0"``, ``"1"``, …; a function call keeps ``functionCall.id``
or gets ``call_{n}``; its arguments are the raw JSON text of ``args`` exactly as sent (found with
``fields.raw_json``, the twin of serde's ``RawValue``). A ``thoughtSignature`` signs the open
reasoning part or yields a reasoning pair of its own. ``executableCode`` / ``toolCall`` are
provider-executed calls, ``codeExecutionResult`` / ``toolResponse`` their ``tool_result``s (by ``id``,
else the latest such call). Usage is the latest ``usageMetadata``; the finish comes at end of
stream. See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from .. import b64
from ..events import ErrorEvent, File, Finish, Source, StreamStart, ToolResult, Unknown, Usage
from . import beyond_double, incomplete, sources_once
from .fields import Step, opt_bool, opt_list, opt_obj, opt_str, opt_u64, parse_object, raw_json, saturating_add
from .parts import REASONING, TEXT, TOOL_INPUT, Parts

_CONTENT_FILTER = frozenset(("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"))
# The code execution tool's name for its calls and results (Gemini names none).
_CODE_EXECUTION = "code_execution"
# The `outcome`s of a code execution that did not complete.
_FAILED = frozenset(("OUTCOME_FAILED", "OUTCOME_DEADLINE_EXCEEDED"))


class _Part:
    __slots__ = (
        "call",
        "call_id",
        "has_args",
        "inline",
        "name",
        "path",
        "result",
        "server",
        "signature",
        "text",
        "thought",
    )

    def __init__(self, d: dict[str, Any], path: tuple[str | int, ...]) -> None:
        self.text = opt_str(d, "text")
        self.thought = opt_bool(d, "thought")
        self.signature = opt_str(d, "thoughtSignature")
        call = opt_obj(d, "functionCall")
        self.call = call is not None
        self.call_id = self.name = None
        self.has_args = False
        if call is not None:
            self.call_id = opt_str(call, "id")
            self.name = opt_str(call, "name")
            self.has_args = call.get("args") is not None
        self.path = path
        # A call of a tool Gemini ran: (member, its value), as the core's `server_call` reads it.
        self.server = _member(d, ("executableCode", "toolCall"))
        # The result of one: (member, its value), as the core's `server_result` reads it.
        self.result = _member(d, ("codeExecutionResult", "toolResponse"))
        # Generated media: the `inlineData` value, read only when one comes (see `_file`).
        self.inline = d.get("inlineData")


def _member(d: dict[str, Any], members: tuple[str, str]) -> tuple[str, Any] | None:
    """The first of ``members`` that ``d`` holds (not ``null``), with its value."""
    for member in members:
        value = d.get(member)
        if value is not None:
            return (member, value)
    return None


class _Candidate:
    __slots__ = ("finish_reason", "index", "parts", "sources")

    def __init__(self, d: dict[str, Any], n: int) -> None:
        content = opt_obj(d, "content")
        parts = None if content is None else opt_list(content, "parts")
        self.parts = [
            _Part(p, ("candidates", n, "content", "parts", m, "functionCall", "args"))
            for m, p in enumerate(parts or ())
        ]
        self.finish_reason = opt_str(d, "finishReason")
        self.index = opt_u64(d, "index")
        # (url, title, the path of a document's `retrievedContext` when there is no url)
        self.sources: list[tuple[str | None, str | None, tuple[Step, ...] | None]] = []
        grounding = opt_obj(d, "groundingMetadata")
        chunks = None if grounding is None else opt_list(grounding, "groundingChunks")
        for m, chunk in enumerate(chunks or ()):
            web = opt_obj(chunk, "web")
            retrieved = opt_obj(chunk, "retrievedContext")
            checked = [(opt_str(s, "uri"), opt_str(s, "title")) for s in (web, retrieved) if s is not None]
            if checked:
                # `web` first, as the core's `web.or(retrieved_context)`.
                url, title = checked[0]
                document = url is None and web is None
                path = ("candidates", n, "groundingMetadata", "groundingChunks", m, "retrievedContext")
                self.sources.append((url, title, path if document else None))


def _usage(d: dict[str, Any]) -> Usage:
    prompt = opt_u64(d, "promptTokenCount") or 0
    thoughts = opt_u64(d, "thoughtsTokenCount") or 0
    output = saturating_add(opt_u64(d, "candidatesTokenCount") or 0, thoughts)
    cached = opt_u64(d, "cachedContentTokenCount") or 0
    return Usage(prompt, output, saturating_add(prompt, output), thoughts, cached, 0, None)


def _finish_reason(raw: str, called_tools: bool) -> str:
    if raw == "STOP":
        return "tool_calls" if called_tools else "stop"
    if raw == "MAX_TOKENS":
        return "length"
    if raw in _CONTENT_FILTER:
        return "content_filter"
    if raw == "MALFORMED_FUNCTION_CALL":
        return "error"
    return "other"


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.usage = Usage()
        self.started = False
        self.block: tuple[str, str] | None = None
        self.next_part = 0
        self.calls = 0
        self.files = 0
        self.function_calls = False
        self.finish_reason: str | None = None
        self.errored = False
        self.finished = False
        self.source_urls: list[str] = []
        # The provider-executed calls so far, (id, name): what their results answer.
        self.server_calls: list[tuple[str, str]] = []

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        d = parse_object(data)
        candidates_raw = opt_list(d, "candidates")
        candidates = [_Candidate(c, n) for n, c in enumerate(candidates_raw or ())]
        usage_d = opt_obj(d, "usageMetadata")
        usage = None if usage_d is None else _usage(usage_d)
        feedback = opt_obj(d, "promptFeedback")
        block_reason = None if feedback is None else opt_str(feedback, "blockReason")
        model = opt_str(d, "modelVersion")
        response_id = opt_str(d, "responseId")
        error = opt_obj(d, "error")
        if error is not None:
            message = opt_str(error, "message")
            status = opt_str(error, "status")
            self.errored = True
            out.append(ErrorEvent(message or "", "error" if status is None else status, data))
            return
        if not self.started:
            self.started = True
            out.append(StreamStart(response_id, model))
        for candidate in candidates:
            if (candidate.index or 0) != 0:
                continue
            for part in candidate.parts:
                self._part(part, data, out)
            self._sources(candidate, data, out)
            if candidate.finish_reason is not None:
                self.finish_reason = candidate.finish_reason
        if block_reason is not None and self.finish_reason is None:
            self.finish_reason = block_reason
        if usage is not None:
            self.usage = usage

    def _sources(self, candidate: _Candidate, data: str, out: list[Any]) -> None:
        """A URL once; a retrieved document once per ``retrievedContext`` as sent (see the core)."""
        for url, title, path in candidate.sources:
            if path is not None:
                raw = raw_json(data, path)
                if raw not in self.source_urls:
                    out.append(Source(f"src_{len(self.source_urls)}", None, title, "document", None, None, raw))
                    self.source_urls.append(raw)
            else:
                sources_once(self.source_urls, [(url, title)], out)

    def end(self, out: list[Any]) -> None:
        if self.finished:
            return
        self.finished = True
        if self.errored:
            reason = "error"
        elif self.finish_reason is not None:
            reason = _finish_reason(self.finish_reason, self.function_calls)
        else:
            incomplete(self.parts, self.usage, out)
            return
        self.parts.close_all(out)
        out.append(Finish(reason, None if self.errored else self.finish_reason, self.usage, None))

    def _part(self, part: _Part, data: str, out: list[Any]) -> None:
        signature = part.signature
        if part.call:
            self._before_tool(signature, out)
            self._call(part, data, out)
            return
        if part.server is not None:
            self._before_tool(signature, out)
            self._server_call(part, data, out)
            return
        if part.result is not None:
            self._before_tool(signature, out)
            # A result is no part: what reasoning is open ends before it, as before a call.
            self._close_block(REASONING, out)
            self._server_result(part, data, out)
            return
        if part.inline is not None:
            self._before_tool(signature, out)
            # A file is no part either: what reasoning is open ends before it.
            self._close_block(REASONING, out)
            self._file(part, data, out)
            return
        text = part.text or ""
        if part.thought is True:
            if text:
                self.parts.reasoning(self._block(REASONING, out), text, out)
            if signature is not None:
                self._sign(signature, out)
        else:
            if signature is not None:
                self._close_block(TEXT, out)
                self._sign(signature, out)
            if text:
                self.parts.text(self._block(TEXT, out), text, out)

    def _before_tool(self, signature: str | None, out: list[Any]) -> None:
        """Before a tool part: the open text ends, and the part's signature signs what it signs."""
        self._close_block(TEXT, out)
        if signature is not None:
            self._sign(signature, out)

    def _block(self, kind: str, out: list[Any]) -> str:
        block = self.block
        if block is not None:
            if block[0] == kind:
                return block[1]
            self.block = None
            self.parts.end(block[1], None, out)
        part_id = self._next_id()
        self.parts.start(kind, part_id, "", False, out)
        self.block = (kind, part_id)
        return part_id

    def _close_block(self, kind: str, out: list[Any]) -> None:
        if self.block is not None and self.block[0] == kind:
            self.parts.end(self.block[1], None, out)
            self.block = None

    def _sign(self, signature: str, out: list[Any]) -> None:
        if self.block is not None and self.block[0] == REASONING:
            part_id = self.block[1]
            self.block = None
        else:
            part_id = self._next_id()
            self.parts.start(REASONING, part_id, "", False, out)
        self.parts.sign(part_id, signature, False)
        self.parts.end(part_id, None, out)

    def _call(self, part: _Part, data: str, out: list[Any]) -> None:
        if self.block is not None and self.block[0] == REASONING:
            self.block = None
        call_id = f"call_{self.calls}" if part.call_id is None else part.call_id
        self.calls += 1
        self.function_calls = True
        self.parts.start(TOOL_INPUT, call_id, part.name or "", False, out)
        if part.has_args:
            self.parts.tool_input(call_id, raw_json(data, part.path), out)
        self.parts.end(call_id, None, out)

    def _server_call(self, part: _Part, data: str, out: list[Any]) -> None:
        """A provider-executed tool part: the core's ``server_call``."""
        if self.block is not None and self.block[0] == REASONING:
            self.block = None
        assert part.server is not None
        member, value = part.server
        path = (*part.path[:-2], member)
        wire = _ServerWire(value)
        call_id = f"call_{self.calls}" if wire.id is None else wire.id
        self.calls += 1
        arguments: str | None
        if member == "executableCode":
            name, arguments = _CODE_EXECUTION, raw_json(data, path)
        else:
            name = wire.tool_type or ""
            arguments = raw_json(data, (*path, "args")) if wire.has_args else None
        self.parts.start(TOOL_INPUT, call_id, name, True, out)
        if arguments is not None:
            self.parts.tool_input(call_id, arguments, out)
        self.parts.end(call_id, None, out)
        self.server_calls.append((call_id, name))

    def _server_result(self, part: _Part, data: str, out: list[Any]) -> None:
        """The result of a provider-executed call: the core's ``server_result``."""
        assert part.result is not None
        member, value = part.result
        path = (*part.path[:-2], member)
        wire = _ServerWire(value)
        if wire.id is not None:
            call_id = wire.id
        elif self.server_calls:
            call_id = self.server_calls[-1][0]
        else:
            call_id = f"call_{self.calls}"
            self.calls += 1
        if member == "codeExecutionResult":
            name, result = _CODE_EXECUTION, raw_json(data, path)
            is_error = wire.outcome in _FAILED
        else:
            called = next((n for c, n in self.server_calls if c == call_id), "")
            name = called if wire.tool_type is None else wire.tool_type
            result = raw_json(data, (*path, "response")) if wire.has_response else "null"
            is_error = False
        out.append(ToolResult(call_id, name, result, is_error, True))

    def _file(self, part: _Part, data: str, out: list[Any]) -> None:
        """An ``inlineData`` part: the core's ``file``."""
        value = part.inline
        mime_type = payload = None
        if type(value) is dict:
            strings = [value.get("mimeType"), value.get("data")]
            # serde reads a number in a string member to skip it, and refuses one beyond a double.
            if not any(beyond_double(s) for s in strings):
                mime_type, payload = (s if type(s) is str else None for s in strings)
        decoded = None if payload is None else b64.decode(payload)
        if decoded is None:
            out.append(Unknown("inlineData", raw_json(data, (*part.path[:-2], "inlineData"))))
            return
        out.append(File(f"file_{self.files}", mime_type or "application/octet-stream", decoded, part.thought is True))
        self.files += 1

    def _next_id(self) -> str:
        part_id = str(self.next_part)
        self.next_part += 1
        return part_id


class _ServerWire:
    """The members of an ``executableCode`` / ``toolCall`` / ``codeExecutionResult`` /
    ``toolResponse`` value that the core's ``ServerPart`` reads; all absent where its serde read
    fails (not an object, a number beyond a double in a string member)."""

    __slots__ = ("has_args", "has_response", "id", "outcome", "tool_type")

    def __init__(self, value: Any) -> None:
        self.id = self.tool_type = self.outcome = None
        self.has_args = self.has_response = False
        if type(value) is not dict:
            return
        strings = [value.get(key) for key in ("id", "toolType", "outcome")]
        if any(beyond_double(s) for s in strings):
            return
        self.id, self.tool_type, self.outcome = (s if type(s) is str else None for s in strings)
        self.has_args = value.get("args") is not None
        self.has_response = value.get("response") is not None
