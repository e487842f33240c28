"""Shared helpers of the benchmarks (pytest-benchmark, orjson's pattern): the corpus, the refusal to time
a debug build, and the ``extra_info`` every row carries (bytes, events, correctness) for ``report.py``.

``make bench`` times them; ``pytest --benchmark-disable`` (part of ``make test``) runs each once, untimed,
as a plain test, so they cannot rot.
"""

from __future__ import annotations

import json
import platform
import random
from functools import cache
from importlib import metadata
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import corpus_interactions, family_of, public_bodies, random_splits, require_corpus

from streamdelta.reference import FAMILIES

__all__ = [
    "MODES",
    "SLICES",
    "chunked_bodies",
    "core_or_none",
    "corpus_bodies",
    "feed",
    "record",
    "slice_streams",
    "version_of",
]


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


def feed(bodies: tuple[bytes, ...], mode: str) -> tuple[tuple[bytes, ...], ...]:
    """``bodies`` as fed in ``mode``: ``whole``, random 1–512 byte ``chunks`` (fixed seed), or ``bytes``
    (one byte at a time)."""
    if mode == "whole":
        return tuple((body,) for body in bodies)
    if mode == "chunks":
        rng = random.Random(SEED)
        return tuple(tuple(random_splits(body, rng, 512)) for body in bodies)
    if mode == "bytes":
        return tuple(tuple(body[i : i + 1] for i in range(len(body))) for body in bodies)
    raise ValueError(f"unknown feeding mode {mode!r}")


@cache
def chunked_bodies(mode: str) -> tuple[tuple[bytes, ...], ...]:
    """The corpus's SSE bodies as fed in ``mode``."""
    return feed(corpus_bodies(), mode)


# Slices beside the families: one API or framing of a family (its bodies are parsed as that family).
KINDS = {"bedrock-converse": "bedrock", "bedrock-invoke": "bedrock", "gemini-json-array": "gemini"}
SLICES = [*FAMILIES, *KINDS, "all"]
MODES = ["whole", "chunks", "bytes"]
# 1-byte chunks run on the first bodies of a slice, up to this many bytes (the SDKs take ~µs per chunk).
BYTES_SLICE = 40_000
# Under --benchmark-disable each row runs once on this many bodies per family, so `make test` stays quick.
UNTIMED_BODIES = 2


@cache
def ollama_bodies() -> tuple[bytes, ...]:
    """Ollama's native API has no recording: each recorded chat-completions stream's text and tool calls
    as an ``/api/chat`` NDJSON stream (Ollama's API reference: a line per token, tool calls whole, a
    last ``done`` line with the counts), so that the slice holds real text in real amounts."""
    from streamdelta import reference

    out = []
    for _, item in corpus_interactions():
        if family_of(item) != "openai-chat":
            continue
        lines, calls = [], []
        for e in reference.parse(item.body, "openai-chat", on_error="emit"):
            if e.type == "text_delta":
                lines.append({"role": "assistant", "content": e.text})
            elif e.type == "tool_call":
                calls.append({"function": {"name": e.name, "arguments": json.loads(e.arguments or "{}")}})
        if calls:
            lines.append({"role": "assistant", "content": "", "tool_calls": calls})
        stamp = {"model": "llama3.2", "created_at": "2025-05-29T09:35:56.836222Z"}
        body = [{**stamp, "message": m, "done": False} for m in lines]
        body.append(
            {
                **stamp,
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": "stop",
                "prompt_eval_count": 26,
                "eval_count": len(lines),
            }
        )
        out.append("".join(json.dumps(line) + "\n" for line in body).encode())
    return tuple(out)


def slice_items(name: str) -> list[tuple[str, bytes]]:
    """(family, body) of every body of corpus slice ``name``: a family, a kind (``KINDS``) or ``all``."""
    fantasy = [(family_of(item), item.body) for _, item in corpus_interactions()]
    converse = [("bedrock", body) for _, body in public_bodies("bedrock-converse", "eventstream")]
    if name == "all":
        # The recorded corpus and the ConverseStream bodies, so that its figures compare across changes.
        return fantasy + converse
    if name == "bedrock-converse":
        return converse
    if name == "bedrock-invoke":
        return [(f, b) for f, b in fantasy if f == "bedrock"]
    if name == "gemini-json-array":
        return [("gemini", b) for _, b in public_bodies(name, "json")]
    if name == "ollama":
        return [("ollama", b) for b in ollama_bodies()]
    # A family: its recorded bodies (bedrock: ConverseStream too), or the public corpus's of its name.
    items = [(f, b) for f, b in fantasy + converse if f == name]
    return items or [(name, b) for _, b in public_bodies(name)]


@cache
def slice_streams(name: str, mode: str, small: bool) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    """(family, chunks) of every body of corpus slice ``name`` (see ``slice_items``) fed in ``mode``;
    ``small``: only the first bodies of each family."""
    require_corpus()
    items = slice_items(name)
    if small:
        items = [(f, b) for f in FAMILIES for b in [b for g, b in items if g == f][:UNTIMED_BODIES]]
    if mode == "bytes":
        kept, total = [], 0
        for f, b in items:
            if total and total + len(b) > BYTES_SLICE:
                continue
            kept.append((f, b))
            total += len(b)
        items = kept
    return tuple(zip((f for f, _ in items), feed(tuple(b for _, b in items), mode), strict=True))


def version_of(distribution: str) -> str:
    if distribution == "python":
        return platform.python_version()
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def record(
    benchmark: Any, *, implementation: str, version: str, nbytes: int, events: int, correct: bool, **more: Any
) -> None:
    """What ``report.py`` needs beside the timings; ``correct`` is the orjson-style correctness flag."""
    benchmark.extra_info.update(
        {
            "implementation": implementation,
            "version": version,
            "bytes": nbytes,
            "events": events,
            "correct": correct,
            **more,
        }
    )
