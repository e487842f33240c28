"""SSE decoding on the whole corpus: streamdelta's Rust core and its pure-Python reference against
httpx-sse and sseclient-py, each given what it needs to go from response bytes to events; and one huge
event fed in 1 KB chunks, whose time per MB must stay flat as it grows (no byte is scanned twice)."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

import httpx._decoders
import httpx_sse._decoders
import pytest
import sseclient

from streamdelta import reference

from .conftest import chunked_bodies, core_or_none, record, version_of

Decode = Callable[[Iterable[Iterable[bytes]]], list[Any]]
Ev = tuple[str, str, str]


def streamdelta_decoder(module: ModuleType, **options: Any) -> Decode:
    def decode(streams: Iterable[Iterable[bytes]]) -> list[Any]:
        out: list[Any] = []
        for chunks in streams:
            dec = module.SSEDecoder(**options)
            for chunk in chunks:
                out += dec.feed(chunk)
            out += dec.close()
        return out

    return decode


def httpx_sse_decode(streams: Iterable[Iterable[bytes]]) -> list[Any]:
    """What ``EventSource.iter_sse`` does over ``Response.iter_text`` (httpx's incremental UTF-8 decoder,
    empty texts dropped), without the HTTP machinery around it."""
    out: list[Any] = []
    for chunks in streams:
        text_decoder = httpx._decoders.TextDecoder("utf-8")
        lines = httpx_sse._decoders.SSELineDecoder()
        sse = httpx_sse._decoders.SSEDecoder()

        def feed(new_lines: list[str], sse: httpx_sse._decoders.SSEDecoder = sse) -> None:
            for line in new_lines:
                event = sse.decode(line.rstrip("\n"))
                if event is not None:
                    out.append(event)

        for chunk in chunks:
            text = text_decoder.decode(chunk)
            if text:
                feed(lines.decode(text))
        text = text_decoder.flush()
        if text:
            feed(lines.decode(text))
        feed(lines.flush())
    return out


def sseclient_decode(streams: Iterable[Iterable[bytes]]) -> list[Any]:
    """``SSEClient`` reads any iterable of byte chunks as its event source."""
    out: list[Any] = []
    for chunks in streams:
        out.extend(sseclient.SSEClient(chunks).events())
    return out


IMPLEMENTATIONS = ["rust", "reference", "httpx-sse", "sseclient-py"]


def implementation(name: str, **options: Any) -> tuple[Decode, str]:
    if name == "rust":
        core = core_or_none()
        if core is None:
            pytest.skip("the Rust extension is not built")
        return streamdelta_decoder(core, **options), core.__version__
    if name == "reference":
        return streamdelta_decoder(reference, **options), version_of("streamdelta")
    if name == "httpx-sse":
        return httpx_sse_decode, version_of("httpx-sse")
    if name == "sseclient-py":
        return sseclient_decode, version_of("sseclient-py")
    raise ValueError(name)


def fields(events: list[Any]) -> list[Ev]:
    """What every implementation models the same way; sseclient-py gives ``None`` for no id."""
    return [(e.event, e.data, e.id or "") for e in events]


def expected_events(mode: str) -> list[Ev]:
    """The events of the Rust core where it is built, else of the reference (equal by the tests)."""
    core = core_or_none()
    return fields(streamdelta_decoder(core or reference)(chunked_bodies(mode)))


@pytest.mark.parametrize("mode", ["whole", "chunks"])
@pytest.mark.parametrize("name", IMPLEMENTATIONS)
def test_sse_corpus(benchmark: Any, name: str, mode: str) -> None:
    decode, version = implementation(name)
    streams = chunked_bodies(mode)
    expected = expected_events(mode)
    benchmark.group = f"sse-corpus-{mode}"
    events = benchmark(decode, streams)
    correct = fields(events) == expected
    nbytes = sum(len(chunk) for chunks in streams for chunk in chunks)
    record(benchmark, implementation=name, version=version, nbytes=nbytes, events=len(expected), correct=correct)
    if name in ("rust", "reference"):
        assert correct, f"{name} decodes the corpus differently"


CHUNK = 1024
HUGE_SIZES_MB = [10, 40, 160]
UNTIMED_SIZE_MB = 1


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "size_mb" in metafunc.fixturenames:
        untimed = metafunc.config.getoption("benchmark_disable")
        sizes = [UNTIMED_SIZE_MB] if untimed else HUGE_SIZES_MB
        metafunc.parametrize("size_mb", sizes, ids=[f"{s}MB" for s in sizes])


def huge_event_chunks(size_mb: int) -> tuple[bytes, bytes, int, bytes]:
    """``data: xxx…\\n\\n`` with ``size_mb`` MB of data, as (first chunk, middle chunk, how many middle
    chunks, last chunk): the middle 1 KB chunks are all equal, so one object stands for all of them."""
    data_len = size_mb * 1_000_000
    head = b"data: "
    first = head + b"x" * (CHUNK - len(head))
    middle = b"x" * CHUNK
    rest = data_len - (CHUNK - len(head))
    count, tail = divmod(rest, CHUNK)
    return first, middle, count, b"x" * tail + b"\n\n"


class Repeated:
    """The chunks of ``huge_event_chunks``, iterable again on every round, without materializing the
    middle ones."""

    def __init__(self, first: bytes, middle: bytes, count: int, last: bytes) -> None:
        self.parts = (first, middle, count, last)

    def __iter__(self) -> Iterator[bytes]:
        first, middle, count, last = self.parts
        yield first
        for _ in range(count):
            yield middle
        yield last


# sseclient-py is left out: its `data += line` copies the whole pending event on every chunk, so 10 MB
# in 1 KB chunks would copy about 50 GB.
@pytest.mark.parametrize("name", ["rust", "reference", "httpx-sse"])
def test_huge_event_linear_time(benchmark: Any, name: str, size_mb: int) -> None:
    decode, version = implementation(name, max_event_bytes=(size_mb + 1) * 1_000_000)
    stream = Repeated(*huge_event_chunks(size_mb))
    benchmark.group = "sse-huge-event-1KB-chunks"
    events = benchmark.pedantic(decode, args=([stream],), rounds=3, iterations=1)
    data_len = size_mb * 1_000_000
    correct = len(events) == 1 and len(events[0].data) == data_len and events[0].data.count("x") == data_len
    nbytes = data_len + len(b"data: \n\n")
    record(benchmark, implementation=name, version=version, nbytes=nbytes, events=1, correct=correct)
    benchmark.extra_info["size_mb"] = size_mb
    assert correct, f"{name} did not decode the {size_mb} MB event"
