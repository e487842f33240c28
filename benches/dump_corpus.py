"""Writes every SSE body of the corpus to one file for the criterion bench (``rust/core/benches/sse.rs``),
which reads no YAML: each body as a little-endian u64 length followed by its bytes.

Usage: ``python benches/dump_corpus.py [OUT]`` (default ``target/corpus-sse.bin``); the corpus is
``$CORPUS_DIR`` or ``../shared/corpus/fantasy`` beside the repo, as for the tests.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS, sse_bodies  # noqa: E402


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "target" / "corpus-sse.bin"
    bodies = [body for _, body in sse_bodies()]
    if not bodies:
        print(f"dump_corpus: no SSE bodies found in {CORPUS} (set CORPUS_DIR)", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        for body in bodies:
            f.write(struct.pack("<Q", len(body)))
            f.write(body)
    print(f"dump_corpus: {len(bodies)} SSE bodies, {sum(map(len, bodies))} bytes -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
