"""The way back, per target family, on every SSE body of the recorded corpus (fed whole):

- ``parse``: ``sd.parse`` (Rust), the baseline: bytes in per second;
- ``translator``: ``sd.Translator`` bytes to bytes, parse and encode in Rust (target: ≥ ``parse``);
- ``encoder``: ``sd.Encoder`` fed the Python event objects of the same bodies (target: ≥ half of ``parse``);
- ``reference-translation``: the pure-Python translation on the reference (``reference.Translator``),
  which ``translator`` should beat twenty times over.

Every row counts the input bytes (``extra_info["bytes"]``), so rows compare as bytes/s.
``correct``: the row's output equals the Rust translator's.

Reproducing: ``make dev``, then
``.venv/bin/pytest benches/bench_encode.py -p no:cacheprovider --benchmark-only``; ``make bench`` also
writes the report. Under ``--benchmark-disable`` every row runs once on the first bodies.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

import pytest

from streamdelta import reference

from .conftest import UNTIMED_BODIES, core_or_none, corpus_bodies, record, version_of

TARGETS = ["openai-chat", "anthropic", "openai-responses", "gemini", "bedrock"]
ROWS = ["parse", "translator", "encoder", "reference-translation"]


@cache
def events_of(small: bool) -> tuple[list[Any], ...]:
    from streamdelta import _rust

    return tuple(_rust.parse(body, on_error="emit") for body in bodies(small))


def bodies(small: bool) -> tuple[bytes, ...]:
    all_bodies = corpus_bodies()
    return all_bodies[:UNTIMED_BODIES] if small else all_bodies


def translate(backend: Any, target: str, body: bytes) -> bytes:
    translator = backend.Translator(target, on_error="emit")
    return translator.feed(body) + translator.close()


def row(name: str, target: str, small: bool) -> Callable[[], list[Any]]:
    if core_or_none() is None:
        pytest.skip("the Rust extension is not built")
    from streamdelta import _rust

    data = bodies(small)
    if name == "parse":
        return lambda: [_rust.parse(body, on_error="emit") for body in data]
    if name == "translator":
        return lambda: [translate(_rust, target, body) for body in data]
    if name == "encoder":
        events = events_of(small)

        def encode() -> list[bytes]:
            out = []
            for body_events in events:
                encoder = _rust.Encoder(target)
                out.append(encoder.feed(body_events) + encoder.close())
            return out

        return encode
    return lambda: [translate(reference, target, body) for body in data]


@pytest.mark.parametrize("name", ROWS)
@pytest.mark.parametrize("target", TARGETS)
def test_encode(benchmark: Any, target: str, name: str) -> None:
    small = benchmark.disabled
    run = row(name, target, small)
    benchmark.group = f"encode {target}"
    result = benchmark(run)
    from streamdelta import _rust

    want = [translate(_rust, target, body) for body in bodies(small)]
    correct = name == "parse" or result == want
    record(
        benchmark,
        implementation=name,
        version=version_of("streamdelta"),
        nbytes=sum(map(len, bodies(small))),
        events=sum(map(len, events_of(small))),
        correct=correct,
    )
    assert correct
