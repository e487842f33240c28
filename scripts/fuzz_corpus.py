"""Seeds the fuzz corpora from the recorded streams: writes ``rust/fuzz/corpus/<target>/`` (gitignored).

Each seed starts with the two bytes the targets read first (flags, chunking seed); see the doc
comment of each target in ``rust/fuzz/fuzz_targets/``. Run from the repo root: ``python scripts/fuzz_corpus.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import corpus_interactions, family_of  # noqa: E402

from streamdelta.reference.eventstream import EventStreamDecoder  # noqa: E402
from streamdelta.reference.sse import SseTokenizer  # noqa: E402

# Seeds larger than this are cut: libFuzzer mutates small inputs faster, and a prefix is a valid seed.
MAX_SEED_BYTES = 16 * 1024
# The family numbers of `fuzz_targets/parser.rs` (0 is auto-detection).
FAMILY_FLAGS = {"openai-chat": 1, "openai-responses": 2, "anthropic": 3, "gemini": 4, "bedrock": 5}


def payload_lines(body: bytes) -> bytes:
    """The body's events as ``event<TAB>data`` lines, the structured input of the parser target."""
    lines: list[bytes] = []
    tokenizer = SseTokenizer(flush_at_eof=True)

    def on_event(e: object) -> None:
        event, data = e.event, e.data  # type: ignore[attr-defined]
        lines.append(f"{event}\t{data}".replace("\n", " ").encode())

    tokenizer.feed(body, on_event)
    tokenizer.close(on_event)
    return b"\n".join(lines)


def frame_lines(body: bytes) -> tuple[bytes, bytes]:
    """The frames of an event-stream body as lines: the event types with their payloads (for the
    eventstream target) and the decoded inner JSON of each chunk (for the parser target)."""
    frames: list[bytes] = []
    inner: list[bytes] = []

    def on_frame(f: object) -> None:
        headers, payload = f.headers, f.payload  # type: ignore[attr-defined]
        frames.append(headers.get("event_type", b"chunk") + b"\t" + payload.replace(b"\n", b" "))
        try:
            inner.append(base64.b64decode(json.loads(payload)["bytes"]).replace(b"\n", b" "))
        except (ValueError, KeyError, TypeError):
            inner.append(payload.replace(b"\n", b" "))

    decoder = EventStreamDecoder(16 << 20)
    decoder.feed(body, on_frame)
    decoder.close(on_frame)
    return b"\n".join(frames), b"\n".join(inner)


def write(target: str, seed: bytes) -> None:
    folder = ROOT / "rust" / "fuzz" / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    seed = seed[:MAX_SEED_BYTES]
    (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)


def main() -> int:
    items = corpus_interactions()
    if not items:
        print("fuzz_corpus: no corpus found; the targets start from empty corpora", file=sys.stderr)
        return 0
    for n, (_, item) in enumerate(items):
        family = family_of(item)
        flags = FAMILY_FLAGS[family]
        seed = n % 256
        if item.is_event_stream:
            write("sse", bytes([n % 8, seed]) + item.body)
            write("parser", bytes([flags, seed]) + payload_lines(item.body))
            write("parser", bytes([0, seed]) + payload_lines(item.body))
            write("parser", bytes([flags | 8, seed]) + item.body)
            # Every 20th payload seeds the JSON accumulator (all of them would only slow it down).
            for line in payload_lines(item.body).split(b"\n")[::20]:
                write("json", bytes([seed]) + line.partition(b"\t")[2])
        else:
            frames, inner = frame_lines(item.body)
            write("eventstream", bytes([1, seed]) + item.body)
            write("eventstream", bytes([0, seed]) + frames)
            write("parser", bytes([flags | 8, seed]) + item.body)
            write("parser", bytes([flags | 32, seed]) + inner)
    counts = {p.name: len(list(p.iterdir())) for p in sorted((ROOT / "rust" / "fuzz" / "corpus").iterdir())}
    print("fuzz_corpus:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
