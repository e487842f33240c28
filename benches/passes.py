"""Passes over one corpus slice with one build, for callgrind: bytes to events and ``.message``.

    valgrind --tool=callgrind .venv/bin/python -m benches.passes BUILD_DIR openai-chat whole 3

One warm-up pass, then the collector off and N passes (``compare_builds``'s ``parse_streams`` over
``slice_streams``); compare the instructions of the ``_core`` object between two builds.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from .compare_builds import load_build, parse_streams, slice_streams


def main() -> None:
    build, name, mode, passes = sys.argv[1:5]
    core = load_build(Path(build))
    streams = [(family, list(chunks)) for family, chunks in slice_streams(name, mode, False)]
    parse_streams(core, streams)
    gc.collect()
    gc.disable()
    for _ in range(int(passes)):
        parse_streams(core, streams)


if __name__ == "__main__":
    main()
