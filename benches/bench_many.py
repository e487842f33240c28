"""Many bodies at once, body bytes → one ``Message`` each: ``parse_many`` on 1 and 2 threads against a
Python loop of ``StreamParser`` + ``.message`` (the row named ``rust``, so "time × rust" is the time
relative to that loop), and ``streamdelta.arrow.messages`` (the same messages as Arrow columns, built
in Rust and imported by pyarrow without a copy), over every streaming body of the corpus, family
auto-detected. The report gives MB/s for each, and the ratios issue 22 sets targets for: 1 → 2
threads, 2 threads vs the loop, Arrow vs Messages.

``extra_info["correct"]`` says whether the row's messages equal the loop's, field for field.

Reproducing: ``make dev``, then
``.venv/bin/pytest benches/bench_many.py -p no:cacheprovider --benchmark-only``; ``make bench`` also writes
the report. Under ``--benchmark-disable`` every row runs once on the first bodies of the corpus.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from tests.conftest import corpus_interactions, require_corpus

from .conftest import core_or_none, record, version_of

UNTIMED_BODIES = 40
ROWS = ["rust", "parse_many threads=1", "parse_many threads=2", "arrow threads=2"]
NOTES = {
    "rust": "a Python loop of StreamParser(...).feed(body), close(), .message",
    "parse_many threads=1": "",
    "parse_many threads=2": "",
    "arrow threads=2": "streamdelta.arrow.messages: a pyarrow.Table built in Rust, imported without a copy",
}


def bodies(small: bool) -> list[bytes]:
    require_corpus()
    out = [item.body for _, item in corpus_interactions()]
    return out[:UNTIMED_BODIES] if small else out


def runner(name: str) -> Callable[[list[bytes]], list[Any]]:
    if core_or_none() is None:
        pytest.skip("the Rust extension is not built")
    from streamdelta import _rust

    if name == "rust":

        def loop(batch: list[bytes]) -> list[Any]:
            messages = []
            for body in batch:
                parser = _rust.StreamParser(on_error="emit")
                parser.feed(body)
                parser.close()
                messages.append(parser.message)
            return messages

        return loop
    threads = int(name.rsplit("=", 1)[1])
    if name.startswith("arrow"):
        arrow = pytest.importorskip("streamdelta.arrow")
        return lambda batch: arrow.messages(batch, threads=threads)
    return lambda batch: _rust.parse_many(batch, threads=threads)


def texts(result: Any) -> list[Any]:
    """The text and usage of each message, from a list of messages or a table."""
    if isinstance(result, list):
        return [(m.text, m.usage.output_tokens if m.usage else None) for m in result]
    return list(zip(result.column("text").to_pylist(), result.column("output_tokens").to_pylist(), strict=True))


@pytest.mark.parametrize("name", ROWS)
def test_many(benchmark: Any, name: str) -> None:
    batch = bodies(benchmark.disabled)
    run = runner(name)
    expected = runner("rust")(batch)
    got = run(batch)
    # Field for field for messages; text and usage for a table (tests/test_arrow.py checks the rest).
    correct = texts(got) == texts(expected) and (not isinstance(got, list) or got == expected)
    benchmark.group = "many-messages"
    benchmark(run, batch)
    record(
        benchmark,
        implementation=name,
        version=version_of("streamdelta"),
        nbytes=sum(map(len, batch)),
        events=0,
        correct=correct,
        bodies=len(batch),
        note=NOTES[name],
    )
    assert correct
