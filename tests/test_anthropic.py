"""The `anthropic` family (Anthropic API and Vertex `streamRawPredict`) on both backends: golden
files, chunking invariance, ordering, rust == reference, payload-shape fuzzing, the official SDK's
accumulator as oracle, synthetic cases the corpus lacks, and bad input."""

from __future__ import annotations

import json
import random
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import family_bodies, public_bodies, random_splits, require_corpus, rust_backend
from .golden import golden_path, read_golden
from .invariants import check_ordering, dicts

BODIES = family_bodies("anthropic")
NAMES = [name for name, _ in BODIES]


def parse_chunks(backend: ModuleType, chunks: list[bytes], family: str = "anthropic", **kwargs: Any) -> list[Any]:
    parser = backend.StreamParser(family, **kwargs)
    out = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    out.extend(parser.close())
    return out


def sse(*payloads: str | dict[str, Any]) -> bytes:
    """An SSE body: each payload as one event named after its type."""
    out = []
    for p in payloads:
        data = p if isinstance(p, str) else json.dumps(p)
        kind = json.loads(data).get("type", "message") if data.startswith("{") else "message"
        out.append(f"event: {kind}\ndata: {data}\n\n")
    return "".join(out).encode()


START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": "claude-x",
        "usage": {
            "input_tokens": 10,
            "cache_read_input_tokens": 3,
            "cache_creation_input_tokens": 2,
            "output_tokens": 1,
        },
    },
}
STOP = {"type": "message_stop"}


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, d: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": d}


def block_stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def message_delta(stop_reason: str | None, **usage: int) -> dict[str, Any]:
    return {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": usage}


# Corpus: golden files, chunking, ordering, differential.


def test_corpus_has_the_streams() -> None:
    require_corpus()
    assert len(BODIES) == 28
    assert sum("vertex" in name for name in NAMES) == 5


@pytest.mark.parametrize(("name", "body"), BODIES, ids=NAMES)
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    expected = read_golden(golden_path("anthropic", name))
    assert dicts(backend.parse(body, "anthropic")) == expected
    assert dicts(backend.parse(body)) == expected, "auto detection"
    rng = random.Random(name)
    for _ in range(20):
        assert dicts(parse_chunks(backend, list(random_splits(body, rng)))) == expected


@pytest.mark.parametrize(("name", "body"), BODIES[:3] + BODIES[-6:-4], ids=NAMES[:3] + NAMES[-6:-4])
def test_byte_by_byte(backend: ModuleType, name: str, body: bytes) -> None:
    expected = read_golden(golden_path("anthropic", name))
    assert dicts(parse_chunks(backend, [body[i : i + 1] for i in range(len(body))])) == expected


@pytest.mark.parametrize(("name", "body"), BODIES, ids=NAMES)
def test_ordering_and_rust_matches_reference(name: str, body: bytes) -> None:
    events = dicts(reference.parse(body, "anthropic"))
    check_ordering(events)
    assert events[-1]["type"] == "finish"
    assert events[-1]["reason"] != "error"
    rust = rust_backend()
    assert dicts(rust.parse(body, "anthropic")) == events
    p_ref, p_rust = reference.StreamParser("auto"), rust.StreamParser("auto")
    for p in (p_ref, p_rust):
        p.feed(body)
        p.close()
        assert p.family == "anthropic"
    assert p_rust.message.to_dict() == p_ref.message.to_dict()


# The official SDK's accumulator as oracle.


def sdk_message(anthropic_events: list[dict[str, Any]]) -> Any:
    """The message the `anthropic` package assembles from the same events (what its Stream does)."""
    from anthropic._models import construct_type
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent

    snapshot = None
    json_bufs: dict[int, bytes] = {}
    for data in anthropic_events:
        if data["type"] in ("ping", "error"):
            continue
        event = construct_type(type_=RawMessageStreamEvent, value=data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
    return snapshot


def sdk_events(body: bytes) -> list[dict[str, Any]]:
    from anthropic._streaming import SSEDecoder

    return [json.loads(e.data) for e in SSEDecoder().iter_bytes(iter([body])) if e.data]


def assert_matches_sdk(message: Any, snapshot: Any) -> None:
    """Our `Message` against the SDK's: text, thinking and signatures, tool calls, stop reason, usage."""
    blocks = snapshot.content
    assert message.id == snapshot.id
    assert message.model == snapshot.model
    assert message.text == "".join(b.text for b in blocks if b.type == "text")
    assert message.reasoning == "".join(b.thinking for b in blocks if b.type == "thinking")
    signatures = [b.signature if b.type == "thinking" else b.data for b in blocks if "thinking" in b.type]
    assert list(message.reasoning_signatures) == [s for s in signatures if s]
    tools = [b for b in blocks if b.type in ("tool_use", "server_tool_use")]
    assert [(t.id, t.name, json.loads(t.arguments)) for t in message.tool_calls] == [
        (b.id, b.name, b.input) for b in tools
    ]
    assert message.raw_finish_reason == snapshot.stop_reason
    u = snapshot.usage
    cache_read, cache_write = u.cache_read_input_tokens or 0, u.cache_creation_input_tokens or 0
    # By design (DESIGN.md) our input count includes cache reads and writes; the SDK keeps them apart.
    assert message.usage.input_tokens == u.input_tokens + cache_read + cache_write
    assert (message.usage.cache_read_tokens, message.usage.cache_write_tokens) == (cache_read, cache_write)
    assert message.usage.output_tokens == u.output_tokens


@pytest.mark.parametrize(("name", "body"), BODIES, ids=NAMES)
def test_sdk_oracle(backend: ModuleType, name: str, body: bytes) -> None:
    parser = backend.StreamParser("anthropic")
    parser.feed(body)
    parser.close()
    assert_matches_sdk(parser.message, sdk_message(sdk_events(body)))


# Synthetic cases the corpus lacks.

THINKING_AND_REDACTED = sse(
    START,
    block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
    delta(0, {"type": "thinking_delta", "thinking": "Let me think"}),
    delta(0, {"type": "signature_delta", "signature": "SIG=="}),
    block_stop(0),
    block_start(1, {"type": "redacted_thinking", "data": "OPAQUE"}),
    block_stop(1),
    block_start(2, {"type": "text", "text": ""}),
    delta(2, {"type": "text_delta", "text": "Done."}),
    block_stop(2),
    message_delta("end_turn", output_tokens=9),
    STOP,
)

CITATIONS = sse(
    START,
    block_start(0, {"citations": [], "type": "text", "text": ""}),
    delta(
        0,
        {
            "type": "citations_delta",
            "citation": {
                "type": "web_search_result_location",
                "url": "https://a.example/x",
                "title": "A",
                "cited_text": "c",
            },
        },
    ),
    delta(
        0, {"type": "citations_delta", "citation": {"type": "char_location", "document_index": 0, "cited_text": "d"}}
    ),
    delta(0, {"type": "text_delta", "text": "Cited."}),
    block_stop(0),
    message_delta("end_turn", output_tokens=3),
    STOP,
)

MID_STREAM_ERROR = sse(
    START,
    block_start(0, {"type": "text", "text": ""}),
    delta(0, {"type": "text_delta", "text": "Par"}),
    '{"type": "error", "error": {"details": null, "type": "overloaded_error", "message": "Overloaded"}}',
)

CUT = sse(
    START,
    block_start(0, {"type": "tool_use", "id": "toolu_9", "name": "f", "input": {}}),
    delta(0, {"type": "input_json_delta", "partial_json": '{"a":'}),
)

COMPLETE_TOOL_INPUT = sse(
    START,
    block_start(0, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"city": "Paris", "n": [1, 2.5]}}),
    block_stop(0),
    message_delta("tool_use", output_tokens=4),
    STOP,
)


def test_thinking_signature_and_redacted(backend: ModuleType) -> None:
    events = dicts(backend.parse(THINKING_AND_REDACTED))
    check_ordering(events)
    assert events[1:7] == [
        {"type": "reasoning_start", "id": "0", "choice": 0},
        {"type": "reasoning_delta", "id": "0", "text": "Let me think"},
        {"type": "reasoning_end", "id": "0", "signature": "SIG==", "redacted": False},
        {"type": "reasoning_start", "id": "1", "choice": 0},
        {"type": "reasoning_end", "id": "1", "signature": "OPAQUE", "redacted": True},
        {"type": "text_start", "id": "2", "choice": 0},
    ]
    parser = backend.StreamParser()
    parser.feed(THINKING_AND_REDACTED)
    parser.close()
    assert_matches_sdk(parser.message, sdk_message(sdk_events(THINKING_AND_REDACTED)))


def test_citations_become_sources(backend: ModuleType) -> None:
    events = dicts(backend.parse(CITATIONS))
    check_ordering(events)
    assert [e for e in events if e["type"] == "source"] == [
        {
            "type": "source",
            "id": "0:0",
            "url": "https://a.example/x",
            "title": "A",
            "kind": "url",
            "media_type": None,
            "filename": None,
            "provider_metadata_json": None,
        },
        # A document citation: the document's (here untitled) and where the text sits, as sent.
        {
            "type": "source",
            "id": "0:1",
            "url": None,
            "title": None,
            "kind": "document",
            "media_type": "text/plain",
            "filename": None,
            "provider_metadata_json": '{"type":"char_location","cited_text":"d","document_index":0}',
        },
    ]


def test_mid_stream_error(backend: ModuleType) -> None:
    events = dicts(backend.parse(MID_STREAM_ERROR))
    check_ordering(events)
    raw = '{"type": "error", "error": {"details": null, "type": "overloaded_error", "message": "Overloaded"}}'
    assert events[-4:] == [
        {"type": "text_delta", "id": "0", "text": "Par"},
        {"type": "text_end", "id": "0"},
        {"type": "error", "message": "Overloaded", "kind": "overloaded_error", "raw": raw},
        {
            "type": "finish",
            "reason": "error",
            "raw_reason": None,
            "usage": {
                "input_tokens": 15,
                "output_tokens": 1,
                "total_tokens": 16,
                "reasoning_tokens": 0,
                "cache_read_tokens": 3,
                "cache_write_tokens": 2,
                "cost": None,
            },
            "provider_metadata_json": None,
        },
    ]


def test_cut_before_message_stop(backend: ModuleType) -> None:
    """What is open is closed (a cut tool call keeps the fragments it got, so its arguments may be
    incomplete JSON), then the cut is reported."""
    events = dicts(parse_chunks(backend, [CUT]))
    assert events[4]["arguments"] == '{"a":'
    assert [e["type"] for e in events] == [
        "stream_start",
        "tool_input_start",
        "tool_input_delta",
        "tool_input_end",
        "tool_call",
        "error",
        "finish",
    ]
    assert events[-2] == {
        "type": "error",
        "message": "the stream ended before its terminal event",
        "kind": "incomplete_stream",
        "raw": None,
    }
    assert events[-1]["reason"] == "error"


def test_tool_input_complete_in_start(backend: ModuleType) -> None:
    """No fragment follows: the input sent with the start is the arguments (as sent), and one
    `tool_input_delta` carries it, so that fragments always add up to the arguments."""
    events = dicts(backend.parse(COMPLETE_TOOL_INPUT))
    check_ordering(events)
    args = '{"city": "Paris", "n": [1, 2.5]}'
    assert events[1:5] == [
        {"type": "tool_input_start", "id": "toolu_1", "name": "f", "choice": 0, "provider_executed": False},
        {"type": "tool_input_delta", "id": "toolu_1", "delta": args},
        {"type": "tool_input_end", "id": "toolu_1"},
        {"type": "tool_call", "id": "toolu_1", "name": "f", "arguments": args, "provider_executed": False},
    ]
    assert events[-1]["reason"] == "tool_calls"


def test_usage_latest_value_and_metadata(backend: ModuleType) -> None:
    body = sse(
        START,
        ' {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},'
        ' "usage": { "input_tokens": 20, "output_tokens": 5 } }   ',
        STOP,
    )
    finish = dicts(backend.parse(body))[-1]
    assert finish["reason"] == "stop"
    assert finish["raw_reason"] == "stop_sequence"
    assert (finish["usage"]["input_tokens"], finish["usage"]["output_tokens"]) == (25, 5)
    metadata = json.loads(finish["provider_metadata_json"])
    assert metadata["stop_sequence"] == "END"
    assert metadata["delta_usage"] == {"input_tokens": 20, "output_tokens": 5}
    assert finish["provider_metadata_json"].endswith(
        '"delta_usage":{ "input_tokens": 20, "output_tokens": 5 },"stop_sequence":"END"}'
    )


@pytest.mark.parametrize(
    ("stop_reason", "reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("pause_turn", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("model_context_window_exceeded", "other"),
        (None, "other"),
    ],
)
def test_stop_reasons(backend: ModuleType, stop_reason: str | None, reason: str) -> None:
    finish = dicts(backend.parse(sse(START, message_delta(stop_reason, output_tokens=1), STOP)))[-1]
    assert (finish["reason"], finish["raw_reason"]) == (reason, stop_reason)


# Bad input.


def test_bad_payload_location_and_recovery(backend: ModuleType) -> None:
    good = sse(START, block_start(0, {"type": "text", "text": ""}))
    bad = b"event: content_block_delta\ndata: {not json\n\n"
    parser = backend.StreamParser("anthropic")
    with pytest.raises(StreamParseError) as info:
        parser.feed(good + bad + sse(delta(0, {"type": "text_delta", "text": "ok"})))
    offset = len(good) + len(b"event: content_block_delta\n")
    assert str(info.value) == f"invalid JSON payload: not valid JSON at byte {offset}, event 2, near `{{not json`"
    assert [e.type for e in info.value.events] == ["stream_start", "text_start"]
    # The rest of the faulty chunk is read by the next call: the parser stays usable.
    after = dicts(parser.feed(sse(STOP)))
    assert [e["type"] for e in after] == ["text_delta", "text_end", "finish"]
    assert after[0]["text"] == "ok"
    assert after[-1]["reason"] == "other"
    assert parser.close() == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            '{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}',
            "unexpected payload: `text_delta` for content block 3, which is not open",
        ),
        (
            '{"type":"content_block_start","index":0,"content_block":{"type":"text"}}',
            "unexpected payload: content block 0 started twice",
        ),
        (
            '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"x"}}',
            "unexpected payload: `thinking_delta` does not fit content block 0",
        ),
        (
            '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}}',
            "unexpected payload: `text_delta` without `text`",
        ),
        ('{"type":"content_block_stop"}', "unexpected payload: `content_block_stop` without `index`"),
        ('{"type":"message_start","message":{}}', "unexpected payload: a second `message_start`"),
        # An index of another type (a float is one) reads as absent: the error names it. Token counts
        # of another type read as absent: tests/test_tolerant_types.py.
        ('{"type":"content_block_stop","index":1.0}', "unexpected payload: `content_block_stop` without `index`"),
        # A required object of another JSON type reads as absent (tolerant reader): the error names it.
        (
            '{"type":"content_block_delta","index":0,"delta":["text_delta"]}',
            "unexpected payload: `content_block_delta` without `delta`",
        ),
        ('{"type":"message_delta","delta":{"stop_reason":NaN}}', "invalid JSON payload: not valid JSON"),
        ('{"type":"message_delta","delta":{"stop_reason":"\\udc00"}}', "invalid JSON payload: not valid JSON"),
        ('{"type":"x","index":"1",', "invalid JSON payload: not valid JSON"),
    ],
)
def test_bad_payloads(backend: ModuleType, payload: str, message: str) -> None:
    head = sse(START, block_start(0, {"type": "text", "text": ""}))
    body = head + f"data: {payload}\n\n".encode()
    with pytest.raises(StreamParseError) as info:
        backend.parse(body, "anthropic")
    assert str(info.value).startswith(f"{message} at byte {len(head)}, event 2, near `")
    assert [e.type for e in info.value.events] == ["stream_start", "text_start"]
    emitted = dicts(backend.parse(body, "anthropic", on_error="emit"))
    assert emitted[2] == {"type": "error", "message": str(info.value), "kind": "parse_error", "raw": payload}
    check_ordering(emitted)


def test_after_the_end(backend: ModuleType) -> None:
    with pytest.raises(
        StreamParseError, match=r"^unexpected payload: `content_block_start` after the end of the message"
    ):
        backend.parse(sse(START, STOP, block_start(0, {"type": "text"})))
    events = dicts(backend.parse(sse(START, STOP, {"type": "ping"})))
    assert [e["type"] for e in events] == ["stream_start", "finish"]


# Fuzz: random payload shapes through both backends give the same events and error texts.

WORDS = [
    "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
    "message_stop", "ping", "error", "text", "thinking", "redacted_thinking", "tool_use", "server_tool_use",
    "web_search_tool_result", "text_delta", "thinking_delta", "signature_delta", "input_json_delta",
    "citations_delta", "end_turn", "tool_use", "max_tokens",
]  # fmt: skip
KEYS = [
    "type", "id", "name", "input", "text", "thinking", "signature", "data", "citations", "content", "url",
    "title", "partial_json", "citation", "stop_reason", "stop_sequence", "input_tokens", "output_tokens",
    "cache_read_input_tokens", "cache_creation_input_tokens", "message", "usage", "model", "index",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**64 + 3),
    st.sampled_from([0, 1, 2, 2**64 - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(WORDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=12,
)
payloads = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(WORDS), values)},
    optional={
        "index": st.one_of(st.integers(0, 4), values),
        "message": values,
        "content_block": values,
        "delta": values,
        "usage": values,
        "error": values,
        "amazon-bedrock-invocationMetrics": values,
    },
)


def run_both(body: bytes) -> list[Any]:
    results = []
    for backend in (reference, rust_backend()):
        try:
            results.append(dicts(backend.parse(body, "anthropic", on_error="emit")))
        except StreamParseError as err:
            results.append(str(err))
    return results


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(payloads, min_size=1, max_size=4))
def test_fuzz_payload_shapes(items: list[dict[str, Any]]) -> None:
    head = sse(
        START,
        block_start(0, {"type": "text", "text": ""}),
        block_start(1, {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}),
        block_start(2, {"type": "thinking", "thinking": ""}),
    )
    body = head + b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in items)
    ours, theirs = run_both(body)
    assert ours == theirs


# --- results of tools Anthropic ran ---------------------------------------------------------------------

# Shapes as the public corpus recorded them (vercel/ai and pydantic-ai fixtures).
SERVER_CALL = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "bash_code_execution", "input": {}}
MCP_CALL = {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "echo", "server_name": "s", "input": {}}


def block(index: int, content_block: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": "content_block_start", "index": index, "content_block": content_block},
        {"type": "content_block_stop", "index": index},
    ]


@pytest.mark.parametrize(
    ("call", "result", "is_error"),
    [
        (
            SERVER_CALL,
            {"type": "bash_code_execution_result", "stdout": "1\n", "stderr": "", "return_code": 0, "content": []},
            False,
        ),
        (SERVER_CALL, {"type": "bash_code_execution_tool_result_error", "error_code": "unavailable"}, True),
        (MCP_CALL, [{"type": "text", "text": "Tool echo: hi"}], False),
        (MCP_CALL, [{"type": "text", "text": "boom"}], True),
    ],
    ids=["result", "error object", "mcp", "mcp is_error"],
)
def test_a_server_tool_result_answers_its_call(
    backend: ModuleType, call: dict[str, Any], result: Any, is_error: bool
) -> None:
    """A `*_tool_result` block is a `tool_result` naming the call it answers, its content as sent."""
    kind = "mcp_tool_result" if call["type"] == "mcp_tool_use" else "bash_code_execution_tool_result"
    result_block = {"type": kind, "tool_use_id": call["id"], "content": result}
    if call["type"] == "mcp_tool_use":
        result_block["is_error"] = is_error
    body = sse(START, *block(0, call), *block(1, result_block), {"type": "message_stop"})
    events = dicts(backend.parse(body, "anthropic"))
    [got] = [e for e in events if e["type"] == "tool_result"]
    assert got == {
        "type": "tool_result",
        "id": call["id"],
        "name": call["name"],
        "result": json.dumps(result),
        "is_error": is_error,
        "provider_executed": True,
    }
    types = [e["type"] for e in events]
    assert types.index("tool_call") < types.index("tool_result")
    message = backend.parse_many([body], "anthropic")[0]
    assert [r.id for r in message.tool_results] == [call["id"]]


# Public bodies with tool results the provider ran, but those of two messages in one body (the SDK's
# accumulator, as ours, reads one message).
RESULT_BODIES = [
    (name, body)
    for name, body in public_bodies("anthropic")
    if b"_tool_result" in body and body.count(b'"type":"message_start"') + body.count(b'"type": "message_start"') == 1
]


@pytest.mark.parametrize(("name", "body"), RESULT_BODIES, ids=[n for n, _ in RESULT_BODIES])
def test_sdk_oracle_tool_results(backend: ModuleType, name: str, body: bytes) -> None:
    """anthropic's `accumulate_event` as the oracle of the results of tools Anthropic ran: every
    `*_tool_result` block of its message is one `tool_result` of ours, in order, with the block's
    `tool_use_id` and its `content` (as JSON, the same value)."""
    snapshot = sdk_message(sdk_events(body))
    blocks = [b for b in snapshot.content if b.type.endswith("_tool_result")]
    results = backend.parse_many([body], "anthropic")[0].tool_results
    assert [(r.id, r.provider_executed) for r in results] == [(b.tool_use_id, True) for b in blocks]
    for result, b in zip(results, blocks, strict=True):
        assert json.loads(result.result) == b.to_dict(warnings=False)["content"], result.id


# The citation shapes of the anthropic SDK's types (CitationCharLocation, CitationPageLocation,
# CitationContentBlockLocation, CitationsSearchResultLocation) with values from the API reference's
# citations guide: no recording in either corpus cites a document.
DOCUMENT_CITATIONS = [
    {
        "type": "char_location",
        "cited_text": "The grass is green. ",
        "document_index": 0,
        "document_title": "Example Document",
        "start_char_index": 0,
        "end_char_index": 20,
        "file_id": None,
    },
    {
        "type": "page_location",
        "cited_text": "Revenue grew 12%.",
        "document_index": 1,
        "document_title": "Annual report",
        "start_page_number": 3,
        "end_page_number": 4,
        "file_id": "file_011CNha8iCJcU1wXNR6q4V8w",
    },
    {
        "type": "content_block_location",
        "cited_text": "The sky is blue.",
        "document_index": 2,
        "document_title": None,
        "start_block_index": 1,
        "end_block_index": 2,
    },
    {
        "type": "search_result_location",
        "cited_text": "Rate limits apply per organization.",
        "source": "https://docs.example.com/limits",
        "title": "Limits",
        "search_result_index": 0,
        "start_block_index": 0,
        "end_block_index": 1,
    },
]


def test_document_citations_are_document_sources(backend: ModuleType) -> None:
    """A citation of a document (or of a search result block) is a ``document`` source: its title,
    the media type its kind of citation implies (characters: plain text; pages: PDF), and where
    the cited text sits as the SDK's accumulator keeps it; both in a text block's start and as
    ``citations_delta``."""
    start = {"type": "content_block_start", "index": 0}
    in_start = {**start, "content_block": {"type": "text", "text": "", "citations": DOCUMENT_CITATIONS[:1]}}
    deltas = [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta", "citation": c}}
        for c in DOCUMENT_CITATIONS[1:]
    ]
    payloads = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude",
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": 1, "output_tokens": 0},
            },
        },
        in_start,
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Green."}},
        *deltas,
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    ]
    events = dicts(backend.parse(sse(*payloads), "anthropic"))
    sources = [e for e in events if e["type"] == "source"]
    (block,) = sdk_message(payloads).content
    assert len(sources) == len(block.citations) == len(DOCUMENT_CITATIONS)
    media = {"char_location": "text/plain", "page_location": "application/pdf"}
    for n, (source, cited) in enumerate(zip(sources, block.citations, strict=True)):
        sent = {k: v for k, v in cited.model_dump().items() if v is not None}
        title = sent.pop("document_title", sent.pop("title", None))
        assert source["id"] == f"0:{n}"
        assert (source["kind"], source["url"], source["title"], source["filename"]) == ("document", None, title, None)
        assert source["media_type"] == media.get(cited.type)
        assert json.loads(source["provider_metadata_json"]) == sent
    assert dicts(backend.parse(sse(*payloads), "anthropic")) == dicts(reference.parse(sse(*payloads), "anthropic"))
