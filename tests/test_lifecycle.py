"""The life of one StreamParser on both backends: nothing goes in after close(), and a call that
re-enters the parser (from code its own tool_input() accumulators run) fails with the state whole."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pytest

GEMINI = b'data: {"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"responseId":"r"}\n\n'
CLOSED = "`feed()` after `close()`: the stream has ended"


def test_feed_after_close_raises_and_changes_nothing(backend: ModuleType) -> None:
    # Regression (issue 19): a feed after close() opened new parts after `finish` and doubled the text.
    p = backend.StreamParser("gemini")
    events = p.feed(GEMINI) + p.close()
    assert [e.type for e in events][-2:] == ["text_end", "finish"]
    message = p.message
    for chunk in (GEMINI, b"", "data: x\n\n"):
        with pytest.raises(ValueError, match=f"^{re.escape(CLOSED)}$") as caught:
            p.feed(chunk)
        assert type(caught.value) is ValueError  # not a StreamParseError: the input is not at fault
    assert p.message == message
    assert p.message.text == "hi"
    assert p.close() == []


def test_close_twice_adds_nothing(backend: ModuleType) -> None:
    p = backend.StreamParser("gemini")
    p.feed(GEMINI)
    assert [e.type for e in p.close()] == ["text_end", "finish"]
    message = p.message
    assert p.close() == []
    assert p.message == message


def test_feed_after_a_close_that_raised(backend: ModuleType) -> None:
    # A close() that raised (the body's last event is not JSON) still ends the intake: feed() is
    # refused, and close() again finishes the stream.
    p = backend.StreamParser("gemini")
    p.feed(GEMINI + b"data: {")
    with pytest.raises(ValueError, match=r"^invalid JSON payload"):
        p.close()
    with pytest.raises(ValueError, match=f"^{re.escape(CLOSED)}$"):
        p.feed(GEMINI)
    assert [e.type for e in p.close()] == ["text_end", "finish"]
    assert p.message.text == "hi"


def sse(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


TOOL_START = sse(
    "message_start", '{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1}}}'
) + sse(
    "content_block_start",
    '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}',
)
TOOL_REST = (
    sse(
        "content_block_delta",
        '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":1}"}}',
    )
    + sse("content_block_stop", '{"type":"content_block_stop","index":0}')
    + sse("message_delta", '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}')
    + sse("message_stop", '{"type":"message_stop"}')
)


def test_reentry_from_its_own_tool_input_raises_and_keeps_the_state_whole(backend: ModuleType) -> None:
    # Regression (issue 19): a feed() run from inside a feed() of one of the parser's own tool_input()
    # accumulators panicked in Rust (`PanicException: Already borrowed`) with the payload half
    # handled, and in the reference left the events parsed but out of the message.
    p = backend.StreamParser("anthropic")
    p.feed(TOOL_START)
    acc = p.tool_input("t1")
    seen: list[str] = []

    class Reentrant(str):
        # A lone surrogate sends both backends through `encode`, which runs while the call holds `acc`.
        def encode(self, *args: Any, **kwargs: Any) -> bytes:
            try:
                p.feed(TOOL_REST)
            except RuntimeError as err:
                seen.append(str(err))
            return b""

    assert acc.feed(Reentrant("\ud800")) == []
    assert seen == ["Already borrowed"]
    expected = backend.parse(TOOL_START + TOOL_REST)[2:]
    assert p.feed(TOOL_REST) + p.close() == expected
    assert [call.arguments for call in p.message.tool_calls] == ['{"a":1}']
    assert acc.value() == {"a": 1}


def test_an_accumulator_of_a_finished_call_is_not_held(backend: ModuleType) -> None:
    # Only the accumulators of calls still streaming can be fed, so only they make a feed() refuse.
    p = backend.StreamParser("anthropic")
    p.feed(TOOL_START + TOOL_REST[: TOOL_REST.index(b"event: message_delta")])
    acc = p.tool_input("t1")
    got: list[Any] = []

    class Reentrant(str):
        def encode(self, *args: Any, **kwargs: Any) -> bytes:
            got.extend(p.feed(TOOL_REST[TOOL_REST.index(b"event: message_delta") :]))
            return b""

    assert acc.feed(Reentrant("\ud800")) == []
    assert [e.type for e in got] == ["finish"]
    assert acc.value() == {"a": 1}
