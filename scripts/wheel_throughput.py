"""Throughput of the installed streamdelta's SSEDecoder and parse(), to compare wheel builds
(abi3 against per-interpreter: docs/wheels.md). Run it with each build's interpreter, several times:

    <venv>/bin/python scripts/wheel_throughput.py [CORPUS_DIR]

Prints one line per workload: MB/s of body and events/s, best of ROUNDS.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

import streamdelta
from streamdelta import cassettes

ROUNDS = 15


def bodies(corpus: Path) -> list[bytes]:
    return [item.body for _, _, item in cassettes.iter_corpus(corpus) if item.is_event_stream]


def sse_whole(data: list[bytes]) -> int:
    n = 0
    for body in data:
        dec = streamdelta.SSEDecoder()
        n += len(dec.feed(body)) + len(dec.close())
    return n


def sse_chunked(data: list[list[bytes]]) -> int:
    n = 0
    for chunks in data:
        dec = streamdelta.SSEDecoder()
        for chunk in chunks:
            n += len(dec.feed(chunk))
        n += len(dec.close())
    return n


def parse_emit(data: list[bytes]) -> int:
    return sum(len(streamdelta.parse(body, on_error="emit")) for body in data)


def best(run: Callable[[], int]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        count = run()
        times.append(time.perf_counter() - start)
    return min(times), count


def main() -> None:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "fantasy"
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CORPUS_DIR") or default)
    data = bodies(corpus)
    size = sum(map(len, data))
    chunked = [[body[i : i + 256] for i in range(0, len(body), 256)] for body in data]
    workloads: dict[str, Callable[[], int]] = {
        "SSEDecoder, whole bodies": lambda: sse_whole(data),
        "SSEDecoder, 256-byte chunks": lambda: sse_chunked(chunked),
        "parse(on_error='emit')": lambda: parse_emit(data),
    }
    core = sys.modules["streamdelta._core"].__file__
    print(f"# {Path(core or '?').name}, python {sys.version.split()[0]}, {len(data)} bodies, {size / 1e6:.2f} MB")
    for name, run in workloads.items():
        seconds, events = best(run)
        print(f"{name:<30} {size / seconds / 1e6:8.1f} MB/s {events / seconds / 1e6:7.3f} M events/s")


if __name__ == "__main__":
    main()
