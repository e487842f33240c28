"""Bytes → events on every chat-completions stream of the corpus: streamdelta (Rust, reference) against
the official `openai` SDK's own path and against httpx-sse + orjson with a minimal normalizer.

Each round parses all bodies, either whole or cut into random chunks of 1..512 bytes (fixed seed).
`extra_info["correct"]` says whether the implementation's result agreed with streamdelta's `Message`
on text, tool calls and finish reason (and token counts, where both have them).

Reproducing: `make dev`, then
`.venv/bin/pytest benches/bench_openai_chat.py -p no:cacheprovider --benchmark-only --benchmark-columns=mean,ops`.
The ratios of the `mean` column are the ones reported. Under `--benchmark-disable` every case runs
once as a plain test.
"""

from __future__ import annotations

import codecs
import json
import os
import random
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import orjson
import pytest

from streamdelta import _rust, cassettes, reference

FAMILY = "openai-chat"
CORPUS = Path(os.environ.get("CORPUS_DIR") or Path(__file__).resolve().parent.parent.parent / "shared/corpus/fantasy")
Chunks = list[list[bytes]]


@cache
def _bodies() -> tuple[bytes, ...]:
    if not CORPUS.is_dir():
        return ()
    return tuple(
        item.body
        for _, _, item in cassettes.iter_corpus(CORPUS)
        if item.is_event_stream and item.url.split("?", 1)[0].endswith("/chat/completions")
    )


def _corpus(mode: str) -> Chunks:
    if mode == "whole":
        return [[body] for body in _bodies()]
    rng = random.Random(20260401)
    out = []
    for body in _bodies():
        cuts, pos = [], 0
        while pos < len(body):
            size = rng.randint(1, 512)
            cuts.append(body[pos : pos + size])
            pos += size
        out.append(cuts)
    return out


# --- the implementations: each turns the chunks of one body into (text, tool calls, finish, usage) ---


def _streamdelta(backend: ModuleType) -> Callable[[list[bytes]], Any]:
    parser_class = backend.StreamParser

    def run(chunks: list[bytes]) -> Any:
        parser = parser_class(FAMILY)
        events = []
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        events.extend(parser.close())
        return parser.message

    return run


def _summary_of_message(m: Any) -> tuple[Any, ...]:
    return (
        m.text,
        [(t.id, t.name, t.arguments) for t in m.tool_calls],
        m.raw_finish_reason,
        None if m.usage is None else m.usage.input_tokens,
    )


def openai_sdk(chunks: list[bytes]) -> Any:
    """The SDK's own stream path: its SSE decoder, `json.loads`, lenient model construction, and the
    `ChatCompletionStreamState` accumulator that `client.chat.completions.stream()` uses."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state = ChatCompletionStreamState()
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        if sse.data.startswith("[DONE]"):
            break
        state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=json.loads(sse.data)))
    return state.current_completion_snapshot


def _summary_of_sdk(snapshot: Any) -> tuple[Any, ...]:
    choice = snapshot.choices[0]
    calls = [(t.id, t.function.name, t.function.arguments or "{}") for t in choice.message.tool_calls or []]
    usage = snapshot.usage
    return (choice.message.content or "", calls, choice.finish_reason, None if usage is None else usage.prompt_tokens)


def httpx_sse_orjson(chunks: list[bytes]) -> Any:
    """httpx-sse's line and event decoders, orjson, and the least a normalizer must do: text deltas,
    tool calls keyed by index (complete at a later index or the finish), finish reason, usage."""
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = SSELineDecoder()
    sse = SSEDecoder()
    events: list[tuple[Any, ...]] = []
    calls: dict[int, list[Any]] = {}
    state: dict[str, Any] = {"finish": None, "usage": None, "current": None}

    def on_data(data: str) -> None:
        if data == "[DONE]":
            return
        chunk = orjson.loads(data)
        if chunk.get("usage"):
            state["usage"] = chunk["usage"]
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if text:
                events.append(("text", text))
            for call in delta.get("tool_calls") or ():
                index = call.get("index", 0)
                slot = calls.get(index)
                if slot is None:
                    if state["current"] is not None:
                        events.append(("tool_call", *calls[state["current"]]))
                    fn = call.get("function") or {}
                    slot = calls[index] = [call.get("id"), fn.get("name") or "", ""]
                    state["current"] = index
                    events.append(("tool_start", slot[0], slot[1]))
                args = (call.get("function") or {}).get("arguments")
                if args:
                    slot[2] += args
                    events.append(("tool_delta", slot[0], args))
            if choice.get("finish_reason"):
                if state["current"] is not None:
                    events.append(("tool_call", *calls[state["current"]]))
                    state["current"] = None
                state["finish"] = choice["finish_reason"]

    for chunk in chunks:
        for line in lines.decode(utf8.decode(chunk)):
            event = sse.decode(line)
            if event is not None:
                on_data(event.data)
    for line in lines.flush():
        event = sse.decode(line)
        if event is not None:
            on_data(event.data)
    event = sse.decode("")
    if event is not None:
        on_data(event.data)
    events.append(("finish", state["finish"], state["usage"]))
    return events


def _summary_of_minimal(events: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    text = "".join(e[1] for e in events if e[0] == "text")
    calls = [(e[1], e[2], e[3] or "{}") for e in events if e[0] == "tool_call"]
    usage = events[-1][2]
    return (text, calls, events[-1][1], None if usage is None else usage["prompt_tokens"])


IMPLEMENTATIONS: dict[str, tuple[Callable[[], Callable[[list[bytes]], Any]], Callable[[Any], tuple[Any, ...]]]] = {
    "rust": (lambda: _streamdelta(_rust), _summary_of_message),
    "reference": (lambda: _streamdelta(reference), _summary_of_message),
    "openai-sdk": (lambda: openai_sdk, _summary_of_sdk),
    "httpx-sse+orjson": (lambda: httpx_sse_orjson, _summary_of_minimal),
}


def _run_all(run: Callable[[list[bytes]], Any], corpus: Chunks) -> list[Any]:
    return [run(chunks) for chunks in corpus]


@pytest.mark.parametrize("mode", ["whole", "chunks"])
@pytest.mark.parametrize("impl", list(IMPLEMENTATIONS))
def test_bench_openai_chat(benchmark: Any, impl: str, mode: str) -> None:
    corpus = _corpus(mode)
    if not corpus:
        pytest.skip("no corpus")
    make, summarize = IMPLEMENTATIONS[impl]
    run = make()
    expected = [_summary_of_message(m) for m in _run_all(_streamdelta(reference), corpus)]
    got = [summarize(r) for r in _run_all(run, corpus)]
    benchmark.extra_info["correct"] = got == expected
    benchmark.extra_info["bodies"] = len(corpus)
    benchmark.extra_info["bytes"] = sum(len(c) for chunks in corpus for c in chunks)
    if impl in ("rust", "reference"):
        assert got == expected
    benchmark(_run_all, run, corpus)
