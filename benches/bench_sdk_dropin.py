"""The official SDKs' stream decoding with and without streamdelta's drop-in decoder
(``streamdelta.integrations.{openai,anthropic}.install(client)``), on corpus bodies held in memory.

Two paths per SDK: ``decoder`` is the SSE decoding alone (what ``_make_sse_decoder().iter_bytes``
yields: the part the swap replaces); ``stream`` is the SDK's whole ``Stream`` loop (decoding, then
``json.loads`` and the SDK's model construction for every event: what user code waits for).

Reproducing: ``make dev``, then ``.venv/bin/python -m benches.bench_sdk_dropin`` (prints the ratios)
or ``.venv/bin/pytest benches/bench_sdk_dropin.py --benchmark-only``.
"""

from __future__ import annotations

import random
import sys
import time
from functools import cache
from typing import Any, Callable

import pytest
from tests.conftest import family_bodies, random_splits
from tests.sdk_replay import SDKS, Sdk, client, stream

import streamdelta

# Every STRIDE-th body of a family keeps a round short while still covering every provider.
STRIDE = 5
# Network reads of a token stream are small: chunks of 1..MAX_CHUNK bytes.
MAX_CHUNK = 1024
DECODERS = ["sdk", "streamdelta"]
REPEAT = 15


@cache
def workload(case: str) -> list[list[bytes]]:
    """The bodies of a family, each cut into chunks as they might arrive."""
    rng = random.Random(case)
    return [list(random_splits(body, rng, MAX_CHUNK)) for _, body in family_bodies(SDKS[case].family)[::STRIDE]]


def make_client(sdk: Sdk, decoder: str) -> Any:
    return client(sdk, "http://127.0.0.1", swap=decoder == "streamdelta")


def run_stream(sdk: Sdk, sdk_client: Any, bodies: list[list[bytes]]) -> list[Any]:
    return [list(stream(sdk, sdk_client, chunks)) for chunks in bodies]


def run_decoder(sdk_client: Any, bodies: list[list[bytes]]) -> list[Any]:
    decoder = sdk_client._make_sse_decoder()
    return [list(decoder.iter_bytes(iter(chunks))) for chunks in bodies]


def round_of(case: str, path: str, decoder: str) -> Callable[[], list[Any]]:
    sdk, bodies = SDKS[case], workload(case)
    sdk_client = make_client(sdk, decoder)
    if path == "stream":
        return lambda: run_stream(sdk, sdk_client, bodies)
    return lambda: run_decoder(sdk_client, bodies)


def comparable(path: str, result: list[Any]) -> list[Any]:
    if path == "stream":
        return [[chunk.model_dump() for chunk in body] for body in result]
    return [[(e.event, e.data, e.id, e.retry) for e in body] for body in result]


@cache
def stock_output(case: str, path: str) -> list[Any]:
    return comparable(path, round_of(case, path, "sdk")())


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("path", ["decoder", "stream"])
@pytest.mark.parametrize("case", list(SDKS))
def test_sdk_dropin(benchmark: Any, case: str, path: str, decoder: str) -> None:
    if not workload(case):
        pytest.skip("no corpus")
    run = round_of(case, path, decoder)
    # The SDK's own decoder is the reference the swapped one is checked against.
    correct = decoder == "sdk" or comparable(path, run()) == stock_output(case, path)
    benchmark.extra_info.update(correct=correct, backend=streamdelta.BACKEND, bodies=len(workload(case)))
    benchmark.group = f"sdk-dropin {case} {path}"
    benchmark(run)
    assert correct


def best_of(runs: list[Callable[[], Any]], repeat: int) -> list[float]:
    """The best time of each run; rounds interleaved so that a busy moment of the machine hits both."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> None:
    if streamdelta.BACKEND != "rust":
        sys.exit("the Rust backend is not loaded: run `make dev` first")
    print(f"{'sdk / path':<28} {'bodies':>6} {'events':>7} {'stock ms':>9} {'swapped ms':>10} {'speedup':>8}")
    for case in SDKS:
        for path in ("decoder", "stream"):
            stock, swapped = round_of(case, path, "sdk"), round_of(case, path, "streamdelta")
            events = sum(len(body) for body in round_of(case, "decoder", "sdk")())
            a, b = best_of([stock, swapped], REPEAT)
            row = f"{case + ' ' + path:<28} {len(workload(case)):>6} {events:>7}"
            print(f"{row} {a * 1e3:>9.2f} {b * 1e3:>10.2f} {a / b:>7.2f}x")
    print(f"(best of {REPEAT} interleaved rounds each; python {sys.version.split()[0]}; Rust SSEDecoder)")


if __name__ == "__main__":
    main()
