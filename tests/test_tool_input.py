"""StreamParser.tool_input(id): live arguments while a tool call streams; ToolCall.input is strict."""

from __future__ import annotations

import json
import random
from types import ModuleType

import pytest

from streamdelta import JsonIncompleteError, StreamParseError

from .conftest import corpus_interactions, family_of, random_splits

CHAT = [
    b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",'
    b'"type":"function","function":{"name":"write_file","arguments":""}}]}}]}\n\n',
    b'data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":'
    b'{"arguments":"{\\"path\\": \\"a.py\\", \\"content\\": \\"print("}}]}}]}\n\n',
    b'data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":'
    b'{"arguments":"1)\\"}"}}]}}]}\n\n',
    b'data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\n',
    b"data: [DONE]\n\n",
]


def test_live_snapshot_while_streaming(backend: ModuleType) -> None:
    p = backend.StreamParser("openai-chat")
    p.feed(CHAT[0])
    acc = p.tool_input("call_1")
    assert acc.snapshot() is None
    p.feed(CHAT[1])
    assert acc.snapshot() == {"path": "a.py", "content": "print("}
    assert p.tool_input("call_1") is acc
    assert not acc.is_complete
    p.feed(CHAT[2])
    assert acc.is_complete
    assert acc.value() == {"path": "a.py", "content": "print(1)"}
    events = p.feed(CHAT[3]) + p.feed(CHAT[4]) + p.close()
    (call,) = [e for e in events if e.type == "tool_call"]
    assert call.input == acc.value()


def test_requested_late_gets_everything_so_far(backend: ModuleType) -> None:
    p = backend.StreamParser("openai-chat")
    for chunk in CHAT[:2]:
        p.feed(chunk)
    assert p.tool_input("call_1").snapshot() == {"path": "a.py", "content": "print("}


def test_unknown_id(backend: ModuleType) -> None:
    p = backend.StreamParser("openai-chat")
    p.feed(CHAT[0])
    with pytest.raises(KeyError, match="no tool call `call_9` in this stream"):
        p.tool_input("call_9")


def test_invalid_arguments_keep_raw_text_and_input_raises(backend: ModuleType) -> None:
    body = (
        CHAT[0]
        + (
            b'data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":'
            b'{"arguments":"{\\"a\\": tru}"}}]}}]}\n\n'
        )
        + CHAT[3]
        + CHAT[4]
    )
    p = backend.StreamParser("openai-chat")
    events = p.feed(body) + p.close()
    (call,) = [e for e in events if e.type == "tool_call"]
    assert call.arguments == '{"a": tru}'
    with pytest.raises(StreamParseError, match="at byte 9"):
        call.input  # noqa: B018
    with pytest.raises(StreamParseError, match="at byte 9"):
        p.tool_input("call_1").value()
    assert p.tool_input("call_1").snapshot() == {}


def test_truncated_arguments_are_incomplete_not_repaired(backend: ModuleType) -> None:
    call = backend.ToolCall("call_1", "f", '{"a": [1, 2')
    with pytest.raises(JsonIncompleteError):
        call.input  # noqa: B018


def test_input_is_strict_where_json_loads_is_not(backend: ModuleType) -> None:
    assert json.loads('{"x": NaN}')
    with pytest.raises(StreamParseError):
        backend.ToolCall("c", "f", '{"x": NaN}').input  # noqa: B018


def _streaming_bodies() -> list[tuple[str, str, bytes]]:
    out = []
    for name, item in corpus_interactions():
        family = family_of(item)
        if family != "bedrock" and b"tool" in item.body:
            out.append((name, family, item.body))
    return out


@pytest.mark.parametrize(("name", "family", "body"), _streaming_bodies(), ids=[b[0] for b in _streaming_bodies()])
def test_corpus_tool_inputs_match_tool_calls(backend: ModuleType, name: str, family: str, body: bytes) -> None:
    """Requested at its start, the live accumulator ends equal to the complete call's input. A call
    whose arguments came whole with its completion (Responses web search) streamed no fragments."""
    p = backend.StreamParser(family)
    live = {}
    streamed: dict[str, str] = {}
    checked = 0
    for chunk in random_splits(body, random.Random(name), 256):
        for event in p.feed(chunk):
            if event.type == "tool_input_start":
                live[event.id] = p.tool_input(event.id)
                streamed[event.id] = ""
            elif event.type == "tool_input_delta":
                streamed[event.id] += event.delta
            elif event.type == "tool_call" and event.id in live:
                if streamed[event.id]:
                    assert live[event.id].value() == event.input
                    checked += 1
                else:
                    assert live[event.id].snapshot() is None
    p.close()
    assert checked or not any(streamed.values())
