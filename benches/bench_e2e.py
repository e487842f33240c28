"""End to end, response bytes → normalized events, on slices of the corpus (each wire family, and all of
it), for streamdelta (Rust; the pure-Python reference with the json module, and with orjson) and the
pipelines people run today (``peers.py``), fed whole, in random 1–512 byte chunks, and byte by byte.

``extra_info["correct"]`` says whether the implementation's final text and client-side tool calls
(name, arguments) equal streamdelta's on every body of the slice; ``note`` says why not, or why a row is
missing. ``events`` is the number of normalized events streamdelta emits for the slice, the same for
every row, so events/s compares like with like.

Reproducing: ``make dev``, then
``.venv/bin/pytest benches/bench_e2e.py -p no:cacheprovider --benchmark-only``; ``make bench`` also writes
the report. Under ``--benchmark-disable`` every row runs once on the first bodies of each family.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import orjson
import pytest
from tests.family_corpus import feed_all

from streamdelta import reference

from .conftest import MODES, SLICES, core_or_none, record, slice_streams, version_of
from .peers import PIPELINES, Pipeline, Summary, message_summary, streamdelta_pipeline

Streams = tuple[tuple[str, tuple[bytes, ...]], ...]

IMPLEMENTATIONS = ["rust", "reference", "reference+orjson", *PIPELINES]
VERSIONS = {
    "rust": "streamdelta",
    "reference": "streamdelta",
    "reference+orjson": "orjson",
    "openai-sdk": "openai",
    "anthropic-sdk": "anthropic",
    "httpx-sse+orjson": "httpx-sse",
    "sseclient-py+json": "sseclient-py",
    "botocore+json": "botocore",
    "lines+json": "python",
}


def run_all(pipeline: Pipeline, streams: Streams) -> list[tuple[Any, Callable[[Any], Summary]]]:
    return [pipeline(family, chunks) for family, chunks in streams]


def with_orjson(pipeline: Pipeline) -> Callable[[Streams], list[Any]]:
    def run(streams: Streams) -> list[Any]:
        reference.use_json_loads(orjson.loads)
        try:
            return run_all(pipeline, streams)
        finally:
            reference.use_json_loads(None)

    return run


def implementation(name: str, slice_: str, families: Iterable[str]) -> Callable[[Streams], list[Any]]:
    """The timed function of ``name``, or a skip that says why it has no row for this slice (a family
    or a kind of body, such as `gemini-json-array`; for `all`, its families)."""
    if name == "rust":
        core = core_or_none()
        if core is None:
            pytest.skip("the Rust extension is not built")
        from streamdelta import _rust

        return lambda streams: run_all(streamdelta_pipeline(_rust), streams)
    if name == "reference":
        return lambda streams: run_all(streamdelta_pipeline(reference), streams)
    if name == "reference+orjson":
        return with_orjson(streamdelta_pipeline(reference))
    pipeline, covers = PIPELINES[name]
    wanted = set(families) if slice_ == "all" else {slice_}
    missing = sorted(wanted - (covers or wanted))
    if missing:
        pytest.skip(f"{name} has no decoder for {', '.join(missing)}")
    return lambda streams: run_all(pipeline, streams)


def summaries(results: list[tuple[Any, Callable[[Any], Summary]]]) -> list[Summary]:
    return [summarize(result) for result, summarize in results]


def disagreement(got: list[Summary], expected: list[Summary], streams: Streams) -> str:
    """Which bodies differ, and how, in a few words for the report."""
    bad = [(f, g, e) for (f, _), g, e in zip(streams, got, expected, strict=True) if g != e]
    if not bad:
        return ""
    family, g, e = bad[0]
    what = "text" if g[0] != e[0] else "tool calls"
    return f"{len(bad)} of {len(streams)} bodies differ (first: a {family} body's {what})"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@pytest.mark.parametrize("slice_", SLICES)
def test_e2e(benchmark: Any, slice_: str, name: str, mode: str) -> None:
    streams = slice_streams(slice_, mode, benchmark.disabled)
    if not streams:
        pytest.skip(f"no {slice_} body in the corpus")
    run = implementation(name, slice_, {family for family, _ in streams})
    fed = [feed_all(reference, chunks, family) for family, chunks in streams]
    expected = [message_summary(message) for _, message in fed]
    events = sum(len(events) for events, _ in fed)
    got = summaries(run(streams))
    note = disagreement(got, expected, streams)
    benchmark.group = f"e2e-{slice_}-{mode}"
    benchmark(run, streams)
    record(
        benchmark,
        implementation=name,
        version=version_of(VERSIONS[name]),
        nbytes=sum(len(c) for _, chunks in streams for c in chunks),
        events=events,
        correct=not note,
        bodies=len(streams),
        slice=slice_,
        mode=mode,
        note=note,
    )
    if name in ("rust", "reference", "reference+orjson"):
        assert not note, note
