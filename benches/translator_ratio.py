"""``Translator`` against ``parse`` in one process, rounds interleaved: the ratio issue 21 bounds.

    .venv/bin/python -m benches.translator_ratio [--build DIR] [--targets gemini,bedrock] [--rounds 300]

``bench_encode`` times its rows one after another, minutes apart; on a machine whose speed drifts
within a run, their ratio drifts with it. Here each round times ``parse`` and each build's
``Translator`` over the same corpus bodies (``bench_encode``'s) back to back, in alternating order,
and each keeps its best. ``--clock cpu`` times the thread's CPU time instead of the wall clock, for
a machine shared with other work. ``--build`` adds a second build (a directory holding
``streamdelta/_core*.so``, as for ``compare_builds``) to compare a change.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import ModuleType
from typing import Callable

from .bench_encode import TARGETS, bodies, translate
from .compare_builds import load_build

CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}


def parse_all(core: ModuleType, data: tuple[bytes, ...], _target: str) -> None:
    for body in data:
        core.parse(body, on_error="emit")


def translate_all(core: ModuleType, data: tuple[bytes, ...], target: str) -> None:
    for body in data:
        translate(core, target, body)


def ratios(
    builds: dict[str, ModuleType], targets: list[str], rounds: int, clock: str = "wall", small: bool = False
) -> list[str]:
    """One line per target and build: best MB/s of ``parse`` and ``Translator``, and their ratio."""
    data = bodies(small)
    size = sum(map(len, data))
    now = CLOCKS[clock]
    lines = []
    for target in targets:
        runs = [
            (name, kind, run) for name in builds for kind, run in (("parse", parse_all), ("translator", translate_all))
        ]
        best = {(name, kind): float("inf") for name, kind, _ in runs}
        for r in range(rounds):
            for name, kind, run in runs if r % 2 == 0 else runs[::-1]:
                start = now()
                run(builds[name], data, target)
                best[name, kind] = min(best[name, kind], now() - start)
        for name in builds:
            parse, translator = (size / best[name, kind] / 1e6 for kind in ("parse", "translator"))
            lines.append(
                f"{target:17s} {name:7s} parse {parse:8.1f} MB/s  translator {translator:8.1f} MB/s  "
                f"translator/parse {translator / parse:.3f}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="a second build's directory, timed beside the installed one")
    parser.add_argument("--targets", default=",".join(TARGETS), help="target families, comma-separated")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    from streamdelta import _core

    builds = {"this": _core}
    if args.build is not None:
        builds["other"] = load_build(args.build)
    for line in ratios(builds, args.targets.split(","), args.rounds, args.clock):
        print(line, flush=True)


if __name__ == "__main__":
    main()
