"""Two builds of the extension timed side by side in one process: what a change does to each slice.

    make dev && cp -r python/streamdelta /tmp/before/      # the build before the change
    ... change, make dev ...
    .venv/bin/python -m benches.compare_builds /tmp/before python [--slices gemini,sse] [--rounds 40]

Each directory holds a built ``streamdelta/_core*.so`` (two copies of one file load as one
module). Rows are the wire families (bytes to events and ``.message``, as ``bench_e2e``'s ``rust``
row) and ``sse`` (``SSEDecoder`` alone), fed whole and in random 1–512 byte chunks. Rounds alternate
between the builds and each keeps its best, so the ratio holds on a shared machine where separate
runs of one build differ by more than most changes.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable

from streamdelta.reference import FAMILIES

from .conftest import chunked_bodies, slice_streams

Streams = Iterable[tuple[str, Iterable[bytes]]]


def load_build(directory: Path) -> ModuleType:
    """The ``_core`` extension built in ``directory/streamdelta``, loaded on its own."""
    package = directory / "streamdelta"
    found = sorted(package.glob("_core*.so")) + sorted(package.glob("_core*.pyd"))
    if not found:
        raise SystemExit(f"no built streamdelta/_core extension in {directory}")
    loader = importlib.machinery.ExtensionFileLoader("streamdelta._core", str(found[0]))
    spec = importlib.util.spec_from_file_location("streamdelta._core", found[0], loader=loader)
    if spec is None:
        raise SystemExit(f"cannot load {found[0]}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def parse_streams(core: ModuleType, streams: Streams) -> None:
    for family, chunks in streams:
        parser = core.StreamParser(family)
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
        _ = parser.message


def decode_streams(core: ModuleType, streams: Streams) -> None:
    for _, chunks in streams:
        decoder = core.SSEDecoder()
        for chunk in chunks:
            decoder.feed(chunk)
        decoder.close()


def workload(name: str, mode: str, small: bool) -> tuple[Callable[[ModuleType, Streams], None], Streams]:
    if name == "sse":
        bodies = chunked_bodies(mode)[: 2 if small else None]
        return decode_streams, [("", chunks) for chunks in bodies]
    return parse_streams, slice_streams(name, mode, small)


def compare(before: ModuleType, after: ModuleType, names: list[str], rounds: int, small: bool = False) -> list[str]:
    """One line per (slice, mode): each build's best time, and after / before."""
    lines = []
    for name in names:
        for mode in ("whole", "chunks"):
            run, streams = workload(name, mode, small)
            best = [float("inf"), float("inf")]
            for r in range(rounds):
                for which in (0, 1) if r % 2 == 0 else (1, 0):
                    start = time.perf_counter()
                    run((before, after)[which], streams)
                    best[which] = min(best[which], time.perf_counter() - start)
            lines.append(
                f"{name + ' ' + mode:26s} before {best[0] * 1e3:8.3f} ms  after {best[1] * 1e3:8.3f} ms  "
                f"after/before {best[1] / best[0]:.3f}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="directory with the build before the change")
    parser.add_argument("after", type=Path, help="directory with the build after it")
    parser.add_argument("--slices", default=",".join([*FAMILIES, "sse"]), help="families and/or sse, comma-separated")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    before, after = load_build(args.before), load_build(args.after)
    for line in compare(before, after, args.slices.split(","), args.rounds):
        print(line, flush=True)


if __name__ == "__main__":
    main()
