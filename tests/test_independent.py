"""Every golden file, and the Rust backend's own events, hold the facts an independent reading of the
wire gives (`tests/independent.py`, which shares no code with either backend): the goldens are the
reference's output, so without this the Rust backend would only ever be compared with the reference."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import corpus_interactions, family_of, require_corpus, rust_backend
from .golden import GOLDEN, golden_path, read_golden
from .independent import Facts, extract, facts_of_events
from .invariants import dicts

CASES = [pytest.param(family_of(item), name, item.body, id=name) for name, item in corpus_interactions()]


def comparable(family: str, wire: Facts, ours: Facts) -> Facts:
    """``ours`` with what the extractor leaves out left out: a Gemini call id the wire does not send
    (we synthesize one), and Gemini arguments as a JSON value (the wire sends an object)."""
    if family != "gemini":
        return ours
    parts: list[Any] = []
    for mine, theirs in zip(ours["parts"], wire["parts"] + [None] * len(ours["parts"]), strict=False):
        if mine[0] == "tool" and theirs is not None and theirs[0] == "tool":
            mine = ("tool", mine[1] if theirs[1] is not None else None, mine[2], json.loads(mine[3]), mine[4])
        parts.append(mine)
    return {**ours, "parts": parts}


@pytest.mark.parametrize(("family", "name", "body"), CASES)
def test_golden_holds_the_wire_facts(family: str, name: str, body: bytes) -> None:
    wire = extract(family, body)
    assert comparable(family, wire, facts_of_events(read_golden(golden_path(family, name)))) == wire


@pytest.mark.parametrize(("family", "name", "body"), CASES)
def test_rust_events_hold_the_wire_facts(family: str, name: str, body: bytes) -> None:
    wire = extract(family, body)
    assert comparable(family, wire, facts_of_events(dicts(rust_backend().parse(body, family)))) == wire


def test_the_comparison_sees_a_lost_delta_a_wrong_id_and_a_wrong_count() -> None:
    """The check can fail: one golden of each family, altered three ways, no longer matches."""
    require_corpus()
    seen = set()
    for name, item in corpus_interactions():
        family = family_of(item)
        events = read_golden(golden_path(family, name))
        deltas = [n for n, e in enumerate(events) if e["type"] in ("text_delta", "reasoning_delta")]
        if family in seen or not deltas:
            continue
        seen.add(family)
        wire = extract(family, item.body)
        assert comparable(family, wire, facts_of_events(events)) == wire
        lost = events[: deltas[0]] + events[deltas[0] + 1 :]
        renamed = [{**e, "id": "x"} if e["type"] == "stream_start" else e for e in events]
        recounted = [
            {**e, "usage": {**e["usage"], "output_tokens": -1}} if e["type"] == "finish" else e for e in events
        ]
        for altered in (lost, renamed, recounted):
            assert comparable(family, wire, facts_of_events(altered)) != wire
    assert len(seen) == 5


def test_corpus_is_present() -> None:
    """Locally a missing corpus skips the corpus tests, with this one saying where it was looked for;
    in CI it fails them (the wheel test, run away from the corpus, leaves this one out)."""
    require_corpus()
    # The public corpus's bodies have goldens of their own (`public__<kind>__<file>`).
    assert len(corpus_interactions()) == len(list(GOLDEN.glob("*/cassettes__*.jsonl")))
