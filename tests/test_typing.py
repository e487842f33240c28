"""Typing and documentation of the public API: ``Family`` / ``OnError`` Literals a type checker holds
code to, the ``Event`` union, iterators typed with it, a docstring on every public class of both
backends (the same text for the value classes)."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from types import ModuleType
from typing import get_args

import pytest
from mypy import api

import streamdelta as sd
from streamdelta import reference

from .test_serialize import hand_made

ROOT = Path(__file__).resolve().parent.parent


def test_family_literal_is_the_families_and_auto(backend: ModuleType) -> None:
    assert set(get_args(sd.Family)) == {"auto", *backend.FAMILIES}
    assert set(get_args(sd.OnError)) == {"raise", "emit"}


def test_target_literal_is_the_targets(backend: ModuleType) -> None:
    from streamdelta._types import Target

    assert list(get_args(Target)) == list(backend.TARGETS)


def test_event_union_holds_every_event_and_nothing_else() -> None:
    body = (ROOT / "python" / "streamdelta" / "samples" / "anthropic-0.sse").read_bytes()
    events = sd.parse(body)
    assert all(isinstance(e, sd.Event) for e in events)
    assert not isinstance(sd.Message(), sd.Event)
    assert not isinstance(sd.Usage(), sd.Event)
    # The hand-written list of one instance of every class (tests/test_serialize.py), less the non-events.
    made = {type(x) for x in hand_made(sd) if getattr(x, "type", None) is not None}
    assert set(get_args(sd.Event)) == made


PUBLIC_CLASSES = sorted(name for name in sd.__all__ if isinstance(getattr(sd, name), type))
VALUE_CLASSES = [
    name for name in reference.__all__ if hasattr(getattr(reference, name), "to_dict") and name != "JsonDelta"
]


@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_every_public_class_has_a_docstring(backend: ModuleType, name: str) -> None:
    cls = getattr(backend, name, getattr(sd, name))
    assert (cls.__doc__ or "").strip(), name


@pytest.mark.parametrize("name", VALUE_CLASSES)
def test_value_classes_say_the_same_on_both_backends(name: str) -> None:
    pytest.importorskip("streamdelta._core")
    from streamdelta import _rust

    assert inspect.cleandoc(getattr(_rust, name).__doc__) == inspect.cleandoc(getattr(reference, name).__doc__)


CHECKED = textwrap.dedent(
    """
    from collections.abc import Iterator

    import streamdelta as sd

    events: Iterator[sd.Event] = sd.iter_events([b"data: {}\\n\\n"], "anthropic", on_error="emit")
    for event in events:
        reveal_type(event)
    sd.StreamParser("anthropc")
    sd.parse(b"", on_error="ignore")
    family: sd.Family = "gemini"
    sd.StreamParser(family)
    """
)


def test_mypy_holds_code_to_the_literals_and_types_events(tmp_path: Path) -> None:
    code = tmp_path / "user.py"
    code.write_text(CHECKED, encoding="utf-8")
    out, err, status = api.run(["--strict", "--cache-dir", str(ROOT / ".mypy_cache"), "--no-error-summary", str(code)])
    assert status == 1, err
    lines = [line.split(": ", 1)[1] for line in out.splitlines()]
    assert lines[0].startswith('note: Revealed type is "streamdelta._core.StreamStart | streamdelta._core.TextStart')
    assert lines[1:] == [
        'error: Argument 1 to "StreamParser" has incompatible type "Literal[\'anthropc\']"; '
        "expected \"Literal['auto', 'openai-chat', 'openai-responses', 'anthropic', 'gemini', 'bedrock', 'ollama', "
        "'openai-completions', 'cohere']\"  [arg-type]",
        'error: Argument "on_error" to "parse" has incompatible type "Literal[\'ignore\']"; '
        "expected \"Literal['raise', 'emit']\"  [arg-type]",
    ]
