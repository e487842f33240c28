"""The life of one StreamParser on both backends: nothing goes in after close(), and a call that
re-enters the parser (from code its own tool_input() accumulators run) fails with the state whole."""

from __future__ import annotations

import re
from types import ModuleType

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
