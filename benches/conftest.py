"""Shared helpers of the benchmarks (pytest-benchmark, orjson's pattern): the corpus, the refusal to time
a debug build, and the ``extra_info`` every row carries (bytes, events, correctness) for ``report.py``.

``make bench`` times them; ``pytest --benchmark-disable`` (part of ``make test``) runs each once, untimed,
as a plain test, so they cannot rot.
"""

from __future__ import annotations

import random
from functools import cache
from importlib import metadata
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import corpus_interactions, random_splits, require_corpus

__all__ = ["chunked_bodies", "core_or_none", "corpus_bodies", "record", "version_of"]


SEED = 0x5EED


def core_or_none() -> ModuleType | None:
    """The Rust extension, or None when it is not built (the pure-Python rows still run)."""
    try:
        from streamdelta import _core
    except ImportError:
        return None
    return _core


@pytest.fixture(autouse=True)
def _refuse_to_time_a_debug_build(request: pytest.FixtureRequest) -> None:
    if "benchmark" not in request.fixturenames:
        return
    benchmark = request.getfixturevalue("benchmark")
    core = core_or_none()
    if not benchmark.disabled and core is not None and core.BUILD_PROFILE != "release":
        pytest.fail(
            f"refusing to time a {core.BUILD_PROFILE} build of streamdelta._core: "
            "build it with `make dev` (maturin develop --release), or run with --benchmark-disable"
        )


@cache
def corpus_bodies() -> tuple[bytes, ...]:
    """Every SSE body of the corpus, in path order."""
    require_corpus()
    bodies = tuple(item.body for _, item in corpus_interactions() if item.is_event_stream)
    if not bodies:
        raise RuntimeError("the corpus holds no SSE body")
    return bodies


@cache
def chunked_bodies(mode: str) -> tuple[tuple[bytes, ...], ...]:
    """The corpus as fed in ``mode``: ``whole`` bodies, or random 1–512 byte ``chunks`` (fixed seed)."""
    if mode == "whole":
        return tuple((body,) for body in corpus_bodies())
    if mode == "chunks":
        rng = random.Random(SEED)
        return tuple(tuple(random_splits(body, rng, 512)) for body in corpus_bodies())
    raise ValueError(f"unknown feeding mode {mode!r}")


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def record(benchmark: Any, *, implementation: str, version: str, nbytes: int, events: int, correct: bool) -> None:
    """What ``report.py`` needs beside the timings; ``correct`` is the orjson-style correctness flag."""
    benchmark.extra_info.update(
        {
            "implementation": implementation,
            "version": version,
            "bytes": nbytes,
            "events": events,
            "correct": correct,
        }
    )
