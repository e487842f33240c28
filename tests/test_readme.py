"""The README as a test: every Python snippet runs as written and prints the output shown under it,
the corpus figures it gives are the corpus's, and every `make` target it names exists."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT, corpus_interactions, family_of, require_corpus

README = (ROOT / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
# A snippet and the ```text block right below it: what it prints.
WITH_OUTPUT = re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", README, flags=re.S)


def test_every_snippet_shows_its_output() -> None:
    assert SNIPPETS
    assert [code for code, _ in WITH_OUTPUT] == SNIPPETS


@pytest.mark.parametrize(("code", "output"), WITH_OUTPUT, ids=[f"snippet{i}" for i in range(len(WITH_OUTPUT))])
def test_snippet_prints_what_the_readme_shows(code: str, output: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == output


def test_corpus_figures_are_the_corpus() -> None:
    require_corpus()
    counted = (
        r"(\d+) streams: (\d+) chat completions, (\d+) Responses, (\d+) Anthropic/Vertex, (\d+)\s+Bedrock, (\d+) Gemini"
    )
    found = re.search(counted, README)
    assert found, "the README states the corpus's size"
    counts = Counter(family_of(item) for _, item in corpus_interactions())
    families = ["openai-chat", "openai-responses", "anthropic", "bedrock", "gemini"]
    assert [int(n) for n in found.groups()] == [sum(counts.values())] + [counts[f] for f in families]


def test_named_make_targets_exist() -> None:
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M))
    named = set(re.findall(r"`make ([a-z-]+)", README)) | set(re.findall(r"^make ([a-z-]+)", README, flags=re.M))
    assert named
    assert named <= targets, named - targets


def test_no_path_in_the_readme_is_missing() -> None:
    paths = set(re.findall(r"`((?:tests|scripts|benches|rust|python)/[\w/.-]+)`", README))
    assert paths
    assert [p for p in sorted(paths) if not Path(ROOT, p).exists()] == []


def test_oldest_sdk_releases_named_are_the_extras_lower_bounds() -> None:
    """The oldest SDK releases the README names are the extras' lower bounds, and the suite pins them
    (the newest it names are what `make test-sdk-newest` printed when it last ran)."""
    import tomllib  # here: the snippets run from this module on the 3.10 wheel too, which has none

    named = re.search(r"`openai`\s+([\d.]+)–[\d.]+\s+and\s+`anthropic`\s+([\d.]+)–[\d.]+", README)
    assert named, "the README names the SDK releases tested"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pinned = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    for sdk, oldest in zip(("openai", "anthropic"), named.groups(), strict=True):
        (requirement,) = extras[sdk]
        bound = re.search(r">=([\d.]+)", requirement)
        assert bound, requirement
        assert bound.group(1).split(".")[: oldest.count(".") + 1] == oldest.split("."), (sdk, requirement)
        assert f"\n{sdk}=={bound.group(1)}\n" in pinned, sdk
