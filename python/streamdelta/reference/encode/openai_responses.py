"""``openai-responses``: the twin of ``rust/core/src/encode/openai_responses.rs``."""

from __future__ import annotations

from typing import Any

from .jsontext import array_len, is_array, is_json, is_object, sse, string
from .shared import Call


def _split_id(id: str) -> str | None:
    item, sep, index = id.rpartition(":")
    if sep and item and index and all("0" <= c <= "9" for c in index):
        return item
    return None


class _Part:
    __slots__ = ("announced", "id", "index", "logprobs", "names", "text")

    def __init__(self, id: str, index: int, names: str) -> None:
        self.id = id
        self.index = index
        self.names = names  # its key in `_NAMES`: "message" (output text), "refusal" or "reasoning"
        self.text: list[str] = []
        self.announced = False
        self.logprobs: list[str] = []  # its deltas' non-empty logprobs arrays, for its `done`


class _Item:
    __slots__ = ("id", "kind", "open", "output_index", "parts", "signature", "texts")

    def __init__(self, kind: str, id: str, output_index: int) -> None:
        self.kind = kind  # "message" or "reasoning"
        self.id = id
        self.output_index = output_index
        # finished parts' texts, whether each was a refusal, and its logprobs' joined array (or "")
        self.texts: list[tuple[str, bool, str]] = []
        self.parts = 0
        self.open: _Part | None = None
        self.signature: str | None = None


# Per part kind: the part events' names, the index key, the empty part, the part's JSON head.
_NAMES = {
    "message": (
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "content_index",
        '{"type":"output_text","text":"","annotations":[]}',
        '{"type":"output_text","text":',
    ),
    "refusal": (
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "content_index",
        '{"type":"refusal","refusal":""}',
        '{"type":"refusal","refusal":',
    ),
    "reasoning": (
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "summary_index",
        '{"type":"summary_text","text":""}',
        '{"type":"summary_text","text":',
    ),
}


class ResponsesEncoder:
    # The hosted tools' calls (`_hosted_kind`); other provider-run calls are dropped.
    PROVIDER_CALLS = True
    ENDS_ON_ERROR = False

    def __init__(self) -> None:
        self._id: str | None = None
        self._model: str | None = None
        self._started = False
        self._sequence = 0
        self._created = 0
        self._items = 0
        self._item: _Item | None = None
        self._output: list[str] = []
        self._hosted: _Hosted | None = None  # a hosted call's item waiting for its result

    def _write(self, out: list[str], kind: str, rest: str) -> None:
        out.append(sse(kind, f'{{"type":{string(kind)},"sequence_number":{self._sequence}{rest}}}'))
        self._sequence += 1

    def _response_head(self, status: str) -> str:
        head = "" if self._id is None else f'"id":{string(self._id)},'
        model = "" if self._model is None else f',"model":{string(self._model)}'
        return f',"response":{{{head}"object":"response","created_at":{self._created},"status":{string(status)}{model}'

    def _start(self, out: list[str]) -> None:
        if self._started:
            return
        self._started = True
        self._write(out, "response.created", self._response_head("in_progress") + ',"output":[]}')

    @staticmethod
    def _locate(item: _Item) -> str:
        return f',"item_id":{string(item.id)},"output_index":{item.output_index}'

    def _item_for(self, kind: str, id: str, out: list[str]) -> None:
        wanted = _split_id(id)
        item = self._item
        if item is not None and item.kind == kind and wanted == item.id:
            return
        self._close_item(out)
        output_index = self._items
        self._items += 1
        item_id = wanted if wanted is not None else f"{'msg' if kind == 'message' else 'rs'}_{output_index}"
        if kind == "message":
            body = ',"type":"message","status":"in_progress","role":"assistant","content":[]}'
        else:
            body = ',"type":"reasoning","summary":[]}'
        self._write(
            out, "response.output_item.added", f',"output_index":{output_index},"item":{{"id":{string(item_id)}{body}'
        )
        self._item = _Item(kind, item_id, output_index)

    def _open_part(self, kind: str, id: str, out: list[str], *, refusal: bool = False) -> None:
        self._start(out)
        self._item_for(kind, id, out)
        self._close_part(out)
        item = self._item
        assert item is not None
        item.open = _Part(id, item.parts, "refusal" if refusal else kind)
        item.parts += 1
        if kind == "message":
            self._announce(out)

    def _announce(self, out: list[str]) -> None:
        item = self._item
        if item is None or item.open is None or item.open.announced:
            return
        added, _, _, _, key, empty, _ = _NAMES[item.open.names]
        self._write(out, added, f'{self._locate(item)},"{key}":{item.open.index},"part":{empty}')
        item.open.announced = True

    def _part_delta(self, id: str, text: str, out: list[str], array: str | None = None) -> None:
        item = self._item
        if item is None or item.open is None or item.open.id != id:
            return
        self._announce(out)
        _, delta, _, _, key, _, _ = _NAMES[item.open.names]
        logprobs = ',"logprobs":[]' if item.open.names == "message" else ""
        items = array_len(array) if array is not None and item.open.names == "message" else None
        if array is not None and items is not None:
            logprobs = f',"logprobs":{array}'
            if items:
                item.open.logprobs.append(array.strip(" \t\n\r"))
        self._write(out, delta, f'{self._locate(item)},"{key}":{item.open.index},"delta":{string(text)}{logprobs}')
        item.open.text.append(text)

    def _close_part(self, out: list[str]) -> None:
        item = self._item
        if item is None or item.open is None:
            return
        part, item.open = item.open, None
        if not part.announced:
            return
        _, _, done, part_done, key, _, head = _NAMES[part.names]
        text = "".join(part.text)
        located = f'{self._locate(item)},"{key}":{part.index}'
        refusal = part.names == "refusal"
        joined = "[" + ",".join(a[1:-1] for a in part.logprobs) + "]" if part.logprobs else ""
        logprobs = f',"logprobs":{joined or "[]"}' if part.names == "message" else ""
        self._write(out, done, f'{located},"{"refusal" if refusal else "text"}":{string(text)}{logprobs}')
        annotations = ',"annotations":[]}' if part.names == "message" else "}"
        self._write(out, part_done, f'{located},"part":{head}{string(text)}{annotations}')
        item.texts.append((text, refusal, joined))

    def _close_item(self, out: list[str]) -> None:
        self._close_part(out)
        item, self._item = self._item, None
        if item is None:
            return
        if item.kind == "message":
            content = ",".join(
                f'{{"type":"refusal","refusal":{string(t)}}}'
                if refusal
                else f'{{"type":"output_text","text":{string(t)},"annotations":[]{_logprobs(joined)}}}'
                for t, refusal, joined in item.texts
            )
            json = (
                f'{{"id":{string(item.id)},"type":"message","status":"completed","role":"assistant",'
                f'"content":[{content}]}}'
            )
        else:
            summary = ",".join(f'{{"type":"summary_text","text":{string(t)}}}' for t, _, _ in item.texts)
            encrypted = "" if item.signature is None else f',"encrypted_content":{string(item.signature)}'
            json = f'{{"id":{string(item.id)},"type":"reasoning","summary":[{summary}]{encrypted}}}'
        self._item_done(item.output_index, json, out)

    def _item_done(self, output_index: int, json: str, out: list[str]) -> None:
        self._output.append(json)
        self._write(out, "response.output_item.done", f',"output_index":{output_index},"item":{json}')

    def _hosted_call(self, call: Call, kind: str, out: list[str]) -> None:
        self._start(out)
        self._close_item(out)
        hosted = _Hosted(kind, call.id, call.name, call.arguments, self._items)
        self._items += 1
        self._write(
            out, "response.output_item.added", f',"output_index":{hosted.output_index},"item":{hosted.json(done=False)}'
        )
        stem_key = _HOSTED_INPUT_EVENTS.get(kind)
        if stem_key is not None:
            stem, key = stem_key
            located = f',"item_id":{string(hosted.id)},"output_index":{hosted.output_index}'
            for fragment in call.fragments:
                self._write(out, f"{stem}.delta", f'{located},"delta":{string(fragment)}')
            self._write(out, f"{stem}.done", f'{located},"{key}":{string(hosted.arguments)}')
        self._hosted = hosted

    def _hosted_done(self, out: list[str]) -> None:
        hosted, self._hosted = self._hosted, None
        if hosted is not None:
            self._item_done(hosted.output_index, hosted.json(done=True), out)

    def _hosted_event(self, event: Any, out: list[str]) -> bool:
        """Whether ``event`` completes the hosted item waiting (taken in); any other event first ends it."""
        hosted = self._hosted
        if hosted is None:
            return False
        kind = event.type
        if kind == "tool_result" and event.id == hosted.id and hosted.result is None:
            hosted.result = (event.result if is_json(event.result) else "null", event.is_error)
            if hosted.kind != "image_generation_call":
                self._hosted_done(out)
            return True
        if kind == "file" and not event.partial and event.id == hosted.id and hosted.kind == "image_generation_call":
            media, sep, subtype = event.media_type.partition("image/")
            hosted.output_format = subtype if sep and not media and subtype else None
            self._hosted_done(out)
            return True
        self._hosted_done(out)
        return False

    def event(self, event: Any, out: list[str]) -> None:
        if self._hosted_event(event, out):
            return
        kind = event.type
        item = self._item
        is_open = item is not None and item.open is not None and item.open.id == getattr(event, "id", None)
        if kind == "stream_start":
            if not self._started:
                self._id = event.id
                self._model = event.model
                self._created = event.created if event.created is not None else 0
            self._start(out)
        elif kind == "text_start":
            self._open_part("message", event.id, out)
        elif kind == "refusal_start":
            self._open_part("message", event.id, out, refusal=True)
        elif kind == "reasoning_start":
            self._open_part("reasoning", event.id, out)
        elif kind == "text_delta":
            self._part_delta(event.id, event.text, out, event.logprobs)
        elif kind in ("reasoning_delta", "refusal_delta"):
            self._part_delta(event.id, event.text, out)
        elif kind in ("text_end", "refusal_end"):
            if is_open:
                self._close_part(out)
        elif kind == "reasoning_end":
            if is_open:
                assert item is not None
                if event.signature:
                    item.signature = event.signature
                self._close_part(out)
        elif kind == "error":
            self._start(out)
            self._write(out, "error", f',"code":{string(event.kind)},"message":{string(event.message)},"param":null')

    def tool_call(self, call: Call, out: list[str]) -> None:
        self._hosted_done(out)
        if call.provider_executed:
            # A hosted tool's call becomes its item; other provider-run calls have no place.
            hosted_kind = _hosted_kind(call.wire_type, call.arguments)
            if hosted_kind is not None:
                self._hosted_call(call, hosted_kind, out)
            return
        # The fragments go out as held: the `*.done` event and the item carry the arguments whole.
        call_id, name, arguments = call.id, call.name, call.arguments
        item_type, prefix, field = _shape(call.wire_type, arguments)
        self._start(out)
        self._close_item(out)
        output_index = self._items
        self._items += 1
        item_id = f"{prefix}_{output_index}"

        def item(status: str, arguments: str) -> str:
            head = f'{{"id":{string(item_id)},"type":{string(item_type)},"status":{string(status)}'
            if item_type == "function_call":
                return f'{head},"arguments":{string(arguments)},"call_id":{string(call_id)},"name":{string(name)}}}'
            if item_type == "custom_tool_call":
                return f'{head},"call_id":{string(call_id)},"name":{string(name)},"input":{string(arguments)}}}'
            execution = ',"execution":"client"' if item_type == "tool_search_call" else ""
            return f'{head},"{field}":{arguments}{execution},"call_id":{string(call_id)}}}'

        streams = field is None
        added = item("in_progress", "" if streams else arguments)
        self._write(out, "response.output_item.added", f',"output_index":{output_index},"item":{added}')
        located = f',"item_id":{string(item_id)},"output_index":{output_index}'
        if streams:
            stem, key = _INPUT_EVENTS[item_type]
            for fragment in call.fragments:
                self._write(out, f"{stem}.delta", f'{located},"delta":{string(fragment)}')
            self._write(out, f"{stem}.done", f'{located},"{key}":{string(arguments)}')
        self._item_done(output_index, item("completed", arguments), out)

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[str]) -> None:
        self._hosted_done(out)
        self._start(out)
        self._close_item(out)
        incomplete: str | None = None
        if reason in ("stop", "tool_calls"):
            kind, status = "response.completed", "completed"
        elif reason == "error":
            kind, status = "response.failed", "failed"
        else:
            kind, status = "response.incomplete", "incomplete"
            if reason == "length":
                incomplete = "max_output_tokens"
            elif reason == "content_filter":
                incomplete = "content_filter"
            else:
                usable = raw_reason is not None and raw_reason not in ("max_output_tokens", "content_filter")
                incomplete = raw_reason if usable else "other"
        rest = self._response_head(status) + f',"output":[{",".join(self._output)}]'
        self._output = []
        if incomplete is not None:
            rest += f',"incomplete_details":{{"reason":{string(incomplete)}}}'
        if reason == "error":
            rest += ',"error":{"code":"server_error","message":"the response failed"}'
        rest += (
            f',"usage":{{"input_tokens":{usage.input_tokens},'
            f'"input_tokens_details":{{"cached_tokens":{usage.cache_read_tokens}}},'
            f'"output_tokens":{usage.output_tokens},'
            f'"output_tokens_details":{{"reasoning_tokens":{usage.reasoning_tokens}}},'
            f'"total_tokens":{usage.total_tokens}}}}}'
        )
        self._write(out, kind, rest)


# The built-in tools' calls written whole, their input the JSON object at a field: item type ->
# (item id prefix, field). The Rust `CallShape`.
_OBJECT_CALLS = {
    "apply_patch_call": ("apc", "operation"),
    "local_shell_call": ("lsh", "action"),
    "shell_call": ("sh", "action"),
    "tool_search_call": ("tsc", "arguments"),
}
# The streamed inputs: item type -> (event type stem, the done event's key).
_INPUT_EVENTS = {
    "function_call": ("response.function_call_arguments", "arguments"),
    "custom_tool_call": ("response.custom_tool_call_input", "input"),
}


def _shape(call_type: str | None, arguments: str) -> tuple[str, str, str | None]:
    """(item type, item id prefix, object field or None when the input streams) of a call."""
    if call_type == "custom_tool_call":
        return "custom_tool_call", "ctc", None
    shape = _OBJECT_CALLS.get(call_type or "")
    if shape is not None and is_object(arguments):
        return call_type or "", shape[0], shape[1]
    return "function_call", "fc", None


# The hosted tools' streamed inputs: item type -> (event type stem, the done event's key).
_HOSTED_INPUT_EVENTS = {
    "code_interpreter_call": ("response.code_interpreter_call_code", "code"),
    "mcp_call": ("response.mcp_call_arguments", "arguments"),
}


def _hosted_kind(call_type: str | None, arguments: str) -> str | None:
    """The hosted item type a provider-run call is written as, or None (the Rust ``HostedKind::of``)."""
    if call_type == "web_search_call":
        return call_type if is_object(arguments) else None
    if call_type == "file_search_call":
        return call_type if is_array(arguments) else None
    if call_type in ("code_interpreter_call", "image_generation_call", "mcp_call"):
        return call_type
    return None


class _Hosted:
    """A hosted call's item written up to its input, waiting for its result (the Rust ``Hosted``)."""

    __slots__ = ("arguments", "id", "kind", "name", "output_format", "output_index", "result")

    def __init__(self, kind: str, id: str, name: str, arguments: str, output_index: int) -> None:
        self.kind = kind
        self.id = id
        self.name = name
        self.arguments = arguments
        self.output_index = output_index
        self.result: tuple[str, bool] | None = None  # its JSON text, and whether it is an error
        self.output_format: str | None = None

    def json(self, *, done: bool) -> str:
        """The item as ``output_item.added`` has it, or (``done``) as ``output_item.done`` has it."""
        result, is_error = self.result if done and self.result is not None else (None, False)
        status = "failed" if done and is_error else "completed" if done else "in_progress"
        head = f'{{"id":{string(self.id)},"type":"{self.kind}","status":"{status}"'
        kind = self.kind
        if kind == "web_search_call":
            # Its result is its `action` as sent (`null`: it had none); with no result, the arguments.
            action = self.arguments if result is None else None if result == "null" else result
            rest = f',"action":{action}' if done and action is not None else ""
        elif kind == "file_search_call":
            rest = f',"queries":{self.arguments if done else "[]"},"results":{result or "null"}'
        elif kind == "code_interpreter_call":
            code = string(self.arguments if done else "")
            outputs = result or ("null" if done else "[]")
            rest = f',"code":{code},"container_id":"","outputs":{outputs}'
        elif kind == "image_generation_call":
            fmt = f',"output_format":{string(self.output_format)}' if done and self.output_format else ""
            rest = f'{fmt},"result":{result or "null"}' if done else ""
        else:  # mcp_call
            arguments = string(self.arguments if done else "")
            error, output = (result or "null", "null") if is_error else ("null", result or "null")
            rest = (
                f',"approval_request_id":null,"arguments":{arguments},"error":{error},'
                f'"name":{string(self.name)},"output":{output},"server_label":""'
            )
        return f"{head}{rest}}}"


def _logprobs(joined: str) -> str:
    return f',"logprobs":{joined}' if joined else ""
