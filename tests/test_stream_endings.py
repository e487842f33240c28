"""Stream endings (DESIGN.md, "Bad input"): `data: [DONE]` is a terminal event.

In chat it ends the stream normally even when no chunk carried a finish reason (Snowflake, Novita);
in Responses, OpenRouter's `[DONE]` after `response.completed` is passed over. Checked on built
payloads and on every public corpus body tagged `done_without_finish_reason` / `responses_trailing_done`.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from .conftest import CORPUS
from .family_corpus import finish
from .invariants import dicts

MANIFEST = CORPUS.parent / "public" / "manifest.jsonl"
TAGS = {"done_without_finish_reason": "openai-chat", "responses_trailing_done": "openai-responses"}


def _tagged() -> list[tuple[str, str, str]]:
    if not MANIFEST.is_file():
        return []
    out = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        out.extend((entry["path"], tag, TAGS[tag]) for tag in entry.get("features", ()) if tag in TAGS)
    return out


TAGGED = _tagged()


def _sse(*payloads: str) -> bytes:
    return "".join(f"data: {p}\n\n" for p in payloads).encode()


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    return json.dumps({"id": "c1", "model": "m", "choices": [choice]})


def test_chat_done_without_finish_reason_is_stop(backend: ModuleType) -> None:
    events = dicts(backend.parse(_sse(_chunk({"content": "Hi"}), "[DONE]"), "openai-chat"))
    assert events[-2:] == [{"type": "text_end", "id": "0"}, finish("stop", None)]


def test_chat_done_without_finish_reason_after_tool_calls_is_tool_calls(backend: ModuleType) -> None:
    call = {"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": "{}"}}]}
    events = dicts(backend.parse(_sse(_chunk(call), "[DONE]"), "openai-chat"))
    assert events[-1] == finish("tool_calls", None)
    assert {"type": "tool_call", "id": "call_1", "name": "f", "arguments": "{}", "provider_executed": False} in events


def test_chat_done_is_the_terminal_event(backend: ModuleType) -> None:
    """The finish comes with `[DONE]`, not at `close()`."""
    parser = backend.StreamParser("openai-chat")
    events = dicts(parser.feed(_sse(_chunk({"content": "Hi"}), "[DONE]")))
    assert events[-1] == finish("stop", None)
    assert parser.close() == []


def test_chat_finish_reason_before_done_is_kept(backend: ModuleType) -> None:
    events = dicts(backend.parse(_sse(_chunk({"content": "Hi"}, "length"), "[DONE]"), "openai-chat"))
    assert events[-1] == finish("length", "length")


def test_responses_trailing_done_is_passed_over(backend: ModuleType) -> None:
    created = json.dumps({"type": "response.created", "response": {"id": "r", "model": "m"}})
    completed = json.dumps({"type": "response.completed", "response": {"id": "r", "status": "completed"}})
    without = dicts(backend.parse(_sse(created, completed), "openai-responses", on_error="raise"))
    assert dicts(backend.parse(_sse(created, completed, "[DONE]"), "openai-responses", on_error="raise")) == without
    assert without[-1] == finish("stop", "completed")


def test_responses_done_does_not_stand_for_the_terminal_event(backend: ModuleType) -> None:
    created = json.dumps({"type": "response.created", "response": {"id": "r", "model": "m"}})
    events = dicts(backend.parse(_sse(created, "[DONE]"), "openai-responses", on_error="raise"))
    assert events[-2]["kind"] == "incomplete_stream"


@pytest.mark.skipif(not TAGGED, reason="no public corpus")
@pytest.mark.parametrize(("path", "tag", "family"), TAGGED, ids=[f"{t[1]}:{t[0]}" for t in TAGGED])
def test_tagged_bodies_end_normally(backend: ModuleType, path: str, tag: str, family: str) -> None:
    body = (MANIFEST.parent / path).read_bytes()
    events = dicts(backend.parse(body, family, on_error="raise"))
    assert [e for e in events if e["type"] == "error"] == []
    assert events[-1]["type"] == "finish"
    assert events[-1]["reason"] != "error"
