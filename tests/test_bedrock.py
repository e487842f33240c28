"""The `bedrock` family: AWS event-stream framing around Anthropic events, on both backends. Golden
files, splits anywhere (prelude, headers, payload, CRC), faults, exceptions, auto detection, and the
official SDK's accumulator as oracle (frames read here by a separate struct-based reader)."""

from __future__ import annotations

import base64
import itertools
import json
import random
import struct
import zlib
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference
from streamdelta.reference.eventstream import encode_frame

from .conftest import family_bodies, random_splits, require_corpus, rust_backend
from .golden import golden_path, read_golden
from .invariants import check_ordering, dicts
from .test_anthropic import START, STOP, assert_matches_sdk, block_start, block_stop, delta, message_delta, sdk_message

BODIES = family_bodies("bedrock")
NAMES = [name for name, _ in BODIES]
CHUNK_HEADERS = [(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")]


def chunk(event: dict[str, Any] | str, pad: str = "abc") -> bytes:
    data = event if isinstance(event, str) else json.dumps(event)
    payload = json.dumps({"bytes": base64.b64encode(data.encode()).decode(), "p": pad}).encode()
    return encode_frame(CHUNK_HEADERS, payload)


def exception(kind: str, message: str) -> bytes:
    headers = [(":exception-type", kind), (":content-type", "application/json"), (":message-type", "exception")]
    return encode_frame(headers, json.dumps({"message": message}).encode())


def parse_chunks(backend: ModuleType, chunks: list[bytes], family: str = "bedrock", **kwargs: Any) -> list[Any]:
    parser = backend.StreamParser(family, **kwargs)
    out = []
    for c in chunks:
        out.extend(parser.feed(c))
    out.extend(parser.close())
    return out


def read_frames(body: bytes) -> list[dict[str, Any]]:
    """The Anthropic events of a Bedrock body, read independently of the library (struct + zlib)."""
    events, pos = [], 0
    while pos < len(body):
        total, headers_len, _ = struct.unpack(">III", body[pos : pos + 12])
        assert zlib.crc32(body[pos : pos + total - 4]) == int.from_bytes(body[pos + total - 4 : pos + total], "big")
        payload = json.loads(body[pos + 12 + headers_len : pos + total - 4])
        events.append(json.loads(base64.b64decode(payload["bytes"])))
        pos += total
    return events


SMALL = chunk(START) + chunk(block_start(0, {"type": "text", "text": ""}))
SMALL += chunk(delta(0, {"type": "text_delta", "text": "Olá"})) + chunk(block_stop(0))
SMALL += chunk(message_delta("end_turn", output_tokens=2))
SMALL += chunk({"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 10}})


# Corpus.


def test_corpus_has_the_streams() -> None:
    require_corpus()
    assert len(BODIES) == 10
    assert all(body[0] == 0 for _, body in BODIES)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=NAMES)
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    expected = read_golden(golden_path("bedrock", name))
    assert dicts(backend.parse(body, "bedrock")) == expected
    assert dicts(backend.parse(body)) == expected, "auto detection by the first byte"
    rng = random.Random(name)
    for _ in range(20):
        assert dicts(parse_chunks(backend, list(random_splits(body, rng)))) == expected
    assert dicts(parse_chunks(backend, [body[i : i + 1] for i in range(len(body))])) == expected


@pytest.mark.parametrize(("name", "body"), BODIES, ids=NAMES)
def test_ordering_oracle_and_rust_matches_reference(name: str, body: bytes) -> None:
    events = dicts(reference.parse(body, "bedrock"))
    check_ordering(events)
    assert events[-1]["type"] == "finish"
    assert events[-1]["reason"] != "error"
    rust = rust_backend()
    assert dicts(rust.parse(body)) == events
    for backend in (reference, rust):
        parser = backend.StreamParser()
        parser.feed(body)
        parser.close()
        assert parser.family == "bedrock"
        assert_matches_sdk(parser.message, sdk_message(read_frames(body)))


# Splits anywhere.


def test_every_cut_point_of_a_small_stream(backend: ModuleType) -> None:
    """Cuts inside prelude, headers, payload and CRC of every frame, and every 1-byte split."""
    expected = dicts(backend.parse(SMALL))
    check_ordering(expected)
    assert expected[2] == {"type": "text_delta", "id": "0", "text": "Olá"}
    for cut in range(len(SMALL) + 1):
        assert dicts(parse_chunks(backend, [SMALL[:cut], SMALL[cut:]], "auto")) == expected, cut
    assert dicts(parse_chunks(backend, [SMALL[i : i + 1] for i in range(len(SMALL))], "auto")) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, len(SMALL)), max_size=8))
def test_random_cuts_both_backends(cuts: list[int]) -> None:
    edges = [0, *sorted(cuts), len(SMALL)]
    chunks = [SMALL[a:b] for a, b in itertools.pairwise(edges)]
    expected = dicts(reference.parse(SMALL))
    assert dicts(parse_chunks(reference, chunks)) == expected
    assert dicts(parse_chunks(rust_backend(), chunks)) == expected


# Faults.


def test_corrupted_message_crc_skips_the_frame(backend: ModuleType) -> None:
    first = chunk(START)
    second = bytearray(chunk(block_start(0, {"type": "text", "text": ""})))
    second[-1] ^= 0xFF
    body = first + bytes(second) + chunk(STOP)
    stored = int.from_bytes(second[-4:], "big")
    computed = zlib.crc32(bytes(second[:-4]))
    message = (
        f"bad event-stream frame: message checksum mismatch (stored 0x{stored:08x}, computed 0x{computed:08x})"
        f" at byte {len(first)}, event 1"
    )
    parser = backend.StreamParser()
    with pytest.raises(StreamParseError) as info:
        parser.feed(body)
    assert str(info.value) == message
    assert [e.type for e in info.value.events] == ["stream_start"]
    assert [e.type for e in parser.feed(b"")] == ["finish"], "the frame after the bad one is read"
    emitted = dicts(backend.parse(body, on_error="emit"))
    assert emitted[1] == {"type": "error", "message": message, "kind": "parse_error", "raw": None}
    assert [e["type"] for e in emitted] == ["stream_start", "error", "finish"]


def test_bad_prelude_loses_the_framing(backend: ModuleType) -> None:
    first = chunk(START)
    second = bytearray(chunk(STOP))
    second[10] ^= 0x01
    stored = int.from_bytes(second[8:12], "big")
    computed = zlib.crc32(bytes(second[:8]))
    parser = backend.StreamParser("bedrock")
    with pytest.raises(
        StreamParseError,
        match=rf"^bad event-stream frame: prelude checksum mismatch \(stored 0x{stored:08x}, "
        rf"computed 0x{computed:08x}\) at byte {len(first)}, event 1$",
    ):
        parser.feed(first + bytes(second) + chunk(STOP))
    assert parser.feed(chunk(STOP)) == [], "nothing can be read after a lost frame boundary"
    assert [e.to_dict()["kind"] for e in parser.close() if e.type == "error"] == ["incomplete_stream"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (struct.pack(">II", 8, 0), "frame length 8 is shorter than the 16-byte minimum"),
        (struct.pack(">II", 20, 5), "headers length 5 does not fit in a frame of 20 bytes"),
    ],
)
def test_impossible_lengths(backend: ModuleType, frame: bytes, message: str) -> None:
    body = frame + zlib.crc32(frame).to_bytes(4, "big") + b"\x00" * 8
    with pytest.raises(StreamParseError, match=rf"^bad event-stream frame: {message} at byte 0, event 0$"):
        backend.parse(body, "bedrock")


def test_bad_headers(backend: ModuleType) -> None:
    head = b"\x01x\x0b"
    prelude = struct.pack(">II", 16 + len(head), len(head))
    prelude += zlib.crc32(prelude).to_bytes(4, "big")
    frame = prelude + head
    frame += zlib.crc32(frame).to_bytes(4, "big")
    with pytest.raises(StreamParseError, match=r"^bad event-stream frame: header value type 11 is unknown at byte 0"):
        backend.parse(frame, "bedrock")


def test_frame_over_the_limit_is_skipped(backend: ModuleType) -> None:
    big = chunk(block_start(0, {"type": "text", "text": "x" * 200}))
    body = chunk(START) + big + chunk(STOP)
    parser = backend.StreamParser(max_event_bytes=len(big) - 1)
    with pytest.raises(StreamParseError) as info:
        parser.feed(body)
    assert str(info.value) == (
        f"event data larger than `max_event_bytes` ({len(big) - 1} bytes); raise `max_event_bytes` to accept it"
        f" at byte {len(chunk(START))}, event 1"
    )
    assert [e.type for e in parser.feed(b"")] == ["finish"]


def test_frame_over_the_limit_is_an_event_in_emit_mode(backend: ModuleType) -> None:
    # Regression (issue 19): on_error="emit" raised on a frame over `max_event_bytes`.
    big = chunk(block_start(0, {"type": "text", "text": "x" * 200}))
    body = chunk(START) + big + chunk(STOP)
    events = backend.parse(body, max_event_bytes=len(big) - 1, on_error="emit")
    assert [e.type for e in events] == ["stream_start", "error", "finish"]
    assert events[1].to_dict() == {
        "type": "error",
        "message": f"event data larger than `max_event_bytes` ({len(big) - 1} bytes); raise `max_event_bytes` to "
        f"accept it at byte {len(chunk(START))}, event 1",
        "kind": "parse_error",
        "raw": None,
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"bytes":"e30"}', "bad event-stream frame: `bytes` is not valid base64"),
        (b'{"bytes":"e3!="}', "bad event-stream frame: `bytes` is not valid base64"),
        (b'{"p":"x"}', "unexpected payload: JSON of the wrong shape"),
        (b'{"bytes":null}', "unexpected payload: JSON of the wrong shape"),
        (b'["e30="]', "unexpected payload: JSON of the wrong shape"),
        (b"{bytes", "invalid JSON payload: not valid JSON"),
        (json.dumps({"bytes": base64.b64encode(b"{nope").decode()}).encode(), "invalid JSON payload: not valid JSON"),
    ],
)
def test_bad_chunk_payloads(backend: ModuleType, payload: bytes, message: str) -> None:
    first = chunk(START)
    body = first + encode_frame(CHUNK_HEADERS, payload)
    with pytest.raises(StreamParseError) as info:
        backend.parse(body)
    assert str(info.value).startswith(f"{message} at byte {len(first)}, event 1, near `")
    emitted = dicts(backend.parse(body, on_error="emit"))
    assert emitted[1]["kind"] == "parse_error"
    assert emitted[1]["message"] == str(info.value)


def test_exception_frame(backend: ModuleType) -> None:
    body = chunk(START) + chunk(block_start(0, {"type": "text", "text": ""}))
    body += exception("throttlingException", "Too many requests, please wait before trying again.")
    events = dicts(backend.parse(body))
    check_ordering(events)
    assert events[-3:-1] == [
        {"type": "text_end", "id": "0"},
        {
            "type": "error",
            "message": "Too many requests, please wait before trying again.",
            "kind": "throttlingException",
            "raw": '{"message": "Too many requests, please wait before trying again."}',
        },
    ]
    assert events[-1]["reason"] == "error"


# The core reads an exception frame's `message` with plain serde, not `parse_json`: a lone surrogate
# escape is refused in the strings serde decodes (the object's keys, `message`), where the payload
# then stands for the message, and let through in the values serde skips.
LONE_SURROGATE_EXCEPTIONS = [
    ('{"message":"m","x":"\\ud800"}', "m"),  # in a skipped string
    ('{"message":"m","x":{"\\ud800":1}}', "m"),  # in a key of a skipped object
    ('{"message":"m","x":["\\udc00"]}', "m"),  # in a skipped list
    ('{"message":"\\ud800"}', None),  # in `message`
    ('{"message":"a\\udc00b","x":1}', None),  # a low half alone, inside `message`
    ('{"\\ud800":1,"message":"m"}', None),  # in a key serde decodes
    ('{"message":"\\ud83d\\ude00 \\\\ud800"}', "\U0001f600 \\ud800"),  # a pair, an escaped backslash
]


@pytest.mark.parametrize(("payload", "message"), LONE_SURROGATE_EXCEPTIONS)
def test_lone_surrogate_in_an_exception_frame(backend: ModuleType, payload: str, message: str | None) -> None:
    # Regression: the reference refused a lone surrogate anywhere in the frame (`parse_json`'s rule),
    # so one in a skipped value lost the message on the reference only.
    headers = [(":exception-type", "k"), (":content-type", "application/json"), (":message-type", "exception")]
    events = dicts(backend.parse(chunk(START) + encode_frame(headers, payload.encode())))
    expected = payload if message is None else message
    assert events[-2] == {"type": "error", "message": expected, "kind": "k", "raw": payload}


def test_error_frame_from_headers(backend: ModuleType) -> None:
    headers = [(":error-code", "InternalFailure"), (":error-message", "boom"), (":message-type", "error")]
    events = dicts(backend.parse(chunk(START) + encode_frame(headers, b"")))
    assert events[-2] == {"type": "error", "message": "boom", "kind": "InternalFailure", "raw": None}


def test_cut_inside_a_frame_is_incomplete(backend: ModuleType) -> None:
    body = SMALL[:-7]
    events = dicts(parse_chunks(backend, [body]))
    check_ordering(events)
    assert events[-2]["kind"] == "incomplete_stream"
    assert events[-1]["usage"]["output_tokens"] == 2


def test_other_event_types_and_padding_are_ignored(backend: ModuleType) -> None:
    other = encode_frame([(":event-type", "metadata"), (":message-type", "event")], b"{}")
    body = chunk(START, pad="") + other + chunk(STOP, pad="x" * 50)
    assert [e["type"] for e in dicts(backend.parse(body))] == ["stream_start", "finish"]
