"""The `openai-responses` wire family: twin of ``rust/core/src/families/openai_responses/``.

Part ids: a text part is ``{item_id}:{content_index}``, a reasoning part (one per summary part)
``{item_id}:{summary_index}``, a function call its ``call_id``, a web search call its item id;
sources are ``src_{n}``. Web searches are provider-executed tool calls named ``web_search`` whose
arguments are the item's ``action`` JSON exactly as sent; the other built-in tools' call items are
tool calls too (``_call``). Hosted tools' call items (file search, code interpreter, image generation,
MCP, web search) are followed by a ``tool_result`` holding their result field as sent (``_RESULT_FIELD``),
as are the output items of hosted shells and tool searches; generated images are ``file`` events.
Payload types and item types (at their ``output_item.done``) not modeled are reported as
``unknown``. See the Rust module for the full rules.
"""

from __future__ import annotations

from typing import Any

from .. import b64
from ..events import ErrorEvent, File, Finish, Source, StreamStart, ToolResult, Unknown, Usage
from . import PayloadError, data_url, incomplete, unix_seconds
from .fields import STR, lenient_list, opt_obj, opt_str, opt_u64, parse_object, raw_json, saturating_add, struct
from .parts import REASONING, REFUSAL, TEXT, TOOL_INPUT, Parts

_FRESH, _STARTED, _FINISHED = 0, 1, 2

# Event types that repeat what the deltas said (`*.done`), and progress notices of what is modeled.
_PASSED_OVER = frozenset(
    (
        "response.output_text.done",
        "response.content_part.added",
        "response.refusal.done",
        "response.function_call_arguments.done",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.reasoning_text.done",
        "response.custom_tool_call_input.done",
        "response.apply_patch_call_operation_diff.delta",
        "response.apply_patch_call_operation_diff.done",
        "response.shell_call_command.added",
        "response.shell_call_command.delta",
        "response.shell_call_command.done",
        "response.file_search_call.in_progress",
        "response.file_search_call.searching",
        "response.file_search_call.completed",
        "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
        "response.code_interpreter_call_code.done",
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.completed",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
        "response.mcp_call_arguments.done",
        "response.shell_call_output_content.delta",
        "response.shell_call_output_content.done",
    )
)

# The members of a document citation kept as sent in its source's metadata, in this order.
_DOCUMENT_CITATION = ("file_id", "container_id", "index", "start_index", "end_index")

_INPUT_DELTAS = frozenset(
    (
        "response.function_call_arguments.delta",
        "response.custom_tool_call_input.delta",
        "response.code_interpreter_call_code.delta",
        "response.mcp_call_arguments.delta",
    )
)

# A hosted tool call item's result field, as sent (the core's `result_field`); an MCP call that
# failed has its `error` instead.
_RESULT_FIELD = {
    "web_search_call": "action",
    "file_search_call": "results",
    "code_interpreter_call": "outputs",
    "image_generation_call": "result",
    "mcp_call": "output",
}


class _Item:
    __slots__ = ("call_id", "d", "encrypted_content", "execution", "id", "input", "kind", "name")

    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d
        self.kind = opt_str(d, "type")
        self.id = opt_str(d, "id")
        self.call_id = opt_str(d, "call_id")
        self.name = opt_str(d, "name")
        self.input = opt_str(d, "input")
        self.encrypted_content = opt_str(d, "encrypted_content")
        self.execution = opt_str(d, "execution")


class _Call:
    """A tool call item: a function call, or one of the built-in tools' calls (the core's ``Call``)."""

    __slots__ = ("arguments", "id", "name", "provider_executed", "streams_input")

    def __init__(self, id: str, name: str, provider_executed: bool, streams_input: bool, arguments: str | None) -> None:
        self.id = id
        self.name = name
        self.provider_executed = provider_executed
        self.streams_input = streams_input
        self.arguments = arguments


def _call(item: _Item, data: str) -> _Call | None:
    """The call ``item`` is, if it is one (see the core's ``Call::of``)."""
    kind = item.kind
    if kind is None:
        return None
    item_id = item.id or ""
    call_id = item_id if item.call_id is None else item.call_id

    def raw(field: str) -> str | None:
        return None if item.d.get(field) is None else raw_json(data, ("item", field))

    if kind == "function_call":
        arguments = item.d.get("arguments")
        return _Call(call_id, item.name or "", False, True, arguments if type(arguments) is str else None)
    if kind == "custom_tool_call":
        return _Call(call_id, item.name or "", False, True, item.input)
    if kind == "web_search_call":
        return _Call(item_id, "web_search", True, False, raw("action"))
    if kind == "file_search_call":
        return _Call(item_id, "file_search", True, False, raw("queries"))
    if kind == "code_interpreter_call":
        return _Call(item_id, "code_interpreter", True, True, opt_str(item.d, "code"))
    if kind == "image_generation_call":
        return _Call(item_id, "image_generation", True, False, None)
    if kind == "mcp_call":
        arguments = item.d.get("arguments")
        return _Call(item_id, item.name or "", True, True, arguments if type(arguments) is str else None)
    if kind == "apply_patch_call":
        return _Call(call_id, "apply_patch", False, False, raw("operation"))
    if kind == "local_shell_call":
        return _Call(call_id, "local_shell", False, False, raw("action"))
    if kind == "shell_call":
        return _Call(call_id, "shell", item.d.get("environment") is not None, False, raw("action"))
    if kind == "tool_search_call":
        return _Call(call_id, "tool_search", item.execution != "client", False, raw("arguments"))
    return None


def _tool_result(id: str, name: str, item: _Item, field: str, data: str, provider_executed: bool) -> ToolResult:
    result = "null" if item.d.get(field) is None else raw_json(data, ("item", field))
    is_error = opt_str(item.d, "status") == "failed" or item.d.get("error") is not None
    return ToolResult(id, name, result, is_error, provider_executed)


def _image(id: str, output_format: str | None, text: str, partial: bool) -> File | None:
    """A generated image (``partial``: a preview) from its base64; None when that is not base64."""
    data = b64.decode(text)
    if data is None:
        return None
    return File(id, f"image/{output_format}" if output_format else "image/png", data, partial)


_CODE_OUTPUT = struct(type=STR, url=STR)


def _code_images(item_id: str, outputs: Any, out: list[Any]) -> None:
    """The core's ``code_images``: a code interpreter's image outputs that are base64 data URLs."""
    try:
        items = None if outputs is None else lenient_list(outputs, _CODE_OUTPUT)
    except PayloadError:
        return
    for n, output in enumerate(items or ()):
        url = output.get("url")
        found = data_url(url) if output.get("type") == "image" and type(url) is str else None
        data = None if found is None else b64.decode(found[1])
        if found is not None and data is not None:
            out.append(File(f"{item_id}:{n}", found[0] or "application/octet-stream", data, False))


def _usage(d: dict[str, Any]) -> Usage:
    input_tokens = opt_u64(d, "input_tokens") or 0
    output_tokens = opt_u64(d, "output_tokens") or 0
    in_details = opt_obj(d, "input_tokens_details")
    out_details = opt_obj(d, "output_tokens_details")
    cached = (opt_u64(in_details, "cached_tokens") if in_details is not None else None) or 0
    reasoning = (opt_u64(out_details, "reasoning_tokens") if out_details is not None else None) or 0
    return Usage(input_tokens, output_tokens, saturating_add(input_tokens, output_tokens), reasoning, cached, 0, None)


class _Response:
    __slots__ = ("created", "error_code", "error_message", "id", "incomplete_reason", "model", "status", "usage")

    def __init__(self, d: dict[str, Any]) -> None:
        self.id = opt_str(d, "id")
        self.model = opt_str(d, "model")
        self.created = unix_seconds(d.get("created_at"))
        self.status = opt_str(d, "status")
        usage = opt_obj(d, "usage")
        self.usage = None if usage is None else _usage(usage)
        details = opt_obj(d, "incomplete_details")
        self.incomplete_reason = None if details is None else opt_str(details, "reason")
        error = opt_obj(d, "error")
        self.error_code = None if error is None else opt_str(error, "code")
        self.error_message = None if error is None else opt_str(error, "message")


class _PartId:
    """The id ``{item}:{index}``, kept between calls (text deltas come by the hundred per part)."""

    __slots__ = ("id", "index", "item")

    def __init__(self) -> None:
        self.item = ""
        self.index = 0
        self.id = ""

    def get(self, item: str, index: int) -> str:
        if not self.id or self.item != item or self.index != index:
            self.item, self.index, self.id = item, index, f"{item}:{index}"
        return self.id


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.usage = Usage()
        self.state = _FRESH
        self.error_sent = False
        self.function_calls = False
        self.calls: dict[str, str] = {}
        self.text_id = _PartId()
        self.reasoning: tuple[str, str] | None = None
        self.reasoning_id = _PartId()
        self.sources = 0
        self.tool_search = ""

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        if data.strip(" \t\n\r") == "[DONE]":
            # OpenRouter's marker after `response.completed`: passed over (see the core).
            return
        d = parse_object(data)
        kind = opt_str(d, "type")
        response_d = opt_obj(d, "response")
        response = None if response_d is None else _Response(response_d)
        item_d = opt_obj(d, "item")
        item = None if item_d is None else _Item(item_d)
        item_id = opt_str(d, "item_id") or ""
        content_index = opt_u64(d, "content_index") or 0
        summary_index = opt_u64(d, "summary_index") or 0
        delta = opt_str(d, "delta") or ""
        annotation = opt_obj(d, "annotation")
        if annotation is not None:
            annotation_type = opt_str(annotation, "type")
            url = opt_str(annotation, "url")
            title = opt_str(annotation, "title")
            filename = opt_str(annotation, "filename")
        code = opt_str(d, "code")
        message = opt_str(d, "message")
        error = opt_obj(d, "error")
        if error is not None:
            error_code, error_message = opt_str(error, "code"), opt_str(error, "message")
        if self.state == _FINISHED:
            return
        if kind is None:
            kind = event
        if kind == "response.output_text.delta":
            if delta:
                logprobs = d.get("logprobs")
                raw = raw_json(data, ("logprobs",)) if type(logprobs) is list and logprobs else None
                self.parts.delta_in(0, TEXT, self.text_id.get(item_id, content_index), delta, out, raw)
        elif kind == "response.refusal.delta":
            if delta:
                self.parts.delta_in(0, REFUSAL, self.text_id.get(item_id, content_index), delta, out)
        elif kind == "response.content_part.done":
            self.parts.end(self.text_id.get(item_id, content_index), None, out)
        elif kind == "response.reasoning_summary_part.added":
            self._open_reasoning(item_id, summary_index, out)
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            if delta:
                index = content_index if kind == "response.reasoning_text.delta" else summary_index
                self._open_reasoning(item_id, index, out)
                if self.reasoning is not None:
                    self.parts.reasoning(self.reasoning[1], delta, out)
        elif kind in _INPUT_DELTAS:
            call_id = self.calls.get(item_id)
            if call_id is not None:
                self.parts.tool_input(call_id, delta, out)
        elif kind == "response.image_generation_call.partial_image":
            partial = opt_str(d, "partial_image_b64")
            image = None if partial is None else _image(item_id, opt_str(d, "output_format"), partial, True)
            # A preview that is not base64 is kept as sent (see the core).
            out.append(Unknown(kind, data) if image is None else image)
        elif kind == "response.output_text.annotation.added":
            if annotation is not None:
                self._annotation(annotation, annotation_type, url, title, filename, data, out)
        elif kind == "response.output_item.added":
            if item is not None:
                self._item_added(item, data, out)
        elif kind == "response.output_item.done":
            if item is not None:
                self._item_done(item, data, out)
        elif kind in ("response.created", "response.in_progress", "response.queued"):
            if self.state == _FRESH and response is not None:
                self.state = _STARTED
                out.append(StreamStart(response.id, response.model, response.created))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self._finish(kind, response, data, out)
        elif kind == "error":
            self.error_sent = True
            if error is not None:
                # As `OpenAI` sends them: in the payload's `error` object.
                message = error_message if message is None else message
                code = error_code if code is None else code
            out.append(ErrorEvent(message or "", "error" if code is None else code, data))
        elif kind not in _PASSED_OVER:
            out.append(Unknown(kind, data))

    def _annotation(
        self,
        annotation: dict[str, Any],
        kind: str | None,
        url: str | None,
        title: str | None,
        filename: str | None,
        data: str,
        out: list[Any],
    ) -> None:
        """A ``url_citation`` is a source of its URL, a file or container file citation one of the
        document it names, with its ids and offsets as sent in the metadata (see the core)."""
        id = f"src_{self.sources}"
        if kind == "url_citation" and url is not None:
            out.append(Source(id, url, title))
        elif kind in ("file_citation", "container_file_citation") and (
            annotation.get("file_id") is not None or filename is not None
        ):
            members = [
                f'"{key}":{raw_json(data, ("annotation", key))}'
                for key in _DOCUMENT_CITATION
                if annotation.get(key) is not None
            ]
            metadata = "{" + ",".join(members) + "}" if members else None
            out.append(Source(id, None, None, "document", None, filename, metadata))
        else:
            return
        self.sources += 1

    def end(self, out: list[Any]) -> None:
        if self.state == _FINISHED:
            return
        self.state = _FINISHED
        if self.error_sent:
            self.parts.close_all(out)
            out.append(Finish("error", None, self.usage, None))
        else:
            incomplete(self.parts, self.usage, out)

    def _open_reasoning(self, item: str, index: int, out: list[Any]) -> None:
        part_id = self.reasoning_id.get(item, index)
        if self.reasoning is not None:
            if self.reasoning[1] == part_id:
                return
            self.parts.end(self.reasoning[1], None, out)
        self.parts.start(REASONING, part_id, "", False, out)
        self.reasoning = (item, part_id)

    def _item_added(self, item: _Item, data: str, out: list[Any]) -> None:
        call = _call(item, data)
        if call is None:
            return
        if not call.provider_executed:
            self.function_calls = True
        if call.streams_input:
            # The first entry for an item wins, as the core's search of its list does.
            self.calls.setdefault(item.id or "", call.id)
        self.parts.start(TOOL_INPUT, call.id, call.name, call.provider_executed, out)
        self._set_call_type(item, call.id)

    def _set_call_type(self, item: _Item, id: str) -> None:
        """Keeps the item type of a call that is not a plain function call, for ``call_type``."""
        if item.kind is not None and item.kind != "function_call":
            self.parts.set_call_type(id, item.kind)

    def _item_done(self, item: _Item, data: str, out: list[Any]) -> None:
        item_id = item.id or ""
        call = _call(item, data)
        if call is not None:
            if not call.provider_executed:
                self.function_calls = True
            if not self.parts.is_open(call.id):
                self.parts.start(TOOL_INPUT, call.id, call.name, call.provider_executed, out)
            self._set_call_type(item, call.id)
            self.parts.end(call.id, call.arguments, out)
            kind = item.kind
            field = _RESULT_FIELD.get(kind or "")
            if call.provider_executed and field is not None:
                if kind == "mcp_call" and item.d.get("output") is None and item.d.get("error") is not None:
                    field = "error"
                out.append(_tool_result(call.id, call.name, item, field, data, True))
            if kind == "image_generation_call":
                result = item.d.get("result")
                if type(result) is str:
                    image = _image(item_id, opt_str(item.d, "output_format"), result, False)
                    if image is not None:
                        out.append(image)
            elif kind == "code_interpreter_call":
                _code_images(item_id, item.d.get("outputs"), out)
            elif kind == "tool_search_call":
                self.tool_search = call.id
        elif item.kind == "shell_call_output":
            call_id = item_id if item.call_id is None else item.call_id
            out.append(_tool_result(call_id, "shell", item, "output", data, True))
        elif item.kind == "tool_search_output":
            call_id = self.tool_search if item.call_id is None else item.call_id
            out.append(_tool_result(call_id, "tool_search", item, "tools", data, item.execution != "client"))
        elif item.kind == "reasoning":
            part_id: str | None = None
            if self.reasoning is not None and self.reasoning[0] == item_id:
                part_id = self.reasoning[1]
                self.reasoning = None
            if part_id is None:
                if item.encrypted_content is None:
                    return
                part_id = self.reasoning_id.get(item_id, 0)
                self.parts.start(REASONING, part_id, "", False, out)
            if item.encrypted_content is not None:
                self.parts.sign(part_id, item.encrypted_content, False)
            self.parts.end(part_id, None, out)
        elif item.kind is not None and item.kind != "message":
            out.append(Unknown(item.kind, data))

    def _finish(self, kind: str, response: _Response | None, data: str, out: list[Any]) -> None:
        self.state = _FINISHED
        self.reasoning = None
        self.parts.close_all(out)
        raw_reason = None
        error_code = error_message = None
        if response is not None:
            if response.usage is not None:
                self.usage = response.usage
            raw_reason = response.status
            if response.incomplete_reason is not None:
                raw_reason = response.incomplete_reason
            error_code, error_message = response.error_code, response.error_message
        if kind == "response.failed":
            if not self.error_sent:
                self.error_sent = True
                message = "the response failed" if error_message is None else error_message
                out.append(ErrorEvent(message, "error" if error_code is None else error_code, data))
            reason = "error"
        elif kind == "response.incomplete":
            reason = {"max_output_tokens": "length", "content_filter": "content_filter"}.get(raw_reason or "", "other")
        else:
            reason = "tool_calls" if self.function_calls else "stop"
        out.append(Finish(reason, raw_reason, self.usage, None))


__all__ = ["Decoder"]
