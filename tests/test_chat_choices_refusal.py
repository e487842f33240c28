"""Chat refusals and n > 1 choices, with the official ``openai`` client's chunk accumulator
(``ChatCompletionStreamState``) as the oracle: ``delta.refusal`` becomes refusal parts and
``Message.refusal``; each choice index its own parts (``choice=i``) and ``Message.choices[i]``.
Both backends; the public corpus bodies tagged ``refusal`` and ``choice_index_gt_0`` and synthetic
ones."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from .conftest import PUBLIC, public_bodies
from .invariants import check_ordering, dicts
from .test_openai_chat import chunk, sdk_snapshot, sse

REFUSAL = sse(
    chunk({"role": "assistant", "content": None, "refusal": ""}),
    chunk({"refusal": "I'm sorry, "}),
    chunk({"refusal": "I can't help with that."}),
    chunk({}, "stop"),
)
# n=2, the choices' chunks interleaved as OpenAI sends them; choice 1 calls a tool.
TWO_CHOICES = sse(
    chunk({"role": "assistant", "content": ""}, index=0),
    chunk({"role": "assistant", "content": ""}, index=1),
    chunk({"content": "Par"}, index=0),
    chunk({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": ""}}]}, index=1),
    chunk({"content": "is"}, index=0),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a":1}'}}]}, index=1),
    chunk({}, "stop", index=0),
    chunk({}, "tool_calls", index=1),
)
REFUSAL_BODIES = [("synthetic", REFUSAL), *public_bodies("openai-chat", tag="refusal")]
CHOICE_BODIES = [("synthetic", TWO_CHOICES), *public_bodies("openai-chat", tag="choice_index_gt_0")]


def parsed(backend: ModuleType, body: bytes) -> tuple[list[dict[str, Any]], Any]:
    parser = backend.StreamParser("openai-chat")
    events = parser.feed(body) + parser.close()
    return dicts(events), parser.message


def test_the_corpus_has_the_tagged_bodies() -> None:
    if not (PUBLIC / "manifest.jsonl").is_file():
        pytest.skip("no public corpus")
    assert len(REFUSAL_BODIES) > 1
    assert len(CHOICE_BODIES) > 1


@pytest.mark.parametrize(("name", "body"), REFUSAL_BODIES, ids=[n for n, _ in REFUSAL_BODIES])
def test_refusal_agrees_with_the_openai_sdk(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    sdk = sdk_snapshot(body).choices[0].message
    assert sdk.refusal
    assert message.refusal == sdk.refusal
    assert message.text == (sdk.content or "")
    refusals = [e for e in events if e["type"].startswith("refusal_")]
    assert refusals[0]["type"] == "refusal_start"
    assert refusals[-1]["type"] == "refusal_end"
    assert "".join(e["text"] for e in refusals if e["type"] == "refusal_delta") == sdk.refusal
    assert [(p.kind, p.text) for p in message.parts if p.kind == "refusal"] == [("refusal", sdk.refusal)]


@pytest.mark.parametrize(("name", "body"), CHOICE_BODIES, ids=[n for n, _ in CHOICE_BODIES])
def test_choices_agree_with_the_openai_sdk(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    sdk = sorted(sdk_snapshot(body).choices, key=lambda c: c.index)
    assert [c.index for c in sdk] == list(range(len(sdk)))
    assert len(sdk) > 1
    assert [c.text for c in message.choices] == [c.message.content or "" for c in sdk]
    assert message.text == message.choices[0].text
    for ours, theirs in zip(message.choices, sdk, strict=True):
        calls = [(t.id, t.function.name, t.function.arguments or "{}") for t in theirs.message.tool_calls or []]
        assert [(t.id, t.name, t.arguments) for t in ours.tool_calls] == calls
    # Every part is of the choice it came in: its events carry that index, its text is that choice's.
    choice_of = {e["id"]: e["choice"] for e in events if e["type"].endswith("_start") and "choice" in e}
    for i, ours in enumerate(message.choices):
        assert {choice_of[p.id] for p in ours.parts} <= {i}


def test_a_single_choice_has_no_choices(backend: ModuleType) -> None:
    _, message = parsed(backend, sse(chunk({"content": "a"}), chunk({}, "stop")))
    assert message.choices == ()
    assert [(p.kind, p.text) for p in message.parts] == [("text", "a")]


def test_a_choice_index_past_the_limit_is_refused(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match="more than 1024 choices"):
        backend.parse(sse(chunk({"content": "a"}, index=1024)), "openai-chat")
