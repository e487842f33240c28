"""The JSON framings (a JSON array, NDJSON, a lone JSON error body) on both backends.

Oracles, none of them our splitter: for Gemini's JSON arrays (``streamGenerateContent`` without
``alt=sse``, real bodies of ``../shared/corpus/public``) the same items sent as SSE give the same
events, the items cut out of the array by the json module's own ``raw_decode``; for lone error bodies
the message is read from the body with ``json.loads``.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import CORPUS, random_splits, rust_backend
from .family_corpus import feed_all, finish
from .golden import golden_path, read_golden
from .invariants import check_ordering, dicts

PUBLIC = CORPUS.parent / "public"
FAMILIES = ("openai-chat", "openai-responses", "anthropic", "gemini", "bedrock")


def public_bodies(kind: str) -> list[tuple[str, bytes]]:
    manifest = PUBLIC / "manifest.jsonl"
    if not manifest.is_file():
        return []
    entries = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    return [(e["path"].rsplit("/", 1)[-1], (PUBLIC / e["path"]).read_bytes()) for e in entries if e["kind"] == kind]


ARRAYS = public_bodies("gemini-json-array")
ARRAY_IDS = [name for name, _ in ARRAYS]


def array_items(body: bytes) -> list[str]:
    """The raw text of each item of a JSON array, cut by the json module's decoder."""
    text = body.decode()
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    items = []
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        if text[pos] == "]":
            return items
        _, end = decoder.raw_decode(text, pos)
        items.append(text[pos:end])
        pos = end


def sse_twin(items: list[str]) -> bytes:
    """The same items as SSE events: one `data:` line per line of each item."""
    assert not any("\r" in item for item in items)
    return "".join("".join(f"data: {line}\n" for line in item.split("\n")) + "\n" for item in items).encode()


def test_public_corpus_has_the_gemini_json_arrays() -> None:
    if not PUBLIC.is_dir():
        pytest.skip(f"no corpus at {PUBLIC}")
    assert len(ARRAYS) == 15
    assert all(body.startswith(b"[") for _, body in ARRAYS)
    assert sum(b"\r\n" in body for _, body in ARRAYS) > 0


@pytest.mark.parametrize(("name", "body"), ARRAYS, ids=ARRAY_IDS)
def test_gemini_array_gives_the_events_of_its_sse_twin(backend: ModuleType, name: str, body: bytes) -> None:
    items = array_items(body)
    expected = dicts(backend.parse(sse_twin(items), "gemini"))
    assert expected[-1]["type"] == "finish"
    assert expected[-1]["reason"] != "error"
    check_ordering(expected)
    assert dicts(backend.parse(body, "gemini")) == expected
    assert dicts(backend.parse(body)) == expected
    rng = random.Random(len(body))
    for n in range(20):
        max_size = rng.choice((1, 3, 16, 512)) if n % 4 == 0 else 512
        events, _ = feed_all(backend, random_splits(body, rng, max_size), "auto")
        assert dicts(events) == expected, f"chunking {n}"


@pytest.mark.parametrize(("name", "body"), ARRAYS, ids=ARRAY_IDS)
def test_gemini_array_golden(backend: ModuleType, name: str, body: bytes) -> None:
    """A regression net (the SSE twin above is the evidence): reviewed against the bodies."""
    assert dicts(backend.parse(body)) == read_golden(golden_path("public/gemini-json-array", name))


@pytest.mark.parametrize(("name", "body"), ARRAYS[:3], ids=ARRAY_IDS[:3])
def test_gemini_array_byte_by_byte(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = feed_all(backend, (body[i : i + 1] for i in range(len(body))), "gemini")
    twin_events, twin_message = feed_all(backend, [sse_twin(array_items(body))], "gemini")
    assert dicts(events) == dicts(twin_events)
    assert message.to_dict() == twin_message.to_dict()


@pytest.mark.parametrize(("name", "body"), ARRAYS, ids=ARRAY_IDS)
def test_backends_agree_on_gemini_arrays(name: str, body: bytes) -> None:
    rust, ref = rust_backend(), reference
    events_r, message_r = feed_all(rust, [body], "auto")
    events_p, message_p = feed_all(ref, [body], "auto")
    assert dicts(events_r) == dicts(events_p)
    assert message_r.to_dict() == message_p.to_dict()
    assert rust.StreamParser().family is None


def test_a_value_is_handed_on_as_soon_as_it_is_complete(backend: ModuleType) -> None:
    parser = backend.StreamParser()
    part = {"candidates": [{"content": {"parts": [{"text": "Hi"}]}}]}
    events = dicts(parser.feed(b"[" + json.dumps(part).encode() + b"\r\n"))
    assert [e["type"] for e in events] == ["stream_start", "text_start", "text_delta"]
    assert parser.family == "gemini"


# --- lone JSON bodies: an error a server sends instead of a stream -----------------------------------

ERROR_BODIES = [
    # OpenAI (https://platform.openai.com/docs/guides/error-codes), pretty-printed as served.
    b'{\n  "error": {\n    "message": "Incorrect API key provided.",\n    "type": "invalid_request_error",\n'
    b'    "param": null,\n    "code": "invalid_api_key"\n  }\n}\n',
    # Anthropic (https://docs.anthropic.com/en/api/errors).
    b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    # Gemini (https://ai.google.dev/gemini-api/docs/troubleshooting).
    b'{"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}}',
    # Ollama and others: a string.
    b'{"error":"model \\"llama9\\" not found, try pulling it first"}',
    # vLLM's OpenAI-compatible server.
    b'{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404}',
    # AWS Bedrock (a ValidationException as the public corpus recorded it; Cohere's errors look alike).
    b'{"message":"The provided model identifier is invalid."}',
]


def expected_message(body: bytes) -> str:
    obj = json.loads(body)
    error = obj.get("error", obj)
    return error if isinstance(error, str) else error["message"]


@pytest.mark.parametrize("family", ["auto", *FAMILIES])
@pytest.mark.parametrize("body", ERROR_BODIES, ids=range(len(ERROR_BODIES)))
def test_lone_error_body_is_the_providers_error(backend: ModuleType, family: str, body: bytes) -> None:
    raw = body.decode().strip()
    expected = [
        {"type": "error", "message": expected_message(body), "kind": "provider_error", "raw": raw},
        finish("error", None),
    ]
    assert dicts(backend.parse(body, family)) == expected
    for cut in range(len(body) + 1):
        events, message = feed_all(backend, [body[:cut], body[cut:]], family)
        assert dicts(events) == expected, cut
    assert message.finish_reason == "error"


def test_an_error_object_without_a_message_is_reported_whole(backend: ModuleType) -> None:
    body = b'{"error": {"code": 500}}'
    assert dicts(backend.parse(body))[0]["message"] == body.decode()


def test_nothing_follows_a_lone_error(backend: ModuleType) -> None:
    body = b'{"error": "busy"}\n{"candidates": []}\n'
    assert [e["type"] for e in dicts(backend.parse(body, "gemini"))] == ["error", "finish"]


def test_a_lone_body_that_is_no_error_goes_to_the_family(backend: ModuleType) -> None:
    body = b'{"hello": 1}'
    with pytest.raises(StreamParseError, match=r"cannot tell the wire family .* at byte 0, event 0"):
        backend.parse(body)


# --- framing faults and limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'[{"candidates":[]} x]',
            r"^invalid JSON payload: expected `,` or `\]` after an array item, found `x` at byte 19$",
        ),
        (b"[}", r"^invalid JSON payload: expected a JSON value, found `}` at byte 1$"),
        (b'[{"candidates":[]}] [', r"^invalid JSON payload: data after the end of the array: `\[` at byte 20$"),
        (b'{"candidates":[]}\n\x01', r"^invalid JSON payload: expected a JSON value, found byte 0x01 at byte 18$"),
    ],
)
def test_framing_faults_name_the_byte(backend: ModuleType, body: bytes, message: str) -> None:
    with pytest.raises(StreamParseError, match=message):
        backend.parse(body, "gemini")


def test_reading_goes_on_after_a_framing_fault(backend: ModuleType) -> None:
    parser = backend.StreamParser("gemini")
    item = b'{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]}'
    with pytest.raises(StreamParseError) as info:
        parser.feed(b"[{} ?, " + item + b"]")
    assert [e.to_dict()["type"] for e in info.value.events] == ["stream_start"]
    events = dicts(parser.feed(b"") + parser.close())
    assert [e["type"] for e in events] == ["text_start", "text_delta", "text_end", "finish"]


@pytest.mark.parametrize("cut", [0, 5, 30, 60])
def test_a_value_over_max_event_bytes_raises_once(backend: ModuleType, cut: int) -> None:
    big = json.dumps({"candidates": [{"content": {"parts": [{"text": "x" * 100}]}}]}).encode()
    body = b"[" + big + b"," + b'{"usageMetadata":{}}' + b"]"
    parser = backend.StreamParser("gemini", max_event_bytes=64)
    errors = []
    for piece in (body[:cut], body[cut:]):
        try:
            parser.feed(piece)
        except StreamParseError as err:
            errors.append(str(err))
            parser.feed(b"")
    assert errors == [
        "event data larger than `max_event_bytes` (64 bytes); raise `max_event_bytes` to accept it at byte 1, event 0"
    ]


def test_json_nested_too_deep_raises(backend: ModuleType) -> None:
    body = b'[{"candidates":' + b"[" * 200 + b"]" * 200 + b"}]"
    with pytest.raises(StreamParseError, match="nested deeper than 100 levels"):
        backend.parse(body, "gemini")


# --- any whitespace, any split (hypothesis) ---------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SPACE = st.text(alphabet=" \t\r\n", max_size=4)


def gemini_chunk(text: str, last: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if last:
        candidate["finishReason"] = "STOP"
    return {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 3}, "responseId": "r"}


def spaced(obj: Any, rng: random.Random) -> str:
    """`obj` as JSON with random whitespace between its tokens (and brackets inside its strings)."""
    if isinstance(obj, dict):
        members = [f"{json.dumps(k)}{ws(rng)}:{ws(rng)}{spaced(v, rng)}" for k, v in obj.items()]
        return "{" + ws(rng) + f"{ws(rng)},{ws(rng)}".join(members) + ws(rng) + "}"
    if isinstance(obj, list):
        return "[" + ws(rng) + f"{ws(rng)},{ws(rng)}".join(spaced(v, rng) for v in obj) + ws(rng) + "]"
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5)


def ws(rng: random.Random) -> str:
    return "".join(rng.choice(" \t\r\n") for _ in range(rng.randint(0, 2)))


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(TEXT.map(lambda t: t + ']}"[{\\'[: len(t) % 7]), min_size=1, max_size=5),
    array=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_any_whitespace_and_any_split(texts: list[str], array: bool, seed: int) -> None:
    rng = random.Random(seed)
    chunks = [gemini_chunk(t, n == len(texts) - 1) for n, t in enumerate(texts)]
    items = [spaced(c, rng) for c in chunks]
    if array:
        body = "[" + "".join(ws(rng) + item + ws(rng) + "," for item in items)[:-1] + ws(rng) + "]" + ws(rng)
    else:
        body = "".join(item + ws(rng) + "\n" for item in items)
    data = body.encode()
    expected = dicts(reference.parse("".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode(), "gemini"))
    cuts = sorted(rng.sample(range(len(data) + 1), min(4, len(data) + 1)))
    pieces = [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)])]
    for backend in (rust_backend(), reference):
        events, _ = feed_all(backend, pieces, "gemini")
        assert dicts(events) == expected
        if array:
            assert dicts(backend.parse(data)) == expected


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.recursive(
            st.none() | st.booleans() | st.integers() | TEXT,
            lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3),
            max_leaves=8,
        ),
        max_size=5,
    ),
    seed=st.integers(0, 2**32),
)
def test_reference_splitter_cuts_values_where_json_does(values: list[Any], seed: int) -> None:
    from streamdelta.reference.framing import ARRAY, JsonValues

    rng = random.Random(seed)
    body = ("[" + ",".join(ws(rng) + spaced(v, rng) + ws(rng) for v in values) + "]").encode()
    if not values:
        body = b"[" + ws(rng).encode() + b"]"
    splitter = JsonValues(ARRAY, 1 << 20)
    found: list[Any] = []
    for piece in random_splits(body, rng, 7):
        splitter.feed(piece, lambda v: found.append(json.loads(v.data)))
    splitter.close(lambda v: found.append(json.loads(v.data)))
    assert found == values


# --- the command line reads these bodies ------------------------------------------------------------


def cli_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[Any]:
    from streamdelta.cli import main

    assert main(list(argv)) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_cli_reads_json_and_ndjson_bodies(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    import streamdelta

    array = b'[{"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP"}]}\r\n]'
    lines = b'{"model":"m","created_at":"x","response":"Hi","done":false}\n{"model":"m","created_at":"x","done":true}\n'
    for name, body in (("a.json", array), ("b.ndjson", lines)):
        path = tmp_path / name
        path.write_bytes(body)
        expected = [e.to_dict() for e in streamdelta.parse(body)]
        assert expected[2] == {"type": "text_delta", "id": "0", "text": "Hi"}
        assert cli_lines(capsys, "events", str(path)) == expected


def test_cli_reads_a_cassette_of_a_gemini_json_array(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    import streamdelta

    body = '[{"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP"}]}\r\n]'
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-flash-latest:streamGenerateContent"
    interaction = {
        "request": {"method": "POST", "uri": url, "body": "{}"},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json; charset=UTF-8"]},
            "body": {"string": body},
        },
    }
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps({"interactions": [interaction], "version": 1}))
    expected = [{**e.to_dict(), "interaction": 0} for e in streamdelta.parse(body.encode())]
    assert cli_lines(capsys, "events", str(path)) == expected


# --- the two backends agree on any input of these framings (hypothesis) ----------------------------

PIECES = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    '"',
    "\\",
    " ",
    "\n",
    "\r\n",
    "1",
    "-2.5e3",
    "true",
    "null",
    "x",
    "é",
    "\x00",
    '{"error":"busy"}',
    '{"error":{"message":"m"}}',
    '{"object":"error"}',
    '{"candidates":[]}',
    "1e400",
    '{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]}',
    '{"model":"m","created_at":"t","message":{"content":"a","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}',
    '{"model":"m","done":true,"done_reason":"stop","eval_count":2}',
    '"\\ud800"',
]


def outcome_of(backend: ModuleType, pieces: list[bytes], family: str, on_error: str) -> Any:
    parser = backend.StreamParser(family, on_error=on_error, max_event_bytes=200)
    out: list[Any] = []
    for piece in [*pieces, None]:
        try:
            out += dicts(parser.feed(piece) if piece is not None else parser.close())
        except StreamParseError as err:
            out += [*dicts(err.events), ("raised", str(err))]
    return out


@settings(max_examples=300, deadline=None)
@given(
    start=st.sampled_from(["[", "{", ""]),
    body=st.lists(st.sampled_from(PIECES), max_size=12),
    family=st.sampled_from(["auto", "gemini", "ollama", "openai-chat"]),
    on_error=st.sampled_from(["raise", "emit"]),
    seed=st.integers(0, 2**32),
)
def test_backends_agree_on_any_json_framed_input(
    start: str, body: list[str], family: str, on_error: str, seed: int
) -> None:
    data = (start + "".join(body)).encode()
    rng = random.Random(seed)
    pieces = list(random_splits(data, rng, rng.choice((1, 4, 64))))
    assert outcome_of(rust_backend(), pieces, family, on_error) == outcome_of(reference, pieces, family, on_error)


# --- a body of one family parsed as another ---------------------------------------------------------

FIRST_PAYLOADS = {
    "openai-chat": b'data: {"id":"c","object":"chat.completion.chunk","choices":[{"delta":{"content":"a"}}]}\n\n',
    "openai-responses": b'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n',
    "anthropic": b'event: message_start\ndata: {"type":"message_start","message":{"id":"m"}}\n\n',
    "gemini": b'data: {"candidates":[{"content":{"parts":[{"text":"a"}]}}]}\n\n',
    "ollama": b'{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"},"done":false}\n',
}
GEMINI_ARRAY = b'[{"candidates":[{"content":{"parts":[{"text":"a"}]}}]}]'


@pytest.mark.parametrize("asked", [f for f in FAMILIES if f != "bedrock"] + ["ollama"])
@pytest.mark.parametrize("sent", [*FIRST_PAYLOADS, "gemini-array"])
def test_a_body_of_another_family_is_named(backend: ModuleType, asked: str, sent: str) -> None:
    body = GEMINI_ARRAY if sent == "gemini-array" else FIRST_PAYLOADS[sent]
    found = sent.removesuffix("-array")
    assert dicts(backend.parse(body))[0]["type"] == "stream_start"
    if asked == found:
        assert dicts(backend.parse(body, asked))[0]["type"] == "stream_start"
        return
    message = f'the payloads look like the `{found}` family, not `{asked}`; pass `family="{found}"` or `"auto"`'
    with pytest.raises(StreamParseError, match=f"^unexpected payload: {re.escape(message)} at byte "):
        backend.parse(body, asked)
    events = dicts(backend.parse(body, asked, on_error="emit"))
    assert events[0]["kind"] == "parse_error"


# A first payload with its own family's members and another's: the type a payload names comes
# first in detection (DESIGN.md, "Bad input"), and without one a member of another family's
# (`type`, `object`, `choices`) makes it that family's. The Rust decoders skip the check where
# their own reading already tells; these are the payloads where it must not.
MIXED_FIRST_PAYLOADS = [
    ("gemini", b'{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"type":"message_start"}', "anthropic"),
    ("gemini", b'{"usageMetadata":{"promptTokenCount":1},"object":"chat.completion.chunk"}', "openai-chat"),
    ("gemini", b'{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"choices":[{"delta":{}}]}', "openai-chat"),
    ("gemini", b'{"candidates":[{"content":{"parts":[{"text":"a"}]}}],"createTime":"2025-06-01T00:00:00Z"}', None),
    ("openai-chat", b'{"object":"chat.completion.chunk","choices":[{"delta":{}}],"type":"ping"}', "anthropic"),
    ("openai-chat", b'{"object":"text_completion","choices":[{"index":0,"text":"a"}]}', "openai-completions"),
    ("openai-chat", b'{"choices":[{"index":0,"text":"a"}]}', "openai-completions"),
    ("openai-chat", b'{"id":"c","object":"chat.completion.chunk","choices":[{"delta":{}}],"usage":null}', None),
    ("anthropic", b'{"type":"message_start","message":{"id":"m"},"choices":[]}', None),
    ("openai-responses", b'{"type":"response.created","response":{"id":"r"},"candidates":[]}', None),
]


@pytest.mark.parametrize(("asked", "payload", "found"), MIXED_FIRST_PAYLOADS)
def test_a_first_payload_with_another_familys_members(asked: str, payload: bytes, found: str | None) -> None:
    pieces = [b"data: " + payload + b"\n\n"]
    for on_error in ("raise", "emit"):
        outcome = outcome_of(rust_backend(), pieces, asked, on_error)
        assert outcome == outcome_of(reference, pieces, asked, on_error)
        if found is None:
            assert outcome[0]["type"] == "stream_start"
        else:
            # raised: `("raised", message)`; emitted: a `parse_error` event
            assert f"look like the `{found}` family, not `{asked}`" in str(outcome[0])


def test_an_error_payload_is_no_mismatch(backend: ModuleType) -> None:
    body = b'data: {"error":{"message":"overloaded","status":"UNAVAILABLE"}}\n\n'
    assert "error" in [e["type"] for e in dicts(backend.parse(body, "openai-chat"))]
