"""``reference.use_json_loads(orjson.loads)``: the benchmark's faster reference gives the same events."""

from __future__ import annotations

from typing import Iterator

import orjson
import pytest

from streamdelta import reference

from .conftest import corpus_interactions, family_of, require_corpus
from .family_corpus import feed_all, outcome
from .invariants import dicts


@pytest.fixture
def with_orjson() -> Iterator[None]:
    reference.use_json_loads(orjson.loads)
    try:
        yield
    finally:
        reference.use_json_loads(None)


def corpus_outcomes() -> list[tuple[str, list[dict[str, object]], dict[str, object]]]:
    require_corpus()
    out = []
    for name, item in corpus_interactions():
        events, message = feed_all(reference, [item.body], family_of(item))
        out.append((name, dicts(events), message.to_dict()))
    return out


def test_orjson_reference_equals_the_plain_one_on_every_corpus_body() -> None:
    plain = corpus_outcomes()
    reference.use_json_loads(orjson.loads)
    try:
        fast = corpus_outcomes()
    finally:
        reference.use_json_loads(None)
    assert len(fast) == len(plain) > 200
    for (name, events_p, message_p), (_, events_o, message_o) in zip(plain, fast, strict=True):
        assert events_o == events_p, name
        assert message_o == message_p, name


@pytest.mark.usefixtures("with_orjson")
@pytest.mark.parametrize(
    "payload",
    ['{"choices": [{"delta": {"content": NaN}}]}', '{"choices": [', '{"choices": [{"delta": {"content": Infinity}}]}'],
)
def test_orjson_reference_rejects_what_serde_rejects(payload: str) -> None:
    got = outcome(reference, "openai-chat", [payload])
    reference.use_json_loads(None)
    assert got == outcome(reference, "openai-chat", [payload])
    assert got[0] == "error"


def test_none_puts_the_json_module_back() -> None:
    seen: list[str] = []

    def spy(data: str) -> object:
        seen.append(data)
        return orjson.loads(data)

    reference.use_json_loads(spy)
    try:
        reference.parse(b'data: {"choices": []}\n\ndata: [DONE]\n\n', "openai-chat")
    finally:
        reference.use_json_loads(None)
    assert seen == ['{"choices": []}']
    reference.parse(b'data: {"choices": []}\n\ndata: [DONE]\n\n', "openai-chat")
    assert seen == ['{"choices": []}']
