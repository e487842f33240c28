"""``StreamParser(include_raw=True)``: every payload handed out as ``raw(data)`` ahead of its events,
checked against a separate SSE / event-stream reader (``tests/independent.py``); without the raw
events the stream is what it is without the option. Both backends, the whole fantasy corpus."""

from __future__ import annotations

import random
from types import ModuleType
from typing import Any

import pytest

from .conftest import corpus_interactions, family_of, random_splits
from .family_corpus import feed_all
from .independent import event_stream_payloads, sse_data
from .invariants import dicts

BODIES = [(name, family_of(item), item.body) for name, item in corpus_interactions()]


def payloads(family: str, body: bytes) -> list[str]:
    if family == "bedrock":
        return [p.decode("utf-8", "replace") for p in event_stream_payloads(body)]
    return sse_data(body)


@pytest.mark.parametrize(("name", "family", "body"), BODIES, ids=[name for name, _, _ in BODIES])
def test_every_payload_is_handed_out_raw_first(backend: ModuleType, name: str, family: str, body: bytes) -> None:
    plain, message = feed_all(backend, [body], family)
    chunks = list(random_splits(body, random.Random(name), 64))
    with_raw, raw_message = feed_all(backend, chunks, family, include_raw=True)
    assert [e.data for e in with_raw if e.type == "raw"] == payloads(family, body)
    assert dicts([e for e in with_raw if e.type != "raw"]) == dicts(plain)
    assert raw_message == message
    # Each payload's events follow its raw: the first event of all is a raw.
    assert with_raw[0].type == "raw"


def test_raw_is_off_by_default_and_a_lone_error_body_has_one(backend: ModuleType) -> None:
    body = b'{"error": {"message": "Invalid API key", "type": "invalid_request_error"}}'
    events: list[Any] = backend.StreamParser(include_raw=True).feed(body)
    assert [e.type for e in events][:2] == ["raw", "error"]
    assert events[0] == backend.Raw(body.decode())
    assert "raw" not in {e.type for e in backend.parse(body)}


@pytest.mark.parametrize(("name", "family", "body"), BODIES[::7], ids=[name for name, _, _ in BODIES[::7]])
def test_parse_takes_include_raw_too(backend: ModuleType, name: str, family: str, body: bytes) -> None:
    """``parse(body, include_raw=True)``: the raw payloads as the separate reader finds them, each
    ahead of its events, the rest what ``parse`` gives without the option."""
    events = backend.parse(body, family, include_raw=True)
    assert [e.data for e in events if e.type == "raw"] == payloads(family, body)
    assert events[0].type == "raw"
    assert dicts([e for e in events if e.type != "raw"]) == dicts(backend.parse(body, family))
