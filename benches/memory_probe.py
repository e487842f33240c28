"""Peak memory while one parser takes a long synthetic chat-completions stream in 64 KB chunks; run in a
fresh process by ``bench_memory.py`` so that nothing else counts. Prints one JSON object.

Usage: ``python benches/memory_probe.py {rust,reference} TOTAL_BYTES [LARGEST_EVENT_BYTES]``.
The stream is built on the fly: one large text delta first (the largest event), then the same 64 KB block
of whole small events over and over, then the finish. Rust is measured by the process's peak RSS
(``VmHWM``, reset just before parsing), the reference by ``tracemalloc`` (it traces Python objects only).
The parser's message keeps all the text it saw, so that is reported beside the peak.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Iterator

CHUNK = 64 * 1024
HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1",'


def event(delta: str, finish: str | None = None) -> bytes:
    reason = "null" if finish is None else json.dumps(finish)
    return f'data: {HEAD}"choices":[{{"index":0,"delta":{delta},"finish_reason":{reason}}}]}}\n\n'.encode()


def text(content: str) -> bytes:
    return event(json.dumps({"content": content}))


def block() -> bytes:
    """64 KB of whole events: small text deltas, the last one padded to fill the block exactly."""
    small = text("hi ")
    count = CHUNK // len(small) - 1
    pad = CHUNK - count * len(small) - len(text(""))
    return small * count + text("x" * pad)


def stream(total: int, largest: int) -> Iterator[bytes]:
    first = event('{"role":"assistant","content":""}') + text("y" * largest)
    for i in range(0, len(first), CHUNK):
        yield first[i : i + CHUNK]
    repeated = block()
    for _ in range(max(0, total - len(first)) // CHUNK):
        yield repeated
    yield event("{}", "stop") + b"data: [DONE]\n\n"


def status(field: str) -> int:
    """A ``/proc/self/status`` figure in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def main(backend: str, total: int, largest: int) -> dict[str, object]:
    if backend == "rust":
        from streamdelta import _rust as module
    else:
        from streamdelta import reference as module
    parser = module.StreamParser("openai-chat")
    chunks = stream(total, largest)
    largest_event = len(text("y" * largest))
    fed = events = 0
    if backend == "rust":
        # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
        Path("/proc/self/clear_refs").write_text("5")
        base = status("VmRSS")
    else:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    for chunk in chunks:
        fed += len(chunk)
        events += len(parser.feed(chunk))
    events += len(parser.close())
    seconds = time.perf_counter() - started
    peak = status("VmHWM") if backend == "rust" else tracemalloc.get_traced_memory()[1]
    kept = len(parser.message.text.encode())
    return {
        "backend": backend,
        "measured_by": "VmHWM (peak RSS)" if backend == "rust" else "tracemalloc peak",
        "bytes": fed,
        "events": events,
        "seconds": seconds,
        "largest_event": largest_event,
        "message_text": kept,
        "peak_growth": peak - base,
        "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


if __name__ == "__main__":
    largest = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), largest)))
