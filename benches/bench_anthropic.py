"""End to end bytes -> events on every Anthropic / Vertex streaming body of the corpus, and on the
Bedrock event-stream bodies: the Rust core vs the pure-Python reference vs the official `anthropic`
SDK's own path (its `SSEDecoder`, `json.loads`, `construct_type` and `accumulate_event`, what its
`Stream` does per event). Whole bodies, and random 1-512 byte chunks (fixed seed).

Reproducing: `make dev`, then
`.venv/bin/pytest benches/bench_anthropic.py -p no:cacheprovider --benchmark-only --benchmark-columns=mean`.
Under `--benchmark-disable` each case runs once as a plain test (and checks its result).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any, Callable

import pytest

from streamdelta import _rust, cassettes, reference

CORPUS = Path(os.environ.get("CORPUS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fantasy")


def corpus_bodies() -> tuple[list[bytes], list[bytes]]:
    """(Anthropic / Vertex SSE bodies, Bedrock event-stream bodies) of the corpus, by request URL."""
    sse: list[bytes] = []
    bedrock: list[bytes] = []
    if not CORPUS.is_dir():
        return sse, bedrock
    for _, _, item in cassettes.iter_corpus(CORPUS):
        path = item.url.split("?", 1)[0]
        if item.is_aws_event_stream and path.endswith("invoke-with-response-stream"):
            bedrock.append(item.body)
        elif item.is_event_stream and path.endswith(("/messages", ":streamRawPredict")):
            sse.append(item.body)
    return sse, bedrock


SSE_BODIES, BEDROCK_BODIES = corpus_bodies()


def chunked(bodies: list[bytes]) -> list[list[bytes]]:
    """Each body cut into chunks of 1..512 bytes (fixed seed)."""
    rng = random.Random(1234)
    out = []
    for body in bodies:
        chunks, pos = [], 0
        while pos < len(body):
            size = rng.randint(1, 512)
            chunks.append(body[pos : pos + size])
            pos += size
        out.append(chunks)
    return out


def ours(backend: Any, family: str) -> Callable[[list[list[bytes]]], Any]:
    def run(streams: list[list[bytes]]) -> Any:
        messages = []
        for chunks in streams:
            parser = backend.StreamParser(family)
            for chunk in chunks:
                parser.feed(chunk)
            parser.close()
            messages.append(parser.message)
        return [(m.text, len(m.tool_calls), m.usage.output_tokens) for m in messages]

    return run


def sdk(streams: list[list[bytes]]) -> Any:
    from anthropic._models import construct_type
    from anthropic._streaming import SSEDecoder
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent

    messages = []
    for chunks in streams:
        snapshot = None
        json_bufs: dict[int, bytes] = {}
        for sse in SSEDecoder().iter_bytes(iter(chunks)):
            if sse.event in ("ping", "error") or not sse.data:
                continue
            event = construct_type(type_=RawMessageStreamEvent, value=json.loads(sse.data))
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
        messages.append(snapshot)
    return [
        (
            "".join(b.text for b in m.content if b.type == "text"),
            sum(b.type in ("tool_use", "server_tool_use") for b in m.content),
            m.usage.output_tokens,
        )
        for m in messages
    ]


IMPLEMENTATIONS: dict[str, Callable[[list[list[bytes]]], Any]] = {
    "rust": ours(_rust, "anthropic"),
    "reference": ours(reference, "anthropic"),
    "anthropic-sdk": sdk,
}
FIXTURES = {"whole": [[b] for b in SSE_BODIES], "chunks": chunked(SSE_BODIES)}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
@pytest.mark.parametrize("implementation", sorted(IMPLEMENTATIONS))
def test_anthropic_sse(benchmark: Any, fixture: str, implementation: str) -> None:
    if not SSE_BODIES:
        pytest.skip("no corpus")
    streams = FIXTURES[fixture]
    expected = ours(reference, "anthropic")([[b] for b in SSE_BODIES])
    result = benchmark(IMPLEMENTATIONS[implementation], streams)
    benchmark.extra_info["bytes"] = sum(len(b) for b in SSE_BODIES)
    benchmark.extra_info["correct"] = result == expected
    assert result == expected


BEDROCK_FIXTURES = {"whole": [[b] for b in BEDROCK_BODIES], "chunks": chunked(BEDROCK_BODIES)}


@pytest.mark.parametrize("fixture", sorted(BEDROCK_FIXTURES))
@pytest.mark.parametrize("implementation", ["rust", "reference"])
def test_bedrock_eventstream(benchmark: Any, fixture: str, implementation: str) -> None:
    """No SDK column: the SDK's Bedrock path decodes frames with botocore, which is not installed."""
    if not BEDROCK_BODIES:
        pytest.skip("no corpus")
    backend = _rust if implementation == "rust" else reference
    expected = ours(reference, "bedrock")([[b] for b in BEDROCK_BODIES])
    result = benchmark(ours(backend, "bedrock"), BEDROCK_FIXTURES[fixture])
    benchmark.extra_info["bytes"] = sum(len(b) for b in BEDROCK_BODIES)
    benchmark.extra_info["correct"] = result == expected
    assert result == expected
