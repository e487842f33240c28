"""SSEDecoder on both backends: one case per WHATWG rule, chunking invariance, limits, errors."""

from __future__ import annotations

import random
from types import ModuleType
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import random_splits, rust_backend, sse_bodies
from .memory import HAS_PROC, MiB, peak_growth

Ev = tuple[str, str, str, int | None]


def ev(data: str, event: str = "message", id: str = "", retry: int | None = None) -> Ev:
    return (event, data, id, retry)


SPEC_CASES: list[tuple[str, bytes, list[Ev]]] = [
    ("data line", b"data: hi\n\n", [ev("hi")]),
    ("lf cr crlf line ends", b"data: a\r\rdata: b\r\n\r\ndata: c\n\n", [ev("a"), ev("b"), ev("c")]),
    ("comment ignored", b": keep-alive\ndata: x\n\n", [ev("x")]),
    ("field without colon", b"data\n\n", [ev("")]),
    ("one space stripped", b"data:  two\n\n", [ev(" two")]),
    ("no space to strip", b"data:x\n\n", [ev("x")]),
    ("data lines joined", b"data: a\ndata: b\ndata\n\n", [ev("a\nb\n")]),
    ("event type then reset", b"event: up\ndata: 1\n\ndata: 2\n\n", [ev("1", "up"), ev("2")]),
    ("empty event type is message", b"event:\ndata: 1\n\n", [ev("1")]),
    ("id persists", b"id: 7\ndata: a\n\ndata: b\n\n", [ev("a", id="7"), ev("b", id="7")]),
    ("id with nul ignored", b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", [ev("a", id="1"), ev("b", id="1")]),
    ("empty id resets", b"id: 1\ndata: a\n\nid\ndata: b\n\n", [ev("a", id="1"), ev("b")]),
    ("retry digits", b"retry: 1500\ndata: a\n\n", [ev("a", retry=1500)]),
    (
        "retry not digits ignored",
        b"retry: 15x\ndata: a\n\nretry: -1\ndata: b\n\nretry:\ndata: c\n\n",
        [ev(c) for c in "abc"],
    ),
    ("retry saturates", b"retry: 99999999999999999999999\ndata: a\n\n", [ev("a", retry=2**64 - 1)]),
    ("no dispatch without data", b"event: e\n\nid: 3\n\ndata: z\n\n", [ev("z", id="3")]),
    ("unknown field ignored", b"foo: bar\ndata: a\n\n", [ev("a")]),
    ("field name is case sensitive", b"Data: a\ndata: b\n\n", [ev("b")]),
    ("bom stripped once", b"\xef\xbb\xbfdata: a\n\n", [ev("a")]),
    ("second bom kept", b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\n", []),
    ("invalid utf8 replaced", b"data: a\xffb\xe2\x82\n\n", [ev("a\ufffdb\ufffd")]),
    ("pending event dropped at eof", b"data: a\n\ndata: b\n", [ev("a")]),
    ("colon in value kept", b"data: a: b\n\n", [ev("a: b")]),
    ("space before colon is part of the name", b"data : x\n\n", []),
    ("utf8 text", "data: olá — 你好 🎉\n\n".encode(), [ev("olá — 你好 🎉")]),
]


def decode(backend: ModuleType, chunks: list[Any], **kwargs: Any) -> list[Ev]:
    dec = backend.SSEDecoder(**kwargs)
    out = []
    for chunk in chunks:
        out.extend(dec.feed(chunk))
    out.extend(dec.close())
    return [(e.event, e.data, e.id, e.retry) for e in out]


@pytest.mark.parametrize(("name", "body", "expected"), SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_spec_case(backend: ModuleType, name: str, body: bytes, expected: list[Ev]) -> None:
    assert decode(backend, [body]) == expected
    assert decode(backend, [body[i : i + 1] for i in range(len(body))]) == expected
    rng = random.Random(name)
    for _ in range(20):
        assert decode(backend, list(random_splits(body, rng, 7))) == expected


@pytest.mark.parametrize(("name", "body", "expected"), SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_every_single_cut(backend: ModuleType, name: str, body: bytes, expected: list[Ev]) -> None:
    for cut in range(len(body) + 1):
        assert decode(backend, [body[:cut], body[cut:]]) == expected, cut


def test_flush_at_eof(backend: ModuleType) -> None:
    assert decode(backend, [b"data: a\n\ndata: b"], flush_at_eof=True) == [ev("a"), ev("b")]
    assert decode(backend, [b"data: b\n"], flush_at_eof=True) == [ev("b")]
    assert decode(backend, [b"data: b\n"]) == []


def test_cr_then_lf_in_next_chunk(backend: ModuleType) -> None:
    assert decode(backend, [b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == [ev("a\nb")]


def test_bom_split_across_chunks(backend: ModuleType) -> None:
    assert decode(backend, [b"\xef", b"\xbb", b"\xbfdata: a\n\n"]) == [ev("a")]
    assert decode(backend, [b"\xef\xbb"], flush_at_eof=True) == []
    assert decode(backend, [b"\xef", b"\xbbdata: a\n\n"]) == []  # not a BOM: an unknown field name


def test_utf8_char_split(backend: ModuleType) -> None:
    body = "data: 🎉é\n\n".encode()
    for cut in range(6, 12):
        assert decode(backend, [body[:cut], body[cut:]]) == [ev("🎉é")]


def test_input_types(backend: ModuleType) -> None:
    body = b"data: a\n\n"
    for chunk in (body, bytearray(body), memoryview(body), body.decode()):
        assert decode(backend, [chunk]) == [ev("a")]
    assert decode(backend, ["data: \ud800\n\n"]) == [ev("\ufffd\ufffd\ufffd")]


@pytest.mark.parametrize("bad", [None, 3, ["data"], object()])
def test_other_input_is_type_error(backend: ModuleType, bad: object) -> None:
    with pytest.raises(TypeError, match=r"^expected bytes, bytearray, memoryview or str, got "):
        backend.SSEDecoder().feed(bad)


def test_state_properties(backend: ModuleType) -> None:
    dec = backend.SSEDecoder()
    assert (dec.last_event_id, dec.retry) == ("", None)
    dec.feed(b"retry: 10\nid: x\ndata: a\n\nid: y\n")
    assert (dec.last_event_id, dec.retry) == ("x", 10)
    dec.feed(b"\n")
    assert dec.last_event_id == "y"


def test_event_object(backend: ModuleType) -> None:
    cls = backend.ServerSentEvent
    (e,) = backend.SSEDecoder().feed(b'event: up\nid: 4\nretry: 5\ndata: {"a": [1]}\n\n')
    assert e == cls(event="up", data='{"a": [1]}', id="4", retry=5)
    assert e != cls(event="up", data='{"a": [1]}', id="4")
    assert hash(e) == hash(cls(event="up", data='{"a": [1]}', id="4", retry=5))
    assert repr(e) == "ServerSentEvent(event='up', data='{\"a\": [1]}', id='4', retry=5)"
    assert e.json() == {"a": [1]}
    assert e.to_dict() == {"event": "up", "data": '{"a": [1]}', "id": "4", "retry": 5}
    assert cls() == cls("message", "", "", None)
    match e:
        case cls(event, data, id, retry):
            assert (event, data, id, retry) == ("up", '{"a": [1]}', "4", 5)
        case _:
            pytest.fail("no match")
    with pytest.raises(AttributeError):
        e.data = "x"


def test_line_limit(backend: ModuleType) -> None:
    dec = backend.SSEDecoder(max_event_bytes=8)
    assert [e.data for e in dec.feed(b"data: a\n\ndata: ")] == ["a"]
    msg = "line longer than `max_event_bytes` (8 bytes); raise `max_event_bytes` to accept it at byte 9"
    with pytest.raises(StreamParseError, match=f"^{msg}$".replace("(", r"\(").replace(")", r"\)")) as info:
        dec.feed(b"0123456789")
    assert (info.value.offset, info.value.events) == (9, [])
    assert [e.data for e in dec.feed(b"more\ndata: b\n\n")] == ["b"]


def test_line_limit_within_one_chunk(backend: ModuleType) -> None:
    dec = backend.SSEDecoder(max_event_bytes=8)
    with pytest.raises(StreamParseError) as info:
        dec.feed(b"data: a\n\ndata: 0123456789\n\ndata: b\n\n")
    assert info.value.offset == 9
    assert [e.data for e in info.value.events] == ["a"]
    assert [e.data for e in dec.feed(b"")] == ["b"]


def test_event_limit_skips_the_event(backend: ModuleType) -> None:
    dec = backend.SSEDecoder(max_event_bytes=10)
    with pytest.raises(StreamParseError, match=r"^event data larger than `max_event_bytes` \(10 bytes\)") as info:
        dec.feed(b"data: a\n\ndata: 1234\ndata: 5678\ndata: 9\ndata: 10\n\ndata: b\n\n")
    assert info.value.offset == 31
    assert [e.data for e in info.value.events] == ["a"]
    assert [e.data for e in dec.close()] == ["b"]


def test_huge_line_memory_is_bounded(backend: ModuleType) -> None:
    """The rest of a line over the limit is skipped, never buffered. The control, the same line under
    a limit above its size, is buffered: the measurement sees it."""
    if backend is not reference and not HAS_PROC:
        pytest.skip("RSS is read from /proc")
    chunk = b"x" * 4096
    total = 32 * MiB if backend is not reference else 8 * MiB
    decoders: list[Any] = []

    def stream(limit: int) -> Callable[[Callable[[], None]], None]:
        def work(sample: Callable[[], None]) -> None:
            decoders.append(backend.SSEDecoder(max_event_bytes=limit))
            try:
                decoders[-1].feed(b"data: " + chunk)
            except StreamParseError:
                assert limit < total
            for _ in range(total // len(chunk)):
                # a new object each time: a decoder that kept references to its chunks would hold them all
                assert decoders[-1].feed(bytes(bytearray(chunk))) == []
                sample()

        return work

    assert peak_growth(backend, stream(2 * total)) > total * 0.9, "the control must be seen buffered"
    decoders.clear()
    assert peak_growth(backend, stream(1024)) < total / 16
    assert [e.data for e in decoders[-1].feed(b"\ndata: ok\n\n")] == ["ok"]


# --- the corpus -------------------------------------------------------------------------------


def corpus_ids() -> list[str]:
    return [name for name, _ in sse_bodies()]


@pytest.mark.parametrize(("name", "body"), sse_bodies(), ids=corpus_ids())
def test_corpus_chunking_invariance_and_differential(name: str, body: bytes) -> None:
    rust = rust_backend()
    whole = decode(reference, [body])
    assert whole, "every SSE body in the corpus has events"
    assert decode(rust, [body]) == whole
    assert decode(rust, [body[i : i + 1] for i in range(len(body))]) == whole
    assert decode(reference, [body[i : i + 1] for i in range(len(body))]) == whole
    rng = random.Random(name)
    for _ in range(20):
        chunks = list(random_splits(body, rng))
        assert decode(rust, chunks) == whole
        assert decode(reference, chunks) == whole


def test_corpus_is_present() -> None:
    assert len(sse_bodies()) >= 150


_sse_alphabet = st.sampled_from(
    [
        *(b"data", b"data:", b"data: ", b"event:", b"id:", b"retry:", b"retry: 12", b":", b" ", b"\n", b"\r", b"\r\n"),
        *(b"x", b"\x00", b"\xef\xbb\xbf", b"\xc3", b"\xa9", b"\xff", b"7"),
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(_sse_alphabet, max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
    flush=st.booleans(),
)
def test_rust_equals_reference_on_arbitrary_streams(parts: list[bytes], cuts: list[int], flush: bool) -> None:
    body = b"".join(parts)
    points = sorted({min(c, len(body)) for c in cuts})
    chunks = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=False)]
    expected = decode(reference, [body], flush_at_eof=flush)
    assert decode(reference, chunks, flush_at_eof=flush) == expected
    assert decode(rust_backend(), chunks, flush_at_eof=flush) == expected


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), limit=st.integers(min_value=1, max_value=40), seed=st.integers(0, 2**32))
def test_limits_identical_on_both_backends(body: bytes, limit: int, seed: int) -> None:
    rng = random.Random(seed)
    chunks = list(random_splits(body, rng, 16))

    def run(backend: ModuleType) -> list[Any]:
        dec = backend.SSEDecoder(max_event_bytes=limit)
        log: list[Any] = []
        for chunk in [*chunks, None]:
            try:
                got = dec.close() if chunk is None else dec.feed(chunk)
                log.append([e.to_dict() for e in got])
            except StreamParseError as err:
                log.append((str(err), err.offset, [e.to_dict() for e in err.events]))
        return log

    assert run(rust_backend()) == run(reference)
