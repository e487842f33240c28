"""Shared fixtures: the ``backend`` fixture runs every behaviour test on the Rust core and on the
pure-Python reference; corpus helpers read ../shared/corpus (or $CORPUS_DIR)."""

from __future__ import annotations

import importlib
import json
import os
import random
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from hypothesis import settings

import streamdelta
from streamdelta import cassettes, reference

ROOT = Path(__file__).resolve().parent.parent
# In CI the generated cases are the same on every run, so that a landing does not hang on which
# examples a run happened to draw; local runs keep drawing new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

CORPUS = Path(os.environ.get("CORPUS_DIR") or ROOT.parent / "shared" / "corpus" / "fantasy")


def rust_backend() -> ModuleType:
    from streamdelta import _rust

    return _rust


BACKENDS = ["rust", "reference"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> ModuleType:
    if request.param == "reference":
        return reference
    if os.environ.get("STREAMDELTA_BACKEND") == "python":
        pytest.skip("STREAMDELTA_BACKEND=python: the Rust backend is not under test")
    return rust_backend()


def in_ci() -> bool:
    """CI (``.ci/run``, GitHub Actions) sets CI; there a missing corpus fails the run, never skips."""
    return bool(os.environ.get("CI"))


def missing_corpus() -> str:
    return f"no corpus at {CORPUS} (../shared/corpus beside the repo, or $CORPUS_DIR)"


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        if in_ci():
            pytest.fail(f"{missing_corpus()}: CI must have it", pytrace=False)
        pytest.skip(missing_corpus())
    return CORPUS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A corpus test parametrized over no bodies is skipped by pytest with a bare "got empty parameter
    set": here it says why, and it fails where the corpus must be (CI) or is (then the set is wrong)."""
    for item in items:
        empty = [m for m in item.iter_markers("skip") if str(m.kwargs.get("reason", "")).startswith("got empty")]
        if not empty:
            continue
        if CORPUS.is_dir() or in_ci():
            why = "CI must have the corpus" if not CORPUS.is_dir() else f"the corpus at {CORPUS} has none"
            raise pytest.UsageError(f"{item.nodeid}: no parameters ({why})")
        item.add_marker(pytest.mark.skip(reason=missing_corpus()), append=False)


@cache
def corpus_interactions() -> tuple[tuple[str, cassettes.Interaction], ...]:
    """Every streaming interaction of the corpus as (name, interaction); name is path#index."""
    if not CORPUS.is_dir():
        return ()
    out = []
    for path, index, item in cassettes.iter_corpus(CORPUS):
        if item.is_streaming:
            out.append((f"{path.relative_to(CORPUS)}#{index}", item))
    return tuple(out)


def family_of(item: cassettes.Interaction) -> str:
    """The wire family of a recorded streaming call, from its URL."""
    path = item.url.split("?", 1)[0]
    if path.endswith("/chat/completions"):
        return "openai-chat"
    if path.endswith("/responses"):
        return "openai-responses"
    if path.endswith("invoke-with-response-stream"):
        return "bedrock"
    if path.endswith(("/messages", ":streamRawPredict")):
        return "anthropic"
    if path.endswith(":streamGenerateContent"):
        return "gemini"
    raise ValueError(f"no family for {item.url}")


def family_bodies(family: str) -> list[tuple[str, bytes]]:
    """(name, body) of every streaming interaction of the corpus in one wire family."""
    return [(name, item.body) for name, item in corpus_interactions() if family_of(item) == family]


PUBLIC = CORPUS.parent / "public"


def public_bodies(kind: str, fmt: str | None = None, tag: str | None = None) -> list[tuple[str, bytes]]:
    """(``public/<kind>/<file>``, body) of every body of one kind in the public corpus (its
    ``manifest.jsonl``), of format ``fmt`` and with feature ``tag`` when given."""
    manifest = PUBLIC / "manifest.jsonl"
    if not manifest.is_file():
        return []
    out = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["kind"] == kind and fmt in (None, entry["format"]) and (tag is None or tag in entry["features"]):
            out.append((f"public/{kind}/{Path(entry['path']).name}", (PUBLIC / entry["path"]).read_bytes()))
    return sorted(out)


def sse_bodies() -> list[tuple[str, bytes]]:
    return [(name, item.body) for name, item in corpus_interactions() if item.is_event_stream]


def random_splits(data: bytes, rng: random.Random, max_size: int = 512) -> Iterator[bytes]:
    """``data`` cut into chunks of 1..max_size bytes."""
    pos = 0
    while pos < len(data):
        size = rng.randint(1, max_size)
        yield data[pos : pos + size]
        pos += size


def assert_rust_is_the_default() -> None:
    if os.environ.get("STREAMDELTA_BACKEND") != "python":
        assert streamdelta.BACKEND == "rust"


@pytest.fixture(scope="session")
def body_server() -> Iterator[object]:
    """A local HTTP server replaying bodies (``tests/http_server.py``), for the whole session."""
    from .http_server import BodyServer

    server = BodyServer()
    try:
        yield server
    finally:
        server.close()


def require_public_corpus() -> None:
    if not (PUBLIC / "manifest.jsonl").is_file():
        if os.environ.get("CI"):
            raise RuntimeError(f"the public corpus is missing at {PUBLIC}: CI lays ../shared beside the repo")
        pytest.skip(f"no public corpus at {PUBLIC}")


def whole_anthropic_bodies() -> list[tuple[str, bytes]]:
    """Anthropic SSE bodies holding one whole message: no error, no cut, no second message spliced in."""
    return [
        (name, body)
        for name, body in family_bodies("anthropic") + public_bodies("anthropic", "sse")
        if body.count(b"event: message_start") == 1
        and body.count(b"event: message_stop") == 1
        and b"event: error" not in body
    ]


@pytest.fixture(scope="module")
def sdk_clients() -> Iterator[tuple[Any, Any]]:
    """An ``openai.OpenAI`` and an ``anthropic.Anthropic`` client, to point anywhere with
    ``with_options(base_url=...)``."""
    # Imported by name, not by an import statement: `wheel_suite` reads these, and the modules an
    # installed wheel is tested with import this one but need no SDK.
    anthropic = importlib.import_module("anthropic")
    openai = importlib.import_module("openai")

    with (
        openai.OpenAI(base_url="http://unused/v1", api_key="test", max_retries=0) as o,
        anthropic.Anthropic(base_url="http://unused", api_key="test", max_retries=0) as a,
    ):
        yield o, a
