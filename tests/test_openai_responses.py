"""The `openai-responses` family on both backends: corpus goldens, chunking, the SDK oracle, synthetic cases."""

from __future__ import annotations

import json
import random
import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import family_bodies, public_bodies, random_splits, require_corpus, rust_backend
from .family_corpus import (
    check_backends_agree,
    check_chunkings,
    check_golden,
    feed_all,
    finish,
    outcome,
    usage,
)
from .fuzz_json import ANY as _ANY
from .fuzz_json import TEXT as _TEXT
from .fuzz_json import maybe as _maybe
from .invariants import dicts

FAMILY = "openai-responses"
BODIES = family_bodies(FAMILY)
IDS = [name for name, _ in BODIES]


def sse(*payloads: dict[str, Any]) -> bytes:
    return "".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads).encode()


CREATED = {"type": "response.created", "response": {"id": "resp_1", "model": "gpt-x", "usage": None}}


def completed(status: str = "completed", **response: Any) -> dict[str, Any]:
    kind = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}
    return {"type": kind[status], "response": {"id": "resp_1", "status": status, **response}}


USAGE = {
    "input_tokens": 100,
    "input_tokens_details": {"cached_tokens": 40},
    "output_tokens": 30,
    "output_tokens_details": {"reasoning_tokens": 20},
    "total_tokens": 130,
}


# --- corpus -----------------------------------------------------------------------------------------


def test_corpus_has_every_responses_stream() -> None:
    require_corpus()
    assert len(BODIES) == 39


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    check_golden(backend, FAMILY, name, body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_golden_under_random_chunking(backend: ModuleType, name: str, body: bytes) -> None:
    check_chunkings(backend, FAMILY, name, body, seed=len(body))


@pytest.mark.parametrize(("name", "body"), BODIES[:3], ids=IDS[:3])
def test_byte_by_byte(backend: ModuleType, name: str, body: bytes) -> None:
    events, _ = feed_all(backend, (body[i : i + 1] for i in range(len(body))), FAMILY)
    assert dicts(events) == dicts(reference.parse(body, FAMILY))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_backends_agree_and_auto_detects(name: str, body: bytes) -> None:
    check_backends_agree(FAMILY, body)
    for backend in (rust_backend(), reference):
        parser = backend.StreamParser("auto")
        assert dicts(parser.feed(body) + parser.close()) == dicts(backend.parse(body, FAMILY))
        assert parser.family == FAMILY


def _sdk_response(body: bytes) -> Any:
    """The final response as the official `openai` package assembles it from the same bytes."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai._types import omit
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for item in SSEDecoder().iter_bytes(iter([body])):
        event = construct_type(type_=ResponseStreamEvent, value=item.json())  # type: ignore[arg-type]
        for out in state.handle_event(event):
            if out.type == "response.completed":
                final = out.response
    assert final is not None
    return final


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_agrees_with_the_openai_sdk_accumulator(backend: ModuleType, name: str, body: bytes) -> None:
    sdk = _sdk_response(body)
    _, message = feed_all(backend, [body], FAMILY)
    assert message.id == sdk.id
    assert message.model == sdk.model
    assert message.text == sdk.output_text
    sdk_calls = [(o.call_id, o.name, o.arguments) for o in sdk.output if o.type == "function_call"]
    ours = [(c.id, c.name, c.arguments) for c in message.tool_calls if not c.provider_executed]
    assert ours == sdk_calls
    # By design: web searches are provider-executed tool calls here; the SDK keeps them as output items.
    searches = [o.id for o in sdk.output if o.type == "web_search_call"]
    assert [c.id for c in message.tool_calls if c.provider_executed] == searches
    u = sdk.usage
    assert message.usage.input_tokens == u.input_tokens
    assert message.usage.output_tokens == u.output_tokens
    assert message.usage.total_tokens == u.total_tokens
    assert message.usage.reasoning_tokens == u.output_tokens_details.reasoning_tokens
    assert message.usage.cache_read_tokens == u.input_tokens_details.cached_tokens
    assert message.finish_reason == ("tool_calls" if sdk_calls else "stop")
    signatures = [o.encrypted_content for o in sdk.output if o.type == "reasoning" and o.encrypted_content]
    # By design the signature is `output_item.done`'s `encrypted_content`; `response.completed` (the
    # SDK's final response) carries a re-encrypted copy of it that differs byte for byte.
    assert len(message.reasoning_signatures) == len(signatures)
    done = [
        json.loads(line[6:])["item"]
        for line in body.decode().splitlines()
        if line.startswith('data: {"type":"response.output_item.done')
    ]
    assert list(message.reasoning_signatures) == [i["encrypted_content"] for i in done if i.get("encrypted_content")]
    summaries = "".join(s.text for o in sdk.output if o.type == "reasoning" for s in o.summary)
    assert message.reasoning == summaries


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_each_part_matches_its_done_event(name: str, body: bytes) -> None:
    """Golden check against the cassette: every text part holds its `output_text.done` text, every
    reasoning part its `reasoning_summary_text.done` text, in the order the wire closed them."""
    payloads = [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]
    texts: dict[str, str] = {}
    for e in reference.parse(body, FAMILY):
        if e.type in ("text_delta", "reasoning_delta"):
            texts[e.id] = texts.get(e.id, "") + e.text
    done = {
        f"{p['item_id']}:{p.get('content_index', p.get('summary_index'))}": p["text"]
        for p in payloads
        if p["type"] in ("response.output_text.done", "response.reasoning_summary_text.done")
    }
    assert texts == {k: v for k, v in done.items() if v}


# --- synthetic --------------------------------------------------------------------------------------


def test_reasoning_summary_parts_each_their_own_part_and_signature_on_the_last(backend: ModuleType) -> None:
    body = sse(
        CREATED,
        {"type": "response.output_item.added", "output_index": 0, "item": {"type": "reasoning", "id": "rs_1"}},
        {"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "summary_index": 0},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": 0, "delta": "a"},
        {"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "summary_index": 1},
        {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "summary_index": 1, "delta": "b"},
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "encrypted_content": "ENC"},
        },
        {"type": "response.output_text.delta", "item_id": "msg_1", "content_index": 0, "delta": "hi"},
        {"type": "response.content_part.done", "item_id": "msg_1", "content_index": 0},
        completed(usage=USAGE),
    )
    assert dicts(backend.parse(body, FAMILY)) == [
        {"type": "stream_start", "id": "resp_1", "model": "gpt-x", "created": None},
        {"type": "reasoning_start", "id": "rs_1:0", "choice": 0},
        {"type": "reasoning_delta", "id": "rs_1:0", "text": "a"},
        {"type": "reasoning_end", "id": "rs_1:0", "signature": None, "redacted": False},
        {"type": "reasoning_start", "id": "rs_1:1", "choice": 0},
        {"type": "reasoning_delta", "id": "rs_1:1", "text": "b"},
        {"type": "reasoning_end", "id": "rs_1:1", "signature": "ENC", "redacted": False},
        {"type": "text_start", "id": "msg_1:0", "choice": 0},
        {"type": "text_delta", "id": "msg_1:0", "text": "hi"},
        {"type": "text_end", "id": "msg_1:0"},
        finish("stop", "completed", usage(100, 30, 20, 40)),
    ]


def test_encrypted_reasoning_without_summary_yields_a_pair(backend: ModuleType) -> None:
    body = sse(
        CREATED,
        {"type": "response.output_item.done", "item": {"type": "reasoning", "id": "rs_2", "encrypted_content": "E"}},
        {"type": "response.output_item.done", "item": {"type": "reasoning", "id": "rs_3", "summary": []}},
        completed(),
    )
    assert dicts(backend.parse(body, FAMILY))[1:] == [
        {"type": "reasoning_start", "id": "rs_2:0", "choice": 0},
        {"type": "reasoning_end", "id": "rs_2:0", "signature": "E", "redacted": False},
        finish("stop", "completed"),
    ]


def test_function_call_id_is_call_id_and_arguments_come_from_the_done_item(backend: ModuleType) -> None:
    added = {"type": "function_call", "id": "fc_1", "call_id": "call_A", "name": "get", "arguments": ""}
    body = sse(
        {"type": "response.output_item.added", "output_index": 0, "item": added},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": '{"a":'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": "1}"},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "arguments": '{"a":1}'},
        {"type": "response.output_item.done", "item": {**added, "arguments": '{"a": 1}'}},
        completed(),
    )
    assert dicts(backend.parse(body, FAMILY)) == [
        {"type": "tool_input_start", "id": "call_A", "name": "get", "choice": 0, "provider_executed": False},
        {"type": "tool_input_delta", "id": "call_A", "delta": '{"a":'},
        {"type": "tool_input_delta", "id": "call_A", "delta": "1}"},
        {"type": "tool_input_end", "id": "call_A"},
        {"type": "tool_call", "id": "call_A", "name": "get", "arguments": '{"a": 1}', "provider_executed": False},
        finish("tool_calls", "completed"),
    ]


def test_web_search_is_a_provider_executed_call_with_its_action(backend: ModuleType) -> None:
    action = '{"type":"search", "query":"x é", "n":1.50}'
    item = '{"type":"web_search_call","id":"ws_1","status":"completed","action":' + action + "}"
    body = (
        b'data: {"type":"response.output_item.added","item":{"type":"web_search_call","id":"ws_1"}}\n\n'
        b'data: {"type":"response.output_item.done","item":' + item.encode() + b"}\n\n"
        b'data: {"type":"response.output_text.annotation.added","annotation":'
        b'{"type":"url_citation","url":"https://a.example","title":"A"}}\n\n'
        # A file citation that names no file cites nothing: passed over.
        b'data: {"type":"response.output_text.annotation.added","annotation":{"type":"file_citation"}}\n\n'
        b'data: {"type":"response.completed","response":{"status":"completed"}}\n\n'
    )
    assert dicts(backend.parse(body, FAMILY)) == [
        {"type": "tool_input_start", "id": "ws_1", "name": "web_search", "choice": 0, "provider_executed": True},
        {"type": "tool_input_end", "id": "ws_1"},
        {
            "type": "tool_call",
            "id": "ws_1",
            "name": "web_search",
            "arguments": action,
            "provider_executed": True,
            "call_type": "web_search_call",
        },
        # A web search has no result field: its action (with the sources found, when asked for) stands in.
        result_event("ws_1", "web_search", action),
        {
            "type": "source",
            "id": "src_0",
            "url": "https://a.example",
            "title": "A",
            "kind": "url",
            "media_type": None,
            "filename": None,
            "provider_metadata_json": None,
        },
        finish("stop", "completed"),
    ]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("max_output_tokens", "length"), ("content_filter", "content_filter"), ("something_new", "other")],
)
def test_incomplete_reasons(backend: ModuleType, reason: str, expected: str) -> None:
    body = sse(
        {"type": "response.output_text.delta", "item_id": "m", "content_index": 0, "delta": "x"},
        completed("incomplete", incomplete_details={"reason": reason}, usage=USAGE),
    )
    assert dicts(backend.parse(body, FAMILY))[-2:] == [
        {"type": "text_end", "id": "m:0"},
        finish(expected, reason, usage(100, 30, 20, 40)),
    ]


def test_failed_response_reports_error_then_finish(backend: ModuleType) -> None:
    body = sse(CREATED, completed("failed", error={"code": "server_error", "message": "boom"}))
    events = dicts(backend.parse(body, FAMILY))
    assert events[1:] == [
        {"type": "error", "message": "boom", "kind": "server_error", "raw": json.dumps(body_payload(body, 1))},
        finish("error", "failed"),
    ]


def body_payload(body: bytes, n: int) -> Any:
    return json.loads(body.decode().split("data: ")[n + 1].split("\n")[0])


def test_error_event_then_finish_at_end_or_with_failed(backend: ModuleType) -> None:
    error = {"type": "error", "code": "rate_limit_exceeded", "message": "slow down", "param": None}
    events = dicts(backend.parse(sse(CREATED, error), FAMILY))
    assert events[1:] == [
        {"type": "error", "message": "slow down", "kind": "rate_limit_exceeded", "raw": json.dumps(error)},
        finish("error", None),
    ]
    # A `response.failed` after it finishes the stream without a second error.
    events = dicts(backend.parse(sse(CREATED, error, completed("failed")), FAMILY))
    assert [e["type"] for e in events] == ["stream_start", "error", "finish"]
    assert events[-1] == finish("error", "failed")


def test_payloads_after_the_terminal_event_are_ignored(backend: ModuleType) -> None:
    late = {"type": "response.output_text.delta", "item_id": "m", "delta": "late"}
    assert dicts(backend.parse(sse(completed(), late, completed()), FAMILY)) == [finish("stop", "completed")]


def test_cut_stream_is_incomplete(backend: ModuleType) -> None:
    body = sse(CREATED, {"type": "response.output_text.delta", "item_id": "m", "content_index": 0, "delta": "x"})
    assert dicts(backend.parse(body, FAMILY))[-3:] == [
        {"type": "text_end", "id": "m:0"},
        {
            "type": "error",
            "message": "the stream ended before its terminal event",
            "kind": "incomplete_stream",
            "raw": None,
        },
        finish("error", None),
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "invalid JSON payload: not valid JSON"),
        ("[1, 2]", "unexpected payload: JSON of the wrong shape"),
        # Integer fields of another type read as absent: tests/test_tolerant_types.py.
    ],
)
def test_bad_payload(backend: ModuleType, payload: str, message: str) -> None:
    first = json.dumps(CREATED)
    body = f"data: {first}\n\ndata: {payload}\n\n".encode()
    parser = backend.StreamParser(FAMILY)
    offset = len(f"data: {first}\n\n")
    excerpt = payload if len(payload) <= 60 else payload[:60] + "..."
    expected = f"{message} at byte {offset}, event 1, near `{excerpt}`"
    with pytest.raises(StreamParseError, match="^" + re.escape(expected) + "$") as info:
        parser.feed(body)
    assert dicts(info.value.events) == [{"type": "stream_start", "id": "resp_1", "model": "gpt-x", "created": None}]
    # The parser stays usable.
    assert dicts(parser.feed(sse(completed()))) == [finish("stop", "completed")]
    emitted = dicts(backend.parse(body, FAMILY, on_error="emit"))
    assert emitted[1]["type"] == "error"
    assert emitted[1]["kind"] == "parse_error"
    assert emitted[1]["message"].startswith(message)


# --- tolerant reader: what is not modeled is reported or passed over, never fatal ---------------------


def test_new_payload_type_with_object_delta_is_unknown(backend: ModuleType) -> None:
    """A payload type the decoder does not model (here with an object where deltas carry a string,
    as `response.shell_call_output_content.delta` sends) is an `unknown` event. That one is known,
    and passed over: its content comes whole in the `shell_call_output` item."""
    new = {"type": "response.x_new_output.delta", "item_id": "sh", "delta": {"stdout": "x"}}
    shell = {"type": "response.shell_call_output_content.delta", "item_id": "sh", "delta": {"stdout": "x"}}
    events = dicts(backend.parse(sse(CREATED, new, shell, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "unknown", "kind": "response.x_new_output.delta", "raw": json.dumps(new)},
        finish("stop", "completed"),
    ]


def test_new_item_type_with_object_arguments_is_unknown(backend: ModuleType) -> None:
    """An item type not modeled (a new call whose `arguments` is an object) is reported once, at its
    `output_item.done`; its `output_item.added` is passed over."""
    item = {"type": "x_new_call", "id": "xc_1", "arguments": {"query": "q"}}
    added = {"type": "response.output_item.added", "output_index": 0, "item": item}
    done = {"type": "response.output_item.done", "output_index": 0, "item": item}
    events = dicts(backend.parse(sse(CREATED, added, done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "unknown", "kind": "x_new_call", "raw": json.dumps(done)},
        finish("stop", "completed"),
    ]


def result_event(id: str, name: str, result: str, is_error: bool = False) -> dict[str, Any]:
    event = {"type": "tool_result", "id": id, "name": name, "result": result, "is_error": is_error}
    return {**event, "provider_executed": True}


def typed(events: list[dict[str, Any]], item: dict[str, Any]) -> list[dict[str, Any]]:
    """``events`` with the item's type as the ``call_type`` of its call."""
    return [dict(e, call_type=item["type"]) if e["type"] == "tool_call" else e for e in events]


def call_events(id: str, name: str, arguments: str, provider_executed: bool) -> list[dict[str, Any]]:
    return [
        {"type": "tool_input_start", "id": id, "name": name, "choice": 0, "provider_executed": provider_executed},
        {"type": "tool_input_end", "id": id},
        {"type": "tool_call", "id": id, "name": name, "arguments": arguments, "provider_executed": provider_executed},
    ]


# Built-in tools' call items as the public corpus's recordings send them (vercel/ai fixtures), and
# the tool call each is: its call id, the tool's type as name, its input as sent.
BUILT_IN_CALLS = [
    (
        {
            "type": "apply_patch_call",
            "id": "apc_1",
            "call_id": "call_1",
            "operation": {"type": "delete_file", "path": "a"},
        },
        call_events("call_1", "apply_patch", '{"type": "delete_file", "path": "a"}', False),
    ),
    (
        {"type": "local_shell_call", "id": "lsh_1", "call_id": "call_1", "action": {"type": "exec", "command": ["ls"]}},
        call_events("call_1", "local_shell", '{"type": "exec", "command": ["ls"]}', False),
    ),
    (
        {"type": "shell_call", "id": "sh_1", "call_id": "call_1", "action": {"commands": ["ls"]}},
        call_events("call_1", "shell", '{"commands": ["ls"]}', False),
    ),
    (
        {
            "type": "shell_call",
            "id": "sh_1",
            "call_id": "call_1",
            "action": {"commands": ["ls"]},
            "environment": {"type": "container_reference", "container_id": "cntr_1"},
        },
        call_events("call_1", "shell", '{"commands": ["ls"]}', True),
    ),
    (
        {
            "type": "tool_search_call",
            "id": "tsc_1",
            "call_id": "call_1",
            "arguments": {"goal": "g"},
            "execution": "client",
        },
        call_events("call_1", "tool_search", '{"goal": "g"}', False),
    ),
    (
        {"type": "tool_search_call", "id": "tsc_1", "call_id": None, "arguments": {"goal": "g"}, "execution": "server"},
        call_events("tsc_1", "tool_search", '{"goal": "g"}', True),
    ),
    (
        {"type": "custom_tool_call", "id": "ct_1", "call_id": "call_1", "name": "sql", "input": "SELECT 1"},
        call_events("call_1", "sql", "SELECT 1", False),
    ),
]


@pytest.mark.parametrize(("item", "expected"), BUILT_IN_CALLS, ids=lambda v: v["type"] if isinstance(v, dict) else "")
def test_built_in_tool_calls(backend: ModuleType, item: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    done = {"type": "response.output_item.done", "output_index": 0, "item": item}
    events = dicts(backend.parse(sse(CREATED, done, completed()), FAMILY, on_error="raise"))
    reason = "stop" if expected[-1]["provider_executed"] else "tool_calls"
    assert events[1:] == [*typed(expected, item), finish(reason, "completed")]


# Hosted tools' items (as in the public corpus's recordings) and what each becomes: a provider-run call
# (its item id, the tool's type or the MCP tool's name, its input) and the result field as sent.
HOSTED_ITEMS = [
    (
        {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["q"], "results": None},
        [*call_events("fs_1", "file_search", '["q"]', True), result_event("fs_1", "file_search", "null")],
    ),
    (
        {
            "type": "file_search_call",
            "id": "fs_1",
            "status": "failed",
            "queries": ["q"],
            "results": [{"file_id": "f", "score": 0.93}],
        },
        [
            *call_events("fs_1", "file_search", '["q"]', True),
            result_event("fs_1", "file_search", '[{"file_id": "f", "score": 0.93}]', is_error=True),
        ],
    ),
    (
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "code": "print(1)\r\n",
            "container_id": "cntr_1",
            "outputs": [{"type": "logs", "logs": "1"}],
        },
        [
            *call_events("ci_1", "code_interpreter", "print(1)\r\n", True),
            result_event("ci_1", "code_interpreter", '[{"type": "logs", "logs": "1"}]'),
        ],
    ),
    (
        {"type": "mcp_call", "id": "mcp_1", "name": "ask", "server_label": "s", "arguments": '{"q":1}', "output": "A"},
        [*call_events("mcp_1", "ask", '{"q":1}', True), result_event("mcp_1", "ask", '"A"')],
    ),
    (
        {"type": "mcp_call", "id": "mcp_1", "name": "ask", "arguments": "{}", "output": None, "error": "denied"},
        [*call_events("mcp_1", "ask", "{}", True), result_event("mcp_1", "ask", '"denied"', is_error=True)],
    ),
    (
        {"type": "shell_call_output", "id": "sho_1", "call_id": "call_1", "output": [{"stdout": "x"}]},
        [result_event("call_1", "shell", '[{"stdout": "x"}]')],
    ),
    (
        {"type": "tool_search_output", "id": "tso_1", "call_id": "call_1", "execution": "server", "tools": []},
        [result_event("call_1", "tool_search", "[]")],
    ),
]


@pytest.mark.parametrize(("item", "expected"), HOSTED_ITEMS, ids=lambda v: v["type"] if isinstance(v, dict) else "")
def test_hosted_tool_items(backend: ModuleType, item: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    done = {"type": "response.output_item.done", "output_index": 0, "item": item}
    events = dicts(backend.parse(sse(CREATED, done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [*typed(expected, item), finish("stop", "completed")]


def test_hosted_inputs_stream_and_a_tool_search_output_answers_the_latest_search(backend: ModuleType) -> None:
    """Code interpreter code and MCP arguments stream as deltas naming the item; a
    `tool_search_output` without `call_id` answers the tool search before it."""
    code = {"type": "code_interpreter_call", "id": "ci_1", "code": ""}
    mcp = {"type": "mcp_call", "id": "mcp_1", "name": "ask", "arguments": ""}
    search = {"type": "tool_search_call", "id": "tsc_1", "call_id": None, "execution": "server", "arguments": {}}
    payloads = [
        {"type": "response.output_item.added", "item": code},
        {"type": "response.code_interpreter_call_code.delta", "item_id": "ci_1", "delta": "1+"},
        {"type": "response.code_interpreter_call_code.done", "item_id": "ci_1", "code": "1+"},
        {"type": "response.code_interpreter_call.completed", "item_id": "ci_1"},
        {"type": "response.output_item.done", "item": {**code, "code": "1+1", "outputs": None}},
        {"type": "response.output_item.added", "item": mcp},
        {"type": "response.mcp_call_arguments.delta", "item_id": "mcp_1", "delta": "{}"},
        {"type": "response.output_item.done", "item": {**mcp, "arguments": "{}", "output": "ok"}},
        {"type": "response.output_item.done", "item": search},
        {"type": "response.output_item.done", "item": {"type": "tool_search_output", "id": "tso_1", "tools": [1]}},
    ]
    events = dicts(backend.parse(sse(CREATED, *payloads, completed()), FAMILY, on_error="raise"))
    start = {"type": "tool_input_start", "choice": 0, "provider_executed": True}
    call = {"type": "tool_call", "provider_executed": True}
    assert events[1:] == [
        {**start, "id": "ci_1", "name": "code_interpreter"},
        {"type": "tool_input_delta", "id": "ci_1", "delta": "1+"},
        {"type": "tool_input_end", "id": "ci_1"},
        {**call, "id": "ci_1", "name": "code_interpreter", "arguments": "1+1", "call_type": "code_interpreter_call"},
        result_event("ci_1", "code_interpreter", "null"),
        {**start, "id": "mcp_1", "name": "ask"},
        {"type": "tool_input_delta", "id": "mcp_1", "delta": "{}"},
        {"type": "tool_input_end", "id": "mcp_1"},
        {**call, "id": "mcp_1", "name": "ask", "arguments": "{}", "call_type": "mcp_call"},
        result_event("mcp_1", "ask", '"ok"'),
        *typed(call_events("tsc_1", "tool_search", "{}", True), {"type": "tool_search_call"}),
        result_event("tsc_1", "tool_search", "[1]"),
        finish("stop", "completed"),
    ]


def test_generated_images_are_files(backend: ModuleType) -> None:
    """Partial previews and the final image: bytes of their base64, media type from `output_format`
    (else PNG); a preview that is not base64 is `unknown`, the final one stays in its result."""
    image = {"type": "image_generation_call", "id": "ig_1", "status": "completed"}
    partial = {"type": "response.image_generation_call.partial_image", "item_id": "ig_1", "partial_image_index": 0}
    cut = {**partial, "partial_image_b64": "Zm9v...YmFy"}
    payloads = [
        {"type": "response.output_item.added", "item": image},
        {**partial, "partial_image_b64": "Zm9v", "output_format": "jpeg"},
        cut,
        {"type": "response.output_item.done", "item": {**image, "result": "YmFy", "output_format": "webp"}},
        {"type": "response.output_item.done", "item": {**image, "id": "ig_2", "result": "Y..."}},
    ]
    events = backend.parse(sse(CREATED, *payloads, completed()), FAMILY, on_error="raise")
    files = [(e.id, e.media_type, e.data, e.partial) for e in events if e.type == "file"]
    assert files == [("ig_1", "image/jpeg", b"foo", True), ("ig_1", "image/webp", b"bar", False)]
    assert [e.raw for e in events if e.type == "unknown"] == [json.dumps(cut)]
    results = [(e.id, e.result) for e in events if e.type == "tool_result"]
    assert results == [("ig_1", '"YmFy"'), ("ig_2", '"Y..."')]
    assert [f.to_dict()["data"] for f in backend.parse(sse(*payloads[:2]), FAMILY) if f.type == "file"] == ["Zm9v"]


HOSTED_TAGS = (
    "web_search_call",
    "file_search_call",
    "code_interpreter_call",
    "image_generation_call",
    "partial_image",
    "mcp_call",
    "shell_call_output",
    "tool_search_output",
)
PUBLIC_HOSTED = sorted({item for tag in HOSTED_TAGS for item in public_bodies(FAMILY, tag=tag)})


@pytest.mark.parametrize(("name", "body"), PUBLIC_HOSTED, ids=[name for name, _ in PUBLIC_HOSTED])
def test_hosted_tool_bodies_same_on_both_backends_whole_and_split(name: str, body: bytes) -> None:
    """The public corpus's bodies with hosted tools: the reference's events, whole, from Rust, and
    from both backends fed in random chunks."""
    expected = dicts(reference.parse(body, FAMILY, on_error="emit"))
    assert any(e["type"] == "tool_result" for e in expected)
    rust = rust_backend()
    assert dicts(rust.parse(body, FAMILY, on_error="emit")) == expected
    rng = random.Random(len(body))
    for backend in (rust, reference):
        for n in range(8):
            chunks = random_splits(body, rng, rng.choice((7, 64, 512, 4096)))
            events, _ = feed_all(backend, chunks, FAMILY, on_error="emit")
            assert dicts(events) == expected, f"{backend.__name__}, chunking {n}"


def test_custom_tool_input_streams(backend: ModuleType) -> None:
    """A custom tool's free-text input streams as `custom_tool_call_input` deltas naming the item."""
    item = {"type": "custom_tool_call", "id": "ct_1", "call_id": "call_1", "name": "sql", "input": ""}
    added = {"type": "response.output_item.added", "output_index": 0, "item": item}
    delta = {"type": "response.custom_tool_call_input.delta", "item_id": "ct_1", "delta": "SELECT"}
    done = {"type": "response.output_item.done", "output_index": 0, "item": {**item, "input": "SELECT"}}
    events = dicts(backend.parse(sse(CREATED, added, delta, done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "tool_input_start", "id": "call_1", "name": "sql", "choice": 0, "provider_executed": False},
        {"type": "tool_input_delta", "id": "call_1", "delta": "SELECT"},
        {"type": "tool_input_end", "id": "call_1"},
        {
            "type": "tool_call",
            "id": "call_1",
            "name": "sql",
            "arguments": "SELECT",
            "provider_executed": False,
            "call_type": "custom_tool_call",
        },
        finish("tool_calls", "completed"),
    ]


def test_reasoning_text_is_reasoning(backend: ModuleType) -> None:
    """Raw reasoning (`reasoning_text` deltas, as gpt-oss servers send it) is a reasoning part."""
    delta = {"type": "response.reasoning_text.delta", "item_id": "rs_1", "content_index": 0, "delta": "Hm"}
    text_done = {"type": "response.reasoning_text.done", "item_id": "rs_1", "content_index": 0, "text": "Hm"}
    done = {"type": "response.output_item.done", "item": {"type": "reasoning", "id": "rs_1"}}
    events = dicts(backend.parse(sse(CREATED, delta, text_done, done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "reasoning_start", "id": "rs_1:0", "choice": 0},
        {"type": "reasoning_delta", "id": "rs_1:0", "text": "Hm"},
        {"type": "reasoning_end", "id": "rs_1:0", "signature": None, "redacted": False},
        finish("stop", "completed"),
    ]


def test_an_error_object_gives_its_message(backend: ModuleType) -> None:
    """`OpenAI` sends an `error` event's code and message in an `error` object (public corpus)."""
    error = {"type": "error", "error": {"type": "insufficient_quota", "code": "quota", "message": "You exceeded"}}
    events = dicts(backend.parse(sse(CREATED, error), FAMILY, on_error="raise"))
    assert events[1] == {"type": "error", "message": "You exceeded", "kind": "quota", "raw": json.dumps(error)}


def test_known_field_with_new_type_is_passed_over(backend: ModuleType) -> None:
    """A function call whose `name` comes as an object: the name is passed over, the call kept."""
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": {"v": 2}, "arguments": "{}"}
    done = {"type": "response.output_item.done", "output_index": 0, "item": item}
    events = dicts(backend.parse(sse(CREATED, done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "tool_input_start", "id": "call_1", "name": "", "choice": 0, "provider_executed": False},
        {"type": "tool_input_end", "id": "call_1"},
        {"type": "tool_call", "id": "call_1", "name": "", "arguments": "{}", "provider_executed": False},
        finish("tool_calls", "completed"),
    ]


def test_payload_type_of_another_json_type_is_passed_over(backend: ModuleType) -> None:
    """`"type": 5` reads as no type: the SSE event name stands in (`message` here), not modeled."""
    events = dicts(backend.parse(b'data: {"type": 5}\n\n', FAMILY, on_error="raise"))
    assert events[0] == {"type": "unknown", "kind": "message", "raw": '{"type": 5}'}


# --- fuzz: both backends accept and reject the same payloads --------------------------------------------

_TYPES = st.sampled_from(
    [
        "response.created",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_text.delta",
        "response.content_part.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.function_call_arguments.delta",
        "response.code_interpreter_call_code.delta",
        "response.mcp_call_arguments.delta",
        "response.image_generation_call.partial_image",
        "response.output_text.annotation.added",
        "response.completed",
        "response.incomplete",
        "response.failed",
        "error",
    ]
)


_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "type": _maybe(
            st.sampled_from(
                [
                    "function_call",
                    "web_search_call",
                    "reasoning",
                    "message",
                    "file_search_call",
                    "code_interpreter_call",
                    "image_generation_call",
                    "mcp_call",
                    "tool_search_call",
                    "shell_call_output",
                    "tool_search_output",
                ]
            )
        ),
        "id": _maybe(st.sampled_from(["i1", "i2"])),
        "call_id": _maybe(st.sampled_from(["c1", "c2"])),
        "name": _maybe(_TEXT),
        "arguments": _maybe(_TEXT),
        "encrypted_content": _maybe(_TEXT),
        "action": _ANY,
        "status": _maybe(st.sampled_from(["completed", "failed"])),
        "execution": _ANY,
        "queries": _ANY,
        "code": _ANY,
        "results": _ANY,
        "outputs": _ANY,
        "result": _maybe(st.sampled_from(["Zm9v", "Zm9", "Z", "Zm9v...", "", "Zg=="])),
        "output_format": _ANY,
        "output": _ANY,
        "error": _ANY,
        "tools": _ANY,
    },
)
_USAGE = st.fixed_dictionaries(
    {},
    optional={
        "input_tokens": _ANY,
        "output_tokens": _ANY,
        "input_tokens_details": _maybe(st.fixed_dictionaries({}, optional={"cached_tokens": _ANY})),
        "output_tokens_details": _maybe(st.fixed_dictionaries({}, optional={"reasoning_tokens": _ANY})),
    },
)
_RESPONSE = st.fixed_dictionaries(
    {},
    optional={
        "id": _maybe(_TEXT),
        "model": _maybe(_TEXT),
        "status": _maybe(_TEXT),
        "usage": _maybe(_USAGE),
        "incomplete_details": _maybe(st.fixed_dictionaries({}, optional={"reason": _ANY})),
        "error": _maybe(st.fixed_dictionaries({}, optional={"code": _ANY, "message": _ANY})),
    },
)
_PAYLOAD = st.fixed_dictionaries(
    {"type": _maybe(_TYPES)},
    optional={
        "response": _maybe(_RESPONSE),
        "item": _maybe(_ITEM),
        "item_id": _maybe(st.sampled_from(["i1", "i2"])),
        "content_index": _maybe(st.integers(0, 2)),
        "summary_index": _maybe(st.integers(0, 2)),
        "delta": _maybe(_TEXT),
        "annotation": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "type": _maybe(st.sampled_from(["url_citation", "file_citation", "container_file_citation"])),
                    "url": _ANY,
                    "title": _ANY,
                    "filename": _ANY,
                    "file_id": _ANY,
                    "container_id": _ANY,
                    "index": _ANY,
                    "start_index": _ANY,
                    "end_index": _ANY,
                },
            )
        ),
        "code": _ANY,
        "message": _ANY,
        "partial_image_b64": _maybe(st.sampled_from(["Zm9v", "Zm9", "Z", "Zm9v...", "", "Zg=="])),
        "output_format": _ANY,
        "extra": _ANY,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PAYLOAD.map(json.dumps), min_size=1, max_size=6))
def test_fuzzed_payloads_same_on_both_backends(payloads: list[str]) -> None:
    rust = outcome(rust_backend(), FAMILY, payloads)
    ref = outcome(reference, FAMILY, payloads)
    assert rust == ref


def test_a_refusal_is_kept_apart_from_text(backend: ModuleType) -> None:
    """`response.refusal.delta` (the API reference's refusal content part) is a refusal part."""
    deltas = [
        {"type": "response.refusal.delta", "item_id": "msg_1", "content_index": 0, "delta": d} for d in ("I can", "'t")
    ]
    part_done = {"type": "response.content_part.done", "item_id": "msg_1", "content_index": 0}
    events = dicts(backend.parse(sse(CREATED, *deltas, part_done, completed()), FAMILY, on_error="raise"))
    assert events[1:] == [
        {"type": "refusal_start", "id": "msg_1:0", "choice": 0},
        {"type": "refusal_delta", "id": "msg_1:0", "text": "I can"},
        {"type": "refusal_delta", "id": "msg_1:0", "text": "'t"},
        {"type": "refusal_end", "id": "msg_1:0"},
        finish("stop", "completed"),
    ]
    message = backend.parse_many([sse(CREATED, *deltas, part_done, completed())], FAMILY)[0]
    assert (message.refusal, message.text) == ("I can't", "")


def annotation_added(annotation: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return {
        "type": "response.output_text.annotation.added",
        "item_id": "msg_1",
        "output_index": 1,
        "content_index": 0,
        "annotation_index": index,
        "annotation": annotation,
    }


def test_file_citations_are_document_sources(backend: ModuleType) -> None:
    # The annotations as the API reference documents them (file search; code interpreter files).
    file_citation = {"type": "file_citation", "index": 992, "file_id": "file-2dtbBZ", "filename": "deep_research.pdf"}
    container_citation = {
        "type": "container_file_citation",
        "container_id": "cntr_1",
        "end_index": 465,
        "file_id": "cfile_1",
        "filename": "sums.csv",
        "start_index": 423,
    }
    body = sse(CREATED, annotation_added(file_citation), annotation_added(container_citation, 1), completed())
    sources = [e for e in dicts(backend.parse(body, FAMILY)) if e["type"] == "source"]
    assert sources == [
        {
            "type": "source",
            "id": "src_0",
            "url": None,
            "title": None,
            "kind": "document",
            "media_type": None,
            "filename": "deep_research.pdf",
            "provider_metadata_json": '{"file_id":"file-2dtbBZ","index":992}',
        },
        {
            "type": "source",
            "id": "src_1",
            "url": None,
            "title": None,
            "kind": "document",
            "media_type": None,
            "filename": "sums.csv",
            "provider_metadata_json": (
                '{"file_id":"cfile_1","container_id":"cntr_1","start_index":423,"end_index":465}'
            ),
        },
    ]


def test_document_citation_metadata_is_kept_as_sent(backend: ModuleType) -> None:
    # The members' JSON text as sent (spacing, number spelling, a repeated key's last value); a
    # `null` is absent; a citation naming no file is passed over; url and file citations share the count.
    payload = (
        '{"type":"response.output_text.annotation.added","annotation":{"type":"file_citation",'
        '"file_id" : "f\\u0031", "index": 1.50e1, "index": -0, "container_id": null, "filename": 7}}'
    )
    body = (
        b'data: {"type":"response.output_text.annotation.added","annotation":{"type":"url_citation","url":"u"}}\n\n'
        + f"data: {payload}\n\n".encode()
        + b'data: {"type":"response.output_text.annotation.added","annotation":{"type":"container_file_citation"}}\n\n'
    )
    sources = [e for e in backend.parse(body, FAMILY, on_error="emit") if e.type == "source"]
    assert [(e.id, e.kind, e.filename) for e in sources] == [("src_0", "url", None), ("src_1", "document", None)]
    assert sources[1].provider_metadata_json == '{"file_id":"f\\u0031","index":-0}'
    assert sources[1].provider_metadata == {"file_id": "f1", "index": 0}
