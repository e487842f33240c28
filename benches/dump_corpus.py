"""Writes the corpus for the criterion benches, which read no YAML: every SSE body to ``corpus-sse.bin``
(``rust/core/benches/sse.rs``), the bodies of each wire family to ``corpus-<family>.bin``
(``families.rs``), and for the JSON framings alone (``framing.rs``) the public corpus's Gemini JSON
arrays to ``corpus-json-array.bin`` and the SSE bodies' payloads, one per line, to
``corpus-ndjson.bin``; each body as a little-endian u64 length followed by its bytes.

Usage: ``python benches/dump_corpus.py [DIR]`` (default ``target``); the corpus is ``$CORPUS_DIR`` or
``../shared/corpus/fantasy`` beside the repo, as for the tests.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS, family_bodies, public_bodies, sse_bodies  # noqa: E402

from streamdelta.reference import FAMILIES, SSEDecoder  # noqa: E402


def dump(out: Path, bodies: list[bytes], what: str) -> None:
    with open(out, "wb") as f:
        for body in bodies:
            f.write(struct.pack("<Q", len(body)))
            f.write(body)
    print(f"dump_corpus: {len(bodies)} {what} bodies, {sum(map(len, bodies))} bytes -> {out}")


def as_ndjson(body: bytes) -> bytes:
    """The data payloads of an SSE body, one per line (``[DONE]`` and other non-JSON ones left out)."""
    decoder = SSEDecoder()
    events = decoder.feed(body) + decoder.close()
    return b"".join(e.data.encode() + b"\n" for e in events if e.data.startswith("{"))


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else ROOT / "target"
    bodies = [body for _, body in sse_bodies()]
    if not bodies:
        print(f"dump_corpus: no SSE bodies found in {CORPUS} (set CORPUS_DIR)", file=sys.stderr)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    dump(directory / "corpus-sse.bin", bodies, "SSE")
    for family in FAMILIES:
        # A family the recorded corpus has no call of: the public corpus's bodies of its name.
        bodies = [body for _, body in family_bodies(family)] or [body for _, body in public_bodies(family)]
        dump(directory / f"corpus-{family}.bin", bodies, family)
    dump(directory / "corpus-json-array.bin", [b for _, b in public_bodies("gemini-json-array", "json")], "JSON array")
    dump(directory / "corpus-ndjson.bin", [as_ndjson(b) for _, b in sse_bodies()], "NDJSON")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
