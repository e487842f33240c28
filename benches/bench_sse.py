"""SSE decoding on the whole corpus: streamdelta's Rust core and its pure-Python reference against
httpx-sse and sseclient-py, each given what it needs to go from response bytes to events; and one huge
event fed in 1 KB chunks, whose time per MB must stay flat as it grows (no byte is scanned twice)."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

import httpx_sse._decoders
import pytest
import sseclient

from streamdelta import reference

from .conftest import chunked_bodies, core_or_none, record, version_of
from .peers import httpx_sse_lines

# `decode(streams, keep)` feeds every stream to a fresh decoder and returns (events, kept events). The timed
# runs pass keep=False: events are counted and dropped as a consumer would, so what is timed is decoding,
# not the allocator keeping thousands of objects alive; the correctness check runs once with keep=True.
Decode = Callable[[Iterable[Iterable[bytes]], bool], tuple[int, list[Any]]]
Ev = tuple[str, str, str]


def streamdelta_decoder(module: ModuleType, **options: Any) -> Decode:
    def decode(streams: Iterable[Iterable[bytes]], keep: bool) -> tuple[int, list[Any]]:
        count = 0
        out: list[Any] = []
        for chunks in streams:
            dec = module.SSEDecoder(**options)
            for chunk in chunks:
                events = dec.feed(chunk)
                count += len(events)
                if keep:
                    out += events
            events = dec.close()
            count += len(events)
            if keep:
                out += events
        return count, out

    return decode


def httpx_sse_decode(streams: Iterable[Iterable[bytes]], keep: bool) -> tuple[int, list[Any]]:
    """``EventSource.iter_sse``."""
    count = 0
    out: list[Any] = []
    for chunks in streams:
        sse = httpx_sse._decoders.SSEDecoder()
        for line in httpx_sse_lines(chunks):
            event = sse.decode(line.rstrip("\n"))
            if event is not None:
                count += 1
                if keep:
                    out.append(event)
    return count, out


def sseclient_decode(streams: Iterable[Iterable[bytes]], keep: bool) -> tuple[int, list[Any]]:
    """``SSEClient`` reads any iterable of byte chunks as its event source."""
    count = 0
    out: list[Any] = []
    for chunks in streams:
        for event in sseclient.SSEClient(chunks).events():
            count += 1
            if keep:
                out.append(event)
    return count, out


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
    return fields(streamdelta_decoder(core or reference)(chunked_bodies(mode), True)[1])


@pytest.mark.parametrize("mode", ["whole", "chunks"])
@pytest.mark.parametrize("name", IMPLEMENTATIONS)
def test_sse_corpus(benchmark: Any, name: str, mode: str) -> None:
    decode, version = implementation(name)
    streams = chunked_bodies(mode)
    expected = expected_events(mode)
    benchmark.group = f"sse-corpus-{mode}"
    count, _ = benchmark(decode, streams, False)
    correct = count == len(expected) and fields(decode(streams, True)[1]) == expected
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
    benchmark.pedantic(decode, args=([stream], False), rounds=3, iterations=1)
    _, events = decode([stream], True)
    data_len = size_mb * 1_000_000
    correct = len(events) == 1 and len(events[0].data) == data_len and events[0].data.count("x") == data_len
    nbytes = data_len + len(b"data: \n\n")
    record(benchmark, implementation=name, version=version, nbytes=nbytes, events=1, correct=correct)
    benchmark.extra_info["size_mb"] = size_mb
    assert correct, f"{name} did not decode the {size_mb} MB event"
