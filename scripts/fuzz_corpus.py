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

from tests.conftest import corpus_interactions, family_of, public_bodies  # noqa: E402

from streamdelta.reference.eventstream import EventStreamDecoder  # noqa: E402
from streamdelta.reference.sse import SseTokenizer  # noqa: E402

# Seeds larger than this are cut: libFuzzer mutates small inputs faster, and a prefix is a valid seed.
MAX_SEED_BYTES = 16 * 1024
# The family numbers of `family_of` in `rust/fuzz/src/lib.rs` (0 is auto-detection), as flag bits:
# bits 0-2, and bit 6 for the fourth bit.
FAMILY_FLAGS = {
    name: (n & 7) | ((n & 8) << 3)
    for n, name in enumerate(
        ("openai-chat", "openai-responses", "anthropic", "gemini", "bedrock", "ollama", "openai-completions", "cohere"),
        start=1,
    )
}
# The framing bits of `structured_body`: JSON values (bit 7), as an array (bit 5); a raw body (bit 3).
JSON_VALUES, ARRAY, RAW = 128, 32, 8
# Public-corpus kinds read as SSE bodies by the parser targets, and their family.
PUBLIC_SSE = {"cohere": "cohere", "openai-completions": "openai-completions"}


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
        name = headers.get("exception_type") or headers.get("event_type", b"chunk")
        frames.append(name + b"\t" + payload.replace(b"\n", b" "))
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


def structured(target_flags: int, seed: int, lines: bytes) -> None:
    """A payload-lines seed for both targets that read them: `parser` and `tolerant`."""
    write("parser", bytes([target_flags, seed]) + lines)
    write("tolerant", bytes([target_flags, seed]) + lines)


def json_lines(values: list[object]) -> bytes:
    return b"\n".join(json.dumps(v).encode() for v in values)


def public_seeds() -> None:
    """The families and framings the recorded corpus has no call of: the public corpus's bodies."""
    for n, (_, body) in enumerate(public_bodies("bedrock-converse", "eventstream")):
        frames, _ = frame_lines(body)
        structured(FAMILY_FLAGS["bedrock"], n % 256, frames)
        write("parser", bytes([FAMILY_FLAGS["bedrock"] | RAW, n % 256]) + body)
    for n, (_, body) in enumerate(public_bodies("bedrock-converse", "json")):
        write("parser", bytes([FAMILY_FLAGS["bedrock"] | RAW, n % 256]) + body)
        write("json_values", bytes([0, n % 256]) + body)
    for n, (_, body) in enumerate(public_bodies("gemini-json-array", "json")):
        gemini = FAMILY_FLAGS["gemini"]
        write("parser", bytes([gemini | RAW, n % 256]) + body)
        write("json_values", bytes([1, n % 256]) + body)
        try:
            items = json.loads(body)
        except ValueError:
            continue
        if isinstance(items, list):
            structured(gemini | JSON_VALUES | ARRAY, n % 256, json_lines(items))
    for kind, family in PUBLIC_SSE.items():
        for n, (_, body) in enumerate(public_bodies(kind, "sse")):
            structured(FAMILY_FLAGS[family], n % 256, payload_lines(body))
            write("parser", bytes([FAMILY_FLAGS[family] | RAW, n % 256]) + body)
            write("sse", bytes([n % 8, n % 256]) + body)


def documented_seeds() -> None:
    """Ollama and the Invoke chunks of Bedrock's other vendors have no recording: the bodies the
    tests build from the providers' API references (skipped when the test dependencies are missing)."""
    try:
        from tests.test_bedrock_converse import VENDORS
        from tests.test_ollama import CHAT_BODIES, GENERATE_BODIES
    except ImportError as err:
        print(f"fuzz_corpus: no Ollama / Bedrock Invoke seeds ({err})", file=sys.stderr)
        return
    for n, lines in enumerate([*CHAT_BODIES.values(), *GENERATE_BODIES.values()]):
        body = json_lines(lines)
        structured(FAMILY_FLAGS["ollama"] | JSON_VALUES, n, body)
        structured(JSON_VALUES, n, body)
        write("json_values", bytes([0, n]) + body + b"\n")
    for n, events in enumerate(VENDORS.values()):
        structured(FAMILY_FLAGS["bedrock"] | ARRAY, n, json_lines(events))


def main() -> int:
    public_seeds()
    documented_seeds()
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
            structured(flags, seed, payload_lines(item.body))
            if family == "gemini":  # the same content as a JSON array (`alt=sse` left out)
                structured(flags | JSON_VALUES | ARRAY, seed, payload_lines(item.body))
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
            structured(flags | ARRAY, seed, inner)
            structured(flags, seed, frames)
    counts = {p.name: len(list(p.iterdir())) for p in sorted((ROOT / "rust" / "fuzz" / "corpus").iterdir())}
    print("fuzz_corpus:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
