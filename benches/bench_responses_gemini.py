"""Bytes → events on every OpenAI Responses and Gemini stream of the corpus: streamdelta's Rust core
against its pure-Python reference, and (Responses) against the official `openai` SDK's own path.

Each round parses all bodies of a family, either whole or cut into random chunks of 1..512 bytes
(fixed seed). `extra_info["correct"]` says whether the implementation's result agreed with the
reference `Message` on output text, function calls and token counts.

Reproducing: `make dev`, then
`.venv/bin/pytest benches/bench_responses_gemini.py -p no:cacheprovider --benchmark-only --benchmark-columns=mean,ops`.
The ratios of the `mean` column are the ones reported. Under `--benchmark-disable` every case runs
once as a plain test.
"""

from __future__ import annotations

import os
import random
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from streamdelta import _rust, cassettes, reference

CORPUS = Path(os.environ.get("CORPUS_DIR") or Path(__file__).resolve().parent.parent.parent / "shared/corpus/fantasy")
URL_ENDS = {"openai-responses": "/responses", "gemini": ":streamGenerateContent"}
Chunks = list[list[bytes]]


@cache
def _bodies(family: str) -> tuple[bytes, ...]:
    if not CORPUS.is_dir():
        return ()
    return tuple(
        item.body
        for _, _, item in cassettes.iter_corpus(CORPUS)
        if item.is_event_stream and item.url.split("?", 1)[0].endswith(URL_ENDS[family])
    )


def _corpus(family: str, mode: str) -> Chunks:
    if mode == "whole":
        return [[body] for body in _bodies(family)]
    rng = random.Random(20260401)
    out = []
    for body in _bodies(family):
        cuts, pos = [], 0
        while pos < len(body):
            size = rng.randint(1, 512)
            cuts.append(body[pos : pos + size])
            pos += size
        out.append(cuts)
    return out


def _streamdelta(backend: ModuleType, family: str) -> Callable[[list[bytes]], Any]:
    parser_class = backend.StreamParser

    def run(chunks: list[bytes]) -> Any:
        parser = parser_class(family)
        events = []
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        events.extend(parser.close())
        return parser.message

    return run


def _summary_of_message(m: Any) -> tuple[Any, ...]:
    calls = [(t.id, t.name, t.arguments) for t in m.tool_calls if not t.provider_executed]
    return (m.text, calls, m.usage.input_tokens, m.usage.output_tokens)


def openai_sdk(chunks: list[bytes]) -> Any:
    """The SDK's own stream path: its SSE decoder, lenient model construction of each event, and the
    `ResponseStreamState` accumulator that `client.responses.stream()` uses."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai._types import omit
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        event = construct_type(type_=ResponseStreamEvent, value=sse.json())  # type: ignore[arg-type]
        for out in state.handle_event(event):
            if out.type == "response.completed":
                final = out.response
    return final


def _summary_of_sdk(response: Any) -> tuple[Any, ...]:
    calls = [(o.call_id, o.name, o.arguments) for o in response.output if o.type == "function_call"]
    return (response.output_text, calls, response.usage.input_tokens, response.usage.output_tokens)


IMPLEMENTATIONS: dict[
    tuple[str, str], tuple[Callable[[], Callable[[list[bytes]], Any]], Callable[[Any], tuple[Any, ...]]]
] = {
    ("openai-responses", "rust"): (lambda: _streamdelta(_rust, "openai-responses"), _summary_of_message),
    ("openai-responses", "reference"): (lambda: _streamdelta(reference, "openai-responses"), _summary_of_message),
    ("openai-responses", "openai-sdk"): (lambda: openai_sdk, _summary_of_sdk),
    ("gemini", "rust"): (lambda: _streamdelta(_rust, "gemini"), _summary_of_message),
    ("gemini", "reference"): (lambda: _streamdelta(reference, "gemini"), _summary_of_message),
}


def _run_all(run: Callable[[list[bytes]], Any], corpus: Chunks) -> list[Any]:
    return [run(chunks) for chunks in corpus]


@pytest.mark.parametrize("mode", ["whole", "chunks"])
@pytest.mark.parametrize(("family", "impl"), list(IMPLEMENTATIONS))
def test_bench_responses_gemini(benchmark: Any, family: str, impl: str, mode: str) -> None:
    corpus = _corpus(family, mode)
    if not corpus:
        pytest.skip("no corpus")
    make, summarize = IMPLEMENTATIONS[family, impl]
    run = make()
    expected = [_summary_of_message(m) for m in _run_all(_streamdelta(reference, family), corpus)]
    got = [summarize(r) for r in _run_all(run, corpus)]
    benchmark.extra_info["correct"] = got == expected
    benchmark.extra_info["bodies"] = len(corpus)
    benchmark.extra_info["bytes"] = sum(len(c) for chunks in corpus for c in chunks)
    assert got == expected
    benchmark(_run_all, run, corpus)
