"""The `openai-chat` family on both backends: golden files of every corpus stream, chunking invariance,
the official `openai` SDK as oracle, synthetic cases the corpus lacks, bad input, and a fuzz of payload
shapes that both backends must treat alike."""

from __future__ import annotations

import json
import random
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import family_bodies, random_splits, require_corpus, rust_backend
from .golden import golden_path, read_golden
from .invariants import check_ordering, dicts

FAMILY = "openai-chat"
BODIES = family_bodies(FAMILY)
IDS = [name for name, _ in BODIES]


def parse(backend: ModuleType, body: bytes, **kwargs: Any) -> list[dict[str, Any]]:
    return dicts(backend.parse(body, FAMILY, **kwargs))


def feed_all(backend: ModuleType, chunks: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], Any]:
    parser = backend.StreamParser(FAMILY, **kwargs)
    out: list[Any] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    out.extend(parser.close())
    return dicts(out), parser.message


def sse(*payloads: Any, done: bool = True) -> bytes:
    """A body of `data:` events: dicts are dumped as JSON, strings sent as they are."""
    lines = [f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, index: int = 0, **top: Any) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": index, "delta": delta or {}, "finish_reason": finish}
    return {"id": "chatcmpl-1", "model": "m", "object": "chat.completion.chunk", "choices": [choice], **top}


def usage(prompt: int, completion: int, **extra: Any) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion, **extra}


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def finish_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    assert events[-1]["type"] == "finish"
    return events[-1]


# --- the corpus -------------------------------------------------------------------------------


def test_the_corpus_has_the_chat_streams() -> None:
    require_corpus()
    assert len(BODIES) == 152


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_golden_whole_and_chunked(backend: ModuleType, name: str, body: bytes) -> None:
    expected = read_golden(golden_path(FAMILY, name))
    assert parse(backend, body) == expected
    rng = random.Random(name)
    for _ in range(20):
        events, _ = feed_all(backend, random_splits(body, rng))
        assert events == expected


@pytest.mark.parametrize(("name", "body"), BODIES[:: len(BODIES) // 4 or 1], ids=IDS[:: len(BODIES) // 4 or 1])
def test_golden_byte_by_byte(backend: ModuleType, name: str, body: bytes) -> None:
    events, _ = feed_all(backend, (body[i : i + 1] for i in range(len(body))))
    assert events == read_golden(golden_path(FAMILY, name))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_ordering_invariants(backend: ModuleType, name: str, body: bytes) -> None:
    check_ordering(parse(backend, body))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_rust_equals_reference_with_message(name: str, body: bytes) -> None:
    rng = random.Random(name)
    rust_events, rust_message = feed_all(rust_backend(), random_splits(body, rng, 64))
    ref_events, ref_message = feed_all(reference, [body])
    assert rust_events == ref_events
    assert rust_message.to_dict() == ref_message.to_dict()


# --- the official SDK as oracle ------------------------------------------------------------------


def sdk_snapshot(body: bytes) -> Any:
    """The SDK's own path: its SSE decoder, lenient model construction, its chunk accumulator."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state = ChatCompletionStreamState()
    for event in SSEDecoder().iter_bytes(iter([body])):
        if event.data.startswith("[DONE]"):
            break
        state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=json.loads(event.data)))
    return state.current_completion_snapshot


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_agrees_with_the_openai_sdk(backend: ModuleType, name: str, body: bytes) -> None:
    snapshot = sdk_snapshot(body)
    parser = backend.StreamParser(FAMILY)
    parser.feed(body)
    parser.close()
    message = parser.message
    choice = snapshot.choices[0]
    assert message.text == (choice.message.content or "")
    sdk_calls = [(t.id, t.function.name, t.function.arguments or "{}") for t in choice.message.tool_calls or []]
    assert [(t.id, t.name, t.arguments) for t in message.tool_calls] == sdk_calls
    assert message.raw_finish_reason == choice.finish_reason
    assert message.finish_reason == choice.finish_reason  # the corpus has only stop and tool_calls
    sdk_usage = snapshot.usage
    if sdk_usage is None:
        assert message.usage.input_tokens == message.usage.output_tokens == 0
        return
    u = message.usage
    assert u.input_tokens == sdk_usage.prompt_tokens  # no corpus stream counts cache outside the prompt
    details = sdk_usage.completion_tokens_details
    reasoning = (details.reasoning_tokens if details else None) or 0
    assert u.reasoning_tokens == reasoning
    # By design: where the server counts reasoning outside `completion_tokens` (xAI; Gemini via
    # Vercel), our output includes it; the SDK passes `completion_tokens` through.
    completion = sdk_usage.completion_tokens
    apart = reasoning > completion or sdk_usage.total_tokens == sdk_usage.prompt_tokens + completion + reasoning
    expected = completion + reasoning if reasoning and apart else completion
    assert u.output_tokens == expected
    # Not compared, by design: reasoning (the SDK's ChatCompletionStreamState keeps no reasoning
    # text) and cost (an OpenRouter / Vercel extra the SDK does not model).


# --- synthetic cases -------------------------------------------------------------------------------


def test_text_stream_with_trailing_usage_chunk(backend: ModuleType) -> None:
    body = sse(
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Ol"}),
        chunk({"content": "á"}),
        chunk({}, "stop"),
        {"id": "chatcmpl-1", "choices": [], "usage": usage(5, 2)},
    )
    events = parse(backend, body)
    assert events == [
        {"type": "stream_start", "id": "chatcmpl-1", "model": "m", "created": None},
        {"type": "text_start", "id": "0", "choice": 0},
        {"type": "text_delta", "id": "0", "text": "Ol"},
        {"type": "text_delta", "id": "0", "text": "á"},
        {"type": "text_end", "id": "0"},
        {
            "type": "finish",
            "reason": "stop",
            "raw_reason": "stop",
            "usage": {
                "input_tokens": 5,
                "output_tokens": 2,
                "total_tokens": 7,
                "reasoning_tokens": 0,
                "cache_read_tokens": 0,
                "cache_write_tokens": 0,
                "cost": None,
            },
            # The shape of provider_metadata_json: the native usage object as sent.
            "provider_metadata_json": '{"usage":{"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}',
        },
    ]


def test_azure_prompt_filter_chunk_then_stream_start(backend: ModuleType) -> None:
    first = {"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": []}
    events = parse(backend, sse(first, chunk({"content": "x"}), chunk({}, "stop")))
    assert events[0] == {"type": "stream_start", "id": "chatcmpl-1", "model": "m", "created": None}
    assert types(events) == ["stream_start", "text_start", "text_delta", "text_end", "finish"]


def test_parallel_tool_calls_complete_at_next_index_and_finish(backend: ModuleType) -> None:
    def call(index: int, **fields: Any) -> dict[str, Any]:
        return chunk({"tool_calls": [{"index": index, **fields}]})

    body = sse(
        call(0, id="call_a", type="function", function={"name": "get_", "arguments": ""}),
        call(0, function={"name": "weather", "arguments": '{"city":'}),
        call(0, function={"arguments": ""}),
        call(0, function={"arguments": '"Rome"}'}),
        call(1, id="call_b", function={"name": "noop", "arguments": ""}),
        call(2, function={"name": "anon"}),
        chunk({}, "tool_calls"),
    )
    events = parse(backend, body)
    # `tool_call` for index 0 comes when index 1 starts, not when `{"city":"Rome"}` became parseable.
    assert types(events) == [
        "stream_start",
        "tool_input_start",
        "tool_input_delta",
        "tool_input_delta",
        "tool_input_end",
        "tool_call",
        "tool_input_start",
        "tool_input_end",
        "tool_call",
        "tool_input_start",
        "tool_input_end",
        "tool_call",
        "finish",
    ]
    assert events[1] == {
        "type": "tool_input_start",
        "id": "call_a",
        "name": "get_",
        "choice": 0,
        "provider_executed": False,
    }
    calls = [e for e in events if e["type"] == "tool_call"]
    assert [(c["id"], c["name"], c["arguments"]) for c in calls] == [
        ("call_a", "get_weather", '{"city":"Rome"}'),
        ("call_b", "noop", "{}"),
        ("call_0", "anon", "{}"),  # synthesized: stable, numbered with the text and reasoning parts
    ]
    assert finish_of(events)["reason"] == "tool_calls"


def test_tool_call_ids_stay_those_of_the_first_delta(backend: ModuleType) -> None:
    body = sse(
        chunk({"tool_calls": [{"index": 0, "function": {"name": "f", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"index": 0, "id": "late_id", "function": {"arguments": ""}}]}),
        chunk({}, "tool_calls"),
    )
    calls = [e for e in parse(backend, body) if e["type"] == "tool_call"]
    assert calls == [{"type": "tool_call", "id": "call_0", "name": "f", "arguments": "{}", "provider_executed": False}]


def test_whole_tool_calls_in_one_delta_groq_style(backend: ModuleType) -> None:
    calls = [
        {"id": "functions.add:0", "type": "function", "function": {"name": "add", "arguments": '{"a":2}'}, "index": 0},
        {"id": "functions.mul:1", "type": "function", "function": {"name": "mul", "arguments": '{"b":3}'}, "index": 1},
    ]
    events = parse(backend, sse(chunk({"tool_calls": calls}), chunk({}, "tool_calls")))
    got = [(e["id"], e["arguments"]) for e in events if e["type"] == "tool_call"]
    assert got == [("functions.add:0", '{"a":2}'), ("functions.mul:1", '{"b":3}')]


def test_tool_calls_of_another_type_are_passed_over(backend: ModuleType) -> None:
    """Chat streams tool calls of type ``function`` only (openai-python's ``ChoiceDeltaToolCall``); a
    ``custom`` call (built from the non-streaming ``ChatCompletionMessageCustomToolCall`` shape: no
    recording streams one) is passed over with the later deltas at its index, and a call without
    ``index`` takes its place among the modeled calls alone."""
    custom = {"index": 1, "id": "x", "type": "custom", "custom": {"name": "c", "input": ""}}
    add = {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}
    body = sse(
        chunk({"tool_calls": [custom, add]}),
        chunk({"tool_calls": [{"index": 1, "custom": {"input": "more"}}]}),
        chunk({"tool_calls": [{"type": "x_new", "function": {"name": "g"}}, {"function": {"arguments": ": 1}"}}]}),
        chunk({}, "tool_calls"),
    )
    events = parse(backend, body)
    calls = [(e["id"], e["name"], e["arguments"]) for e in events if e["type"] == "tool_call"]
    assert calls == [("a", "f", '{"a": 1}')]
    assert "error" not in types(events)


def test_legacy_function_call(backend: ModuleType) -> None:
    body = sse(
        chunk({"function_call": {"name": "f", "arguments": '{"x"'}}),
        chunk({"function_call": {"arguments": ":1}"}}),
        chunk({}, "function_call"),
    )
    events = parse(backend, body)
    assert next(e for e in events if e["type"] == "tool_call")["arguments"] == '{"x":1}'
    assert finish_of(events)["reason"] == "tool_calls"
    assert finish_of(events)["raw_reason"] == "function_call"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("tool_calls", "tool_calls"),
        ("function_call", "tool_calls"),
        ("content_filter", "content_filter"),
        ("error", "error"),
        ("end_turn", "other"),
        ("STOP", "other"),
    ],
)
def test_finish_reasons(backend: ModuleType, raw: str, reason: str) -> None:
    fin = finish_of(parse(backend, sse(chunk({"content": "x"}), chunk({}, raw))))
    assert (fin["reason"], fin["raw_reason"]) == (reason, raw)


def test_missing_done_is_tolerated_after_a_finish_reason(backend: ModuleType) -> None:
    events = parse(backend, sse(chunk({"content": "x"}), chunk({}, "stop"), done=False))
    assert types(events)[-2:] == ["text_end", "finish"]
    assert not any(e["type"] == "error" for e in events)


def test_no_finish_reason_nor_done_is_an_incomplete_stream(backend: ModuleType) -> None:
    """(With `[DONE]` and no finish reason the stream ends normally: tests/test_stream_endings.py.)"""
    body = sse(chunk({"content": "x"}), {"id": "c", "choices": [], "usage": usage(3, 1)}, done=False)
    parser = backend.StreamParser(FAMILY)
    fed = dicts(parser.feed(body))
    assert types(fed) == ["stream_start", "text_start", "text_delta"]
    closed = dicts(parser.close())
    assert types(closed) == ["text_end", "error", "finish"]
    assert closed[1]["kind"] == "incomplete_stream"
    assert closed[2]["reason"] == "error"
    assert closed[2]["usage"]["input_tokens"] == 3  # the usage known so far
    assert dicts(parser.close()) == []


def test_finish_waits_for_done_then_payloads_after_done_are_ignored(backend: ModuleType) -> None:
    parser = backend.StreamParser(FAMILY)
    assert types(dicts(parser.feed(sse(chunk({"content": "x"}), chunk({}, "stop"), done=False)))) == [
        "stream_start",
        "text_start",
        "text_delta",
        "text_end",
    ]
    assert types(dicts(parser.feed(b"data: [DONE]\n\n"))) == ["finish"]
    assert dicts(parser.feed(sse(chunk({"content": "late"})))) == []
    assert dicts(parser.close()) == []


def test_openrouter_error_chunk(backend: ModuleType) -> None:
    error = {"code": 502, "message": "Provider disconnected", "metadata": {"provider_name": "X"}}
    body = (
        b": OPENROUTER PROCESSING\n\n"
        + sse(chunk({"content": "par"}), done=False)
        + sse(chunk({"content": ""}, "error", error=error), done=False)
    )
    events = parse(backend, body)
    assert types(events) == ["stream_start", "text_start", "text_delta", "text_end", "error", "finish"]
    assert events[4] == {
        "type": "error",
        "message": "Provider disconnected",
        "kind": "502",
        "raw": '{"code": 502, "message": "Provider disconnected", "metadata": {"provider_name": "X"}}',
    }
    assert (events[5]["reason"], events[5]["raw_reason"]) == ("error", "error")


@pytest.mark.parametrize(
    ("error", "message", "kind"),
    [
        ({"message": "m", "type": "server_error", "code": 1}, "m", "server_error"),
        ({"message": "m", "code": "rate_limited"}, "m", "rate_limited"),
        ({"message": "m", "code": 1.5}, "m", "provider_error"),
        ({"message": "m", "code": True}, "m", "provider_error"),
        ({"code": -(2**63)}, "the provider reported an error", str(-(2**63))),
        ({"code": 2**64 - 1}, "the provider reported an error", str(2**64 - 1)),
        ({"code": 2**64}, "the provider reported an error", "provider_error"),
        ("plain text", "plain text", "provider_error"),
        ({"type": "", "code": "x"}, "the provider reported an error", "x"),
        ({"type": "", "code": ""}, "the provider reported an error", "provider_error"),
    ],
)
def test_error_object_forms(backend: ModuleType, error: Any, message: str, kind: str) -> None:
    events = parse(backend, sse({"error": error}))
    assert [(e["message"], e["kind"]) for e in events if e["type"] == "error"] == [(message, kind)]
    assert finish_of(events)["reason"] == "error"


def test_openrouter_reasoning_with_signature_and_encrypted(backend: ModuleType) -> None:
    def rd(*details: dict[str, Any], **delta: Any) -> dict[str, Any]:
        return chunk({"content": "", "reasoning_details": list(details), **delta})

    body = b": OPENROUTER PROCESSING\n\n" + sse(
        rd({"type": "reasoning.text", "text": "Hm", "index": 0}, reasoning="Hm"),
        rd({"type": "reasoning.text", "text": "m.", "index": 0}, reasoning="m."),
        rd({"type": "reasoning.text", "signature": "SIG", "index": 0}),
        rd({"type": "reasoning.encrypted", "data": "ENC", "format": "google-gemini-v1"}, reasoning=None),
        chunk({"content": "Hi", "reasoning": None}),
        chunk({}, "stop"),
    )
    events = parse(backend, body)
    assert events[1:-1] == [
        {"type": "reasoning_start", "id": "0", "choice": 0},
        {"type": "reasoning_delta", "id": "0", "text": "Hm"},
        {"type": "reasoning_delta", "id": "0", "text": "m."},
        {"type": "reasoning_end", "id": "0", "signature": "SIG", "redacted": False},
        {"type": "reasoning_start", "id": "1", "choice": 0},
        {"type": "reasoning_end", "id": "1", "signature": "ENC", "redacted": True},
        {"type": "text_start", "id": "2", "choice": 0},
        {"type": "text_delta", "id": "2", "text": "Hi"},
        {"type": "text_end", "id": "2"},
    ]


def test_reasoning_details_alone_carry_the_text(backend: ModuleType) -> None:
    body = sse(
        chunk({"reasoning_details": [{"type": "reasoning.summary", "summary": "plan"}]}),
        chunk({"reasoning_details": [{"type": "reasoning.text", "text": " it"}, {"type": "unknown.kind"}]}),
        chunk({}, "stop"),
    )
    reasoning = [e["text"] for e in parse(backend, body) if e["type"] == "reasoning_delta"]
    assert reasoning == ["plan", " it"]


def test_avian_reasoning_in_two_fields_is_not_duplicated(backend: ModuleType) -> None:
    body = sse(
        chunk({"reasoning_content": "The", "reasoning_details": [{"type": "reasoning.text", "text": "The"}]}),
        chunk({"reasoning_content": None, "content": None}),
        chunk({"reasoning_content": " end", "reasoning_details": [{"type": "reasoning.text", "text": " end"}]}),
        chunk({"content": "ok", "reasoning_content": None, "reasoning_details": None}),
        chunk({}, "stop"),
    )
    events = parse(backend, body)
    assert [e.get("text") for e in events if e["type"] == "reasoning_delta"] == ["The", " end"]
    assert types(events) == [
        "stream_start",
        "reasoning_start",
        "reasoning_delta",
        "reasoning_delta",
        "reasoning_end",
        "text_start",
        "text_delta",
        "text_end",
        "finish",
    ]


def test_null_and_empty_fields_open_no_part(backend: ModuleType) -> None:
    body = sse(
        chunk({"content": None, "reasoning": None, "tool_calls": None, "role": "assistant"}),
        chunk({"content": "", "reasoning_content": ""}),
        chunk(None),
        chunk({}, "stop"),
    )
    assert types(parse(backend, body)) == ["stream_start", "finish"]


def test_groq_usage_under_x_groq_is_the_latest_not_a_sum(backend: ModuleType) -> None:
    u = {"queue_time": 0.2, "prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24}
    body = sse(
        chunk({"content": "Olá"}, x_groq={"id": "req_1", "seed": 1}),
        chunk({}, "stop", x_groq={"id": "req_1", "usage": u}, usage=u),
        {"id": "chatcmpl-1", "choices": [], "usage": u},
    )
    fin = finish_of(parse(backend, body))
    assert (fin["usage"]["input_tokens"], fin["usage"]["output_tokens"], fin["usage"]["total_tokens"]) == (20, 4, 24)


def test_usage_only_under_x_groq(backend: ModuleType) -> None:
    body = sse(chunk({}, "stop", x_groq={"usage": usage(7, 3)}))
    fin = finish_of(parse(backend, body))
    assert fin["usage"]["total_tokens"] == 10
    assert fin["provider_metadata_json"] == '{"usage":' + json.dumps(usage(7, 3)) + "}"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        # OpenAI: cached and reasoning tokens are parts of prompt and completion.
        (
            usage(
                100, 50, prompt_tokens_details={"cached_tokens": 60}, completion_tokens_details={"reasoning_tokens": 30}
            ),
            (100, 50, 150, 30, 60, 0),
        ),
        # OpenRouter: cache writes reported too, and cost.
        (
            usage(100, 5, cost=0.5, prompt_tokens_details={"cached_tokens": 10, "cache_write_tokens": 20}),
            (100, 5, 105, 0, 10, 20),
        ),
        # xAI: total = prompt + completion + reasoning, so reasoning is outside completion_tokens.
        (
            {
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "total_tokens": 22,
                "completion_tokens_details": {"reasoning_tokens": 7},
            },
            (10, 12, 22, 7, 0, 0),
        ),
        # Gemini via Vercel: reasoning larger than completion.
        (usage(9, 2, completion_tokens_details={"reasoning_tokens": 25}), (9, 27, 36, 25, 0, 0)),
        # Vercel's Anthropic cache writes, counted outside prompt_tokens.
        (usage(10, 1, cache_creation_input_tokens=30), (40, 1, 41, 0, 0, 30)),
        # Nulls are absent.
        ({"prompt_tokens": None, "completion_tokens": 3, "prompt_tokens_details": None}, (0, 3, 3, 0, 0, 0)),
    ],
)
def test_usage_meaning(backend: ModuleType, wire: dict[str, Any], expected: tuple[int, ...]) -> None:
    u = finish_of(parse(backend, sse(chunk({}, "stop"), {"choices": [], "usage": wire})))["usage"]
    fields = ("input_tokens", "output_tokens", "total_tokens", "reasoning_tokens", "cache_read_tokens")
    assert tuple(u[f] for f in (*fields, "cache_write_tokens")) == expected


@pytest.mark.parametrize(
    ("cost", "expected"),
    [(0.25, 0.25), (3, 3.0), ("0.002187", 0.002187), ("1e-3", 0.001), ("abc", None), (" 1", None), (None, None)],
)
def test_cost_number_or_decimal_string(backend: ModuleType, cost: Any, expected: float | None) -> None:
    fin = finish_of(parse(backend, sse(chunk({}, "stop", usage=usage(1, 1, cost=cost)))))
    assert fin["usage"]["cost"] == expected


def test_vercel_provider_metadata_and_gateway_cost(backend: ModuleType) -> None:
    metadata = {"gateway": {"routing": {"resolvedProvider": "anthropic"}, "cost": "0.0042"}}
    body = sse(
        chunk({"content": "x"}),
        chunk({"provider_metadata": metadata}, "stop", usage={"prompt_tokens": 1, "completion_tokens": 2}),
    )
    fin = finish_of(parse(backend, body))
    assert fin["usage"]["cost"] == 0.0042  # the usage has none: the gateway's string cost is used
    # Keys in this order, each value the raw JSON text as sent.
    assert fin["provider_metadata_json"] == (
        '{"usage":{"prompt_tokens": 1, "completion_tokens": 2},"provider_metadata":' + json.dumps(metadata) + "}"
    )


def test_raw_text_is_kept_exactly(backend: ModuleType) -> None:
    body = (
        b'data: {"choices":[{"index":0,"delta":{"content":"a","provider_metadata" :\t{ "x" : [1, 2.50] } },'
        b'"finish_reason":"stop"}],"usage":  {"prompt_tokens":1,"completion_tokens":1, "cost": 1.0e-5}  }\n\n'
        b"data: [DONE]\n\n"
    )
    fin = finish_of(parse(backend, body))
    assert fin["provider_metadata_json"] == (
        '{"usage":{"prompt_tokens":1,"completion_tokens":1, "cost": 1.0e-5},"provider_metadata":{ "x" : [1, 2.50] }}'
    )
    assert fin["usage"]["cost"] == 1e-05


def test_several_choices_each_have_their_parts(backend: ModuleType) -> None:
    body = sse(
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "A"}}, {"index": 1, "delta": {"content": "B"}}]},
        {
            "id": "c",
            "choices": [{"index": 1, "delta": {"tool_calls": [{"index": 0, "id": "t1", "function": {"name": "f"}}]}}],
        },
        {"id": "c", "choices": [{"index": 1, "delta": {}, "finish_reason": "tool_calls"}]},
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "A2"}, "finish_reason": "length"}]},
    )
    events = parse(backend, body)
    check_ordering(events)
    assert [(e["id"], e["text"]) for e in events if e["type"] == "text_delta"] == [("0", "A"), ("1", "B"), ("0", "A2")]
    assert finish_of(events)["reason"] == "length"  # the lowest choice index that gave one


def test_limits_and_conflicts(backend: ModuleType) -> None:
    body = sse(
        chunk({"tool_calls": [{"index": 0, "id": "dup", "function": {"name": "f"}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "dup", "function": {"name": "g"}}]}),
    )
    # `dup` is free again once index 0 completed at index 1: no conflict.
    assert [e["id"] for e in parse(backend, body) if e["type"] == "tool_call"] == ["dup", "dup"]
    # A wire id equal to an open part's id is refused (text part "0" is open here).
    parser = backend.StreamParser(FAMILY)
    first = sse(chunk({"content": "x"}), done=False)
    parser.feed(first)
    with pytest.raises(StreamParseError) as info:
        parser.feed(sse(chunk({"tool_calls": [{"index": 0, "id": "0"}]}), done=False))
    assert str(info.value).startswith(
        f"unexpected payload: tool call id `0` is already in use at byte {len(first)}, event 1"
    )


def test_fragment_for_a_completed_tool_call_is_an_error(backend: ModuleType) -> None:
    parser = backend.StreamParser(FAMILY)
    parser.feed(sse(chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f"}}]}), done=False))
    parser.feed(sse(chunk({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g"}}]}), done=False))
    # An empty fragment is a no-op even then.
    assert (
        dicts(parser.feed(sse(chunk({"tool_calls": [{"index": 0, "function": {"arguments": ""}}]}), done=False))) == []
    )
    late = sse(chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}), done=False)
    with pytest.raises(StreamParseError) as info:
        parser.feed(late)
    assert str(info.value).startswith("unexpected payload: tool call 0 continued after it was complete at byte ")


# --- bad input ---------------------------------------------------------------------------------------


def test_not_json_raises_with_location_and_events_before(backend: ModuleType) -> None:
    good = sse(chunk({"content": "hi"}), done=False)
    parser = backend.StreamParser(FAMILY)
    with pytest.raises(StreamParseError) as info:
        parser.feed(good + b"data: {not json\n\n" + sse(chunk({"content": "!"}), done=False))
    err = info.value
    assert str(err) == f"invalid JSON payload: not valid JSON at byte {len(good)}, event 1, near `{{not json`"
    assert (err.offset, err.event_index) == (len(good), 1)
    assert types(dicts(err.events)) == ["stream_start", "text_start", "text_delta"]
    # The parser stays usable: the rest of the chunk is read by the next call.
    assert [e.get("text") for e in dicts(parser.feed(b""))] == ["!"]
    assert types(dicts(parser.feed(sse(chunk({}, "stop"))))) == ["text_end", "finish"]


@pytest.mark.parametrize(
    "payload",
    [
        "[1, 2]",
        '"text"',
        "null",
    ],
)
def test_wrong_shape(backend: ModuleType, payload: str) -> None:
    body = f"data: {payload}\n\n".encode()
    with pytest.raises(StreamParseError) as info:
        backend.parse(body, FAMILY)
    excerpt = payload if len(payload) <= 60 else payload[:60] + "..."
    assert str(info.value) == f"unexpected payload: JSON of the wrong shape at byte 0, event 0, near `{excerpt}`"


def events_but_raw(backend: ModuleType, data: str, apart: tuple[str, ...] = ("raw",)) -> list[dict[str, Any]]:
    """The events of one payload, raised on a fault, without the fields `apart` (the raw text)."""
    got = dicts(backend.parse(f"data: {data}\n\n".encode(), FAMILY, on_error="raise"))
    return [{k: v for k, v in e.items() if k not in apart} for e in got]


@pytest.mark.parametrize(
    ("payload", "without"),
    [
        ('{"choices": [{"delta": {"content": 5}}]}', '{"choices": [{"delta": {}}]}'),
        # A list is Mistral's typed chunks (tests/test_chat_features.py); an object is passed over.
        ('{"choices": [{"delta": {"content": {"type": "text", "text": "x"}}}]}', '{"choices": [{"delta": {}}]}'),
        ('{"choices": [{"delta": {"refusal": [1]}}]}', '{"choices": [{"delta": {}}]}'),
        ('{"choices": [{"finish_reason": true}]}', '{"choices": [{}]}'),
        (
            '{"choices": [{"delta": {"reasoning_details": [{"type": 1}]}}]}',
            '{"choices": [{"delta": {"reasoning_details": [{}]}}]}',
        ),
        ('{"error": {"message": 5}}', '{"error": {}}'),
        ('{"id": 7}', "{}"),
    ],
)
def test_string_field_of_another_type_is_passed_over(backend: ModuleType, payload: str, without: str) -> None:
    """Tolerant reader (DESIGN.md): a string field sent with another JSON type reads as absent and
    the payload is kept: the same events as the payload without that field (the raw text kept apart)."""

    assert events_but_raw(backend, payload) == events_but_raw(backend, without)


@pytest.mark.parametrize(
    ("payload", "without"),
    [
        # serde's derived structs would read an array as a struct's fields in order: passed over instead.
        ('{"choices": [[null, null, null]]}', '{"choices": []}'),
        ('{"choices": {"index": 0}}', "{}"),
        ('{"choices": [5, {"delta": {"content": "a"}}]}', '{"choices": [{"delta": {"content": "a"}}]}'),
        ('{"choices": [{"delta": {"content": "a", "tool_calls": {}}}]}', '{"choices": [{"delta": {"content": "a"}}]}'),
        ('{"usage": [1]}', "{}"),
        ('{"error": 5}', "{}"),
    ],
)
def test_object_or_list_field_of_another_type_is_passed_over(backend: ModuleType, payload: str, without: str) -> None:
    """Tolerant reader (DESIGN.md): an object or list field of another JSON type reads as absent, and
    an item of a list of structs that is not an object is left out (tests/test_tolerant_types.py)."""

    assert events_but_raw(backend, payload) == events_but_raw(backend, without)


@pytest.mark.parametrize(
    ("payload", "without"),
    [
        ('{"choices": [{"index": -1}]}', '{"choices": [{}]}'),
        ('{"choices": [{"index": 1.0}]}', '{"choices": [{}]}'),
        (
            '{"choices": [{"delta": {"tool_calls": [{"index": "0"}]}}]}',
            '{"choices": [{"delta": {"tool_calls": [{}]}}]}',
        ),
        (
            '{"choices": [{"delta": {"provider_metadata": {"gateway": {"cost": true}}}}]}',
            '{"choices": [{"delta": {"provider_metadata": {"gateway": {}}}}]}',
        ),
        ('{"usage": {"prompt_tokens": 1.5}}', '{"usage": {}}'),
        ('{"usage": {"prompt_tokens": 18446744073709551616}}', '{"usage": {}}'),
        ('{"usage": {"completion_tokens": true}}', '{"usage": {}}'),
        ('{"usage": {"cost": {"usd": 1}}}', '{"usage": {}}'),
        ('{"x_groq": {"usage": {"total_tokens": "3"}}}', '{"x_groq": {"usage": {}}}'),
    ],
)
def test_integer_boolean_or_cost_field_of_another_type_is_passed_over(
    backend: ModuleType, payload: str, without: str
) -> None:
    """Tolerant reader (DESIGN.md): an integer field sent with another JSON type, or with a number of
    another kind (negative, a float, beyond 64 bits), reads as absent, and so does a cost that is not
    a number or a string (tests/test_tolerant_types.py). A tool call delta whose `index` is passed over
    takes its place in the list, as one sent without it."""

    apart = ("raw", "provider_metadata_json")
    assert events_but_raw(backend, payload, apart) == events_but_raw(backend, without, apart)


def test_a_refused_payload_emits_nothing_of_its_payload(backend: ModuleType) -> None:
    parser = backend.StreamParser(FAMILY)
    bad = chunk({"content": "never"}, usage={"prompt_tokens": 10**400})
    with pytest.raises(StreamParseError) as info:
        parser.feed(sse(bad, done=False))
    assert info.value.events == []


@pytest.mark.parametrize("cost", ["NaN", "1e400", "-1e400", "1" + "0" * 400])
def test_nan_or_out_of_range_cost_is_not_json(backend: ModuleType, cost: str) -> None:
    # serde_json reads no NaN, and no number beyond a double's range as an f64; json.loads makes
    # `1e400` infinite and keeps a long integer, which float() then refuses with an OverflowError.
    with pytest.raises(StreamParseError, match=r"^invalid JSON payload: not valid JSON at byte 0, event 0"):
        backend.parse(b'data: {"usage": {"cost": %s}}\n\n' % cost.encode(), FAMILY)


@pytest.mark.parametrize("number", ["1e400", "1" + "0" * 400])
def test_out_of_range_number_in_a_field_not_read_is_kept_quiet(backend: ModuleType, number: str) -> None:
    body = sse(chunk({"content": "a"}, "stop", created=0)).replace(b'"created": 0', b'"created": ' + number.encode())
    assert number.encode() in body
    assert finish_of(parse(backend, body))["reason"] == "stop"


def test_on_error_emit(backend: ModuleType) -> None:
    body = (
        sse(chunk({"content": "a"}), done=False) + b"data: oops\n\n" + sse(chunk({"content": "b"}), chunk({}, "stop"))
    )
    events = parse(backend, body, on_error="emit")
    errors = [e for e in events if e["type"] == "error"]
    offset = body.index(b"data: oops")
    assert errors == [
        {
            "type": "error",
            "message": f"invalid JSON payload: not valid JSON at byte {offset}, event 1, near `oops`",
            "kind": "parse_error",
            "raw": "oops",
        }
    ]
    assert "".join(e["text"] for e in events if e["type"] == "text_delta") == "ab"
    check_ordering(events)


def test_auto_detection_picks_the_chat_family(backend: ModuleType) -> None:
    body = b": OPENROUTER PROCESSING\n\n" + sse(chunk({"content": "x"}), chunk({}, "stop"))
    assert dicts(backend.parse(body)) == parse(backend, body)


# --- fuzz: both backends treat every payload shape alike ---------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.sampled_from(["", "stop", "tool_calls", "error", "reasoning.text", "reasoning.encrypted", "0", "call_1"]),
)


def shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Dicts with some of ``keys`` (each a proper value or a random one), or a random value."""
    fields = {k: st.one_of(v, SCALARS, st.lists(SCALARS, max_size=2)) for k, v in keys.items()}
    return st.one_of(st.fixed_dictionaries({}, optional=fields), SCALARS)


def _u() -> st.SearchStrategy[Any]:
    return st.integers(min_value=0, max_value=2**64 - 1)


FUNCTION = shaped({"name": st.text(max_size=3), "arguments": st.sampled_from(["", "{", '"a":1', "}", "{}"])})
TOOL_CALL = shaped({"index": st.integers(0, 3), "id": st.sampled_from(["", "a", "b", "0"]), "function": FUNCTION})
DETAIL = shaped(
    {
        "type": st.sampled_from(["reasoning.text", "reasoning.summary", "reasoning.encrypted", "other"]),
        "text": st.text(max_size=3),
        "summary": st.text(max_size=3),
        "data": st.text(max_size=3),
        "signature": st.text(max_size=3),
    }
)
URL = st.sampled_from(["", "https://a", "https://b"])
ANNOTATION = shaped(
    {
        "type": st.sampled_from(["url_citation", "file_citation"]),
        "url_citation": shaped({"url": URL, "title": st.text(max_size=3)}),
    }
)
DELTA = shaped(
    {
        "content": st.text(max_size=3),
        "reasoning": st.text(max_size=3),
        "reasoning_content": st.text(max_size=3),
        "reasoning_details": st.lists(DETAIL, max_size=2),
        "tool_calls": st.lists(TOOL_CALL, max_size=2),
        "function_call": FUNCTION,
        "annotations": st.lists(ANNOTATION, max_size=2),
        "provider_metadata": shaped(
            {"gateway": shaped({"cost": st.one_of(st.floats(0, 1), st.sampled_from(["0.1", "x"]))})}
        ),
    }
)
CHOICE = shaped(
    {
        "index": st.integers(0, 2),
        "delta": DELTA,
        "finish_reason": st.sampled_from(["stop", "length", "tool_calls", "other", ""]),
    }
)
USAGE = shaped(
    {
        "prompt_tokens": _u(),
        "completion_tokens": _u(),
        "total_tokens": _u(),
        "prompt_tokens_details": shaped({"cached_tokens": _u(), "cache_write_tokens": _u()}),
        "completion_tokens_details": shaped({"reasoning_tokens": _u()}),
        "cache_creation_input_tokens": _u(),
        "cost": st.one_of(st.floats(0, 10), st.sampled_from(["0.5", "1e2", "-0", "01", "x"])),
    }
)
CHUNK = shaped(
    {
        "id": st.sampled_from(["", "chatcmpl-1"]),
        "model": st.sampled_from(["", "m"]),
        "choices": st.lists(CHOICE, max_size=2),
        "usage": USAGE,
        "x_groq": shaped({"usage": USAGE}),
        "error": shaped({"message": st.text(max_size=3), "type": st.text(max_size=3), "code": SCALARS}),
        "citations": st.lists(st.one_of(URL, SCALARS), max_size=3),
        "search_results": st.lists(shaped({"url": URL, "title": st.text(max_size=3)}), max_size=2),
    }
)


def run(backend: ModuleType, payloads: list[str]) -> list[Any]:
    parser = backend.StreamParser(FAMILY)
    out: list[Any] = []
    for payload in payloads:
        try:
            out.append(dicts(parser.feed(f"data: {payload}\n\n".encode())))
        except StreamParseError as err:
            out.append((str(err), dicts(err.events)))
    out.append(dicts(parser.close()))
    out.append(parser.message.to_dict())
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(CHUNK, st.just("[DONE]")), min_size=1, max_size=6))
def test_fuzz_payload_shapes_rust_equals_reference(chunks: list[Any]) -> None:
    payloads = [c if c == "[DONE]" else json.dumps(c) for c in chunks]
    assert run(rust_backend(), payloads) == run(reference, payloads)


def test_demo_prints_events_and_message_of_the_chat_samples(capsys: pytest.CaptureFixture[str]) -> None:
    from streamdelta.cli import main

    assert main(["demo", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    chat = out.split("openai-chat-1.sse:", 1)[1].split("\n\n", 1)[0]
    assert "family openai-chat" in chat
    assert "  stream_start      " in chat
    assert "  finish            " in chat
    assert 'text: "The current temperature in Florence, Italy is 40°C."' in chat
    # Every sample gets its block, whether its family parses it yet or not.
    assert out.count(".sse: ") == 10
