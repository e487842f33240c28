"""The event model and StreamParser surface, identical on both backends."""

from __future__ import annotations

import asyncio
import json
import random
from types import ModuleType
from typing import Any

import pytest

import streamdelta
from streamdelta import StreamParseError, reference

from .conftest import family_bodies, random_splits, require_corpus, rust_backend

EVENT_CLASSES = {
    "StreamStart": ("stream_start", {"id": "resp_1", "model": "m", "created": 1741569952}),
    "TextStart": ("text_start", {"id": "0", "choice": 0}),
    "TextDelta": ("text_delta", {"id": "0", "text": "Ol", "logprobs": '[{"token": "Ol", "logprob": -0.5}]'}),
    "TextEnd": ("text_end", {"id": "0"}),
    "ReasoningStart": ("reasoning_start", {"id": "r", "choice": 1}),
    "ReasoningDelta": ("reasoning_delta", {"id": "r", "text": "hm"}),
    "ReasoningEnd": ("reasoning_end", {"id": "r", "signature": "sig", "redacted": False}),
    "RefusalStart": ("refusal_start", {"id": "f", "choice": 0}),
    "RefusalDelta": ("refusal_delta", {"id": "f", "text": "I can't", "logprobs": '[{"token": "I", "logprob": 0}]'}),
    "RefusalEnd": ("refusal_end", {"id": "f"}),
    "ToolInputStart": (
        "tool_input_start",
        {"id": "call_1", "name": "weather", "choice": 0, "provider_executed": False},
    ),
    "ToolInputDelta": ("tool_input_delta", {"id": "call_1", "delta": '{"a"'}),
    "ToolInputEnd": ("tool_input_end", {"id": "call_1"}),
    "ToolCall": (
        "tool_call",
        {
            "id": "call_1",
            "name": "weather",
            "arguments": '{"a": 1}',
            "provider_executed": False,
            "call_type": "custom_tool_call",
        },
    ),
    "ToolResult": (
        "tool_result",
        {"id": "srvtoolu_1", "name": "web_search", "result": "[1]", "is_error": False, "provider_executed": True},
    ),
    "Source": (
        "source",
        {
            "id": "s0",
            "url": "https://example.com",
            "title": None,
            "kind": "url",
            "media_type": None,
            "filename": None,
            "provider_metadata_json": None,
        },
    ),
    "ErrorEvent": ("error", {"message": "overloaded", "kind": "overloaded_error", "raw": None}),
    "Unknown": ("unknown", {"kind": "response.new.delta", "raw": '{"type": "response.new.delta"}'}),
    "Raw": ("raw", {"data": '{"type": "ping"}'}),
}


@pytest.mark.parametrize("name", sorted(EVENT_CLASSES))
def test_event_class_surface(backend: ModuleType, name: str) -> None:
    type_name, fields = EVENT_CLASSES[name]
    cls = getattr(backend, name)
    e = cls(**fields)
    assert cls.type == type_name
    assert e == cls(**fields)
    assert hash(e) == hash(cls(**fields))
    assert e.to_dict() == {"type": type_name, **fields}
    assert repr(e) == f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in fields.items()) + ")"
    assert cls.__match_args__ == tuple(fields)
    assert isinstance(e, cls)
    with pytest.raises(AttributeError):
        e.id = "x"
    match e:
        case cls(first):
            assert first == next(iter(fields.values()))
        case _:
            pytest.fail("no match")


def test_defaults_and_helpers(backend: ModuleType) -> None:
    assert backend.ReasoningEnd("r") == backend.ReasoningEnd("r", None, False)
    assert backend.ToolCall("c", "f", '{"x": [1, 2]}').input == {"x": [1, 2]}
    assert backend.ToolCall("c", "f", "{}").provider_executed is False


def test_call_type_is_shown_only_when_set(backend: ModuleType) -> None:
    # A plain function call's dict and repr have no `call_type` key: it is a Responses built-in's detail.
    plain = backend.ToolCall("c", "f", "{}")
    assert plain.call_type is None
    assert "call_type" not in plain.to_dict()
    assert repr(plain) == "ToolCall(id='c', name='f', arguments='{}', provider_executed=False)"
    custom = backend.ToolCall("c", "f", "x", False, "custom_tool_call")
    assert custom.to_dict()["call_type"] == "custom_tool_call"
    assert repr(custom).endswith("provider_executed=False, call_type='custom_tool_call')")
    assert backend.from_dict(custom.to_dict()) == custom != plain
    usage = backend.Usage(input_tokens=3, output_tokens=4, total_tokens=7, cost=0.5)
    fin = backend.Finish("stop", "end_turn", usage, '{"gateway": {"cost": "0.1"}}')
    assert fin.provider_metadata == {"gateway": {"cost": "0.1"}}
    assert backend.Finish("stop").provider_metadata is None
    assert fin.to_dict()["usage"] == {
        "input_tokens": 3,
        "output_tokens": 4,
        "total_tokens": 7,
        "reasoning_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cost": 0.5,
    }
    assert repr(usage) == (
        "Usage(input_tokens=3, output_tokens=4, total_tokens=7, reasoning_tokens=0, "
        "cache_read_tokens=0, cache_write_tokens=0, cost=0.5)"
    )
    assert usage == backend.Usage(3, 4, 7, 0, 0, 0, 0.5)
    assert hash(usage) == hash(backend.Usage(3, 4, 7, 0, 0, 0, 0.5))
    assert backend.TextDelta("0", "a") != backend.TextStart("0")
    # A message built by hand starts where a parser's does: empty text and tuples, not None.
    assert backend.Message() == backend.StreamParser("openai-chat").message
    assert backend.Message(text="hi").text == "hi"
    assert backend.Message().tool_calls == ()
    # None stands for the default, as the signatures say.
    assert backend.Message(text=None, errors=None) == backend.Message()
    assert backend.ReasoningEnd("r", None, None).redacted is False


def test_to_dict_identical_across_backends() -> None:
    rust = rust_backend()
    for name, (_, fields) in EVENT_CLASSES.items():
        assert getattr(rust, name)(**fields).to_dict() == getattr(reference, name)(**fields).to_dict()
        assert repr(getattr(rust, name)(**fields)) == repr(getattr(reference, name)(**fields))
    # Floats print as Python prints them (`7.585e-05`, not Rust's `7.585e-5`).
    for cost in (7.585e-05, 0.5, 1e22, 1.0, None):
        assert repr(rust.Usage(1, 2, 3, cost=cost)) == repr(reference.Usage(1, 2, 3, cost=cost))
    assert "cost=7.585e-05)" in repr(rust.Usage(cost=7.585e-05))
    assert repr(rust.Message()) == repr(reference.Message())
    assert rust.Message().to_dict() == reference.Message().to_dict()


def test_unknown_family_and_on_error(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match=r'^unknown family "chat"; expected one of "auto", "openai-chat", '):
        backend.StreamParser("chat")
    with pytest.raises(ValueError, match=r'^unknown on_error "ignore"; expected "raise" or "emit"$'):
        backend.StreamParser(on_error="ignore")
    assert list(backend.FAMILIES) == [
        "openai-chat",
        "openai-responses",
        "anthropic",
        "gemini",
        "bedrock",
        "ollama",
        "openai-completions",
        "cohere",
    ]


def test_undetectable_first_payload(backend: ModuleType) -> None:
    p = backend.StreamParser()
    msg = (
        "unexpected payload: cannot tell the wire family from the first payload; pass `family=` "
        'at byte 0, event 0, near `{"hello": 1}`'
    )
    with pytest.raises(StreamParseError, match="^" + msg.replace("(", r"\(").replace(")", r"\)") + "$") as info:
        p.feed(b'data: {"hello": 1}\n\n')
    assert (info.value.offset, info.value.event_index, info.value.events) == (0, 0, [])
    assert info.value.excerpt == '{"hello": 1}'
    assert p.family is None


def test_empty_stream_is_incomplete(backend: ModuleType) -> None:
    p = backend.StreamParser()
    assert p.feed(b"") == []
    events = [e.to_dict() for e in p.close()]
    assert [e["type"] for e in events] == ["error", "finish"]
    assert events[0]["kind"] == "incomplete_stream"
    assert events[1]["reason"] == "error"
    assert p.close() == []  # closing twice adds nothing
    m = p.message
    assert m.finish_reason == "error"
    assert [e.kind for e in m.errors] == ["incomplete_stream"]


def test_emit_mode_turns_faults_into_events(backend: ModuleType) -> None:
    events = backend.parse(b"data: not json\n\n", on_error="emit")
    assert [e.type for e in events][:1] == ["error"]
    assert events[0].kind == "parse_error"
    assert events[0].raw == "not json"


def test_iterators(backend: ModuleType) -> None:
    chunks = [b"data: {", b'"x": 1}\n\n']
    with pytest.raises(StreamParseError):
        list(backend.iter_events(iter(chunks)))

    async def collect() -> list[Any]:
        async def agen() -> Any:
            yield b""

        return [e async for e in backend.aiter_events(agen())]

    assert [e.type for e in asyncio.run(collect())] == ["error", "finish"]


def test_public_names_match_reference() -> None:
    for name in reference.__all__:
        assert hasattr(streamdelta, name), name
        assert hasattr(rust_backend(), name), name


@pytest.mark.parametrize("family", reference.FAMILIES)
def test_message_after_every_chunk_agrees_across_backends(family: str) -> None:
    """The message is folded as events are made: read after every chunk, it is the reference's."""
    require_corpus()
    bodies = family_bodies(family)[:6]
    if not bodies:  # the families the recorded corpus has no stream of (completions, Cohere, Ollama)
        pytest.skip(f"no {family} body in the corpus")
    rng = random.Random(0x3E55)
    for name, body in bodies:
        chunks = list(random_splits(body, rng, 256))
        parsers = [backend.StreamParser(family) for backend in (rust_backend(), reference)]
        for n, chunk in enumerate([*chunks, None]):
            for parser in parsers:
                if chunk is None:
                    parser.close()
                else:
                    parser.feed(chunk)
            rust, ref = (parser.message.to_dict() for parser in parsers)
            assert rust == ref, f"{name}, after chunk {n}"


def test_message_shares_the_objects_of_its_events(backend: ModuleType) -> None:
    body = (
        b'data: {"candidates":[{"content":{"parts":[{"text":"hm","thought":true,"thoughtSignature":"SIG"}]}}],'
        b'"responseId":"r1","modelVersion":"m1"}\n\n'
        b'data: {"candidates":[{"content":{"parts":[{"text":"Hello"},{"functionCall":{"name":"f","args":{}}}]},'
        b'"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3}}\n\n'
    )
    parser = backend.StreamParser("gemini")
    events = [*parser.feed(body), *parser.close()]
    message = parser.message
    by_type = {type(e).__name__: e for e in events}
    assert message.id is by_type["StreamStart"].id
    assert message.model is by_type["StreamStart"].model
    assert message.reasoning_signatures[0] is by_type["ReasoningEnd"].signature
    assert message.tool_calls[0] is by_type["ToolCall"]
    assert message.usage is by_type["Finish"].usage
    assert message.raw_finish_reason is by_type["Finish"].raw_reason
    # One delta: the message's text is its string; two: the concatenation.
    assert message.text is by_type["TextDelta"].text
    assert message.reasoning is by_type["ReasoningDelta"].text
    parser = backend.StreamParser("gemini")  # feed() after close() is refused: a parser still open
    parser.feed(body)
    parser.feed(b'data: {"candidates":[{"content":{"parts":[{"text":" again"}]}}]}\n\n')
    assert parser.message.text == "Hello again"


def anthropic_sse(*payloads: dict[str, Any]) -> bytes:
    return "".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads).encode()


def test_message_parts_whose_deltas_interleave(backend: ModuleType) -> None:
    """Two text blocks open at once, their deltas alternating (Anthropic numbers each delta's block):
    each part's text is its own block's deltas, the message's text all of them in wire order. A
    body written from the Messages streaming reference, not a recording: no recording interleaves."""
    start = {"id": "m", "type": "message", "role": "assistant", "model": "x", "content": [], "usage": {}}

    def delta(index: int, text: str) -> dict[str, Any]:
        return {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}

    body = anthropic_sse(
        {"type": "message_start", "message": start},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        delta(0, "a1"),
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        delta(1, "b1"),
        delta(0, "a2"),
        delta(1, "b2"),
        delta(0, "a3"),
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_stop", "index": 1},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}},
        {"type": "message_stop"},
    )
    parser = backend.StreamParser("anthropic")
    parser.feed(body)
    parser.close()
    message = parser.message
    assert [(p.kind, p.text) for p in message.parts] == [("text", "a1a2a3"), ("text", "b1b2")]
    assert message.text == "a1b1a2b2a3"


def test_message_parts_and_choices_of_the_reference_fold() -> None:
    """The fold's rules (the core's `message::tests` hold the same ones): parts in wire order with
    their signatures, one message per choice once a part of a choice > 0 opens."""
    from streamdelta.reference.message import MessageBuilder

    r = reference
    call = r.ToolCall("c", "f", "{}")
    builder = MessageBuilder()
    for event in (
        r.StreamStart("r1", None, 7),
        r.ReasoningStart("r"),
        r.ReasoningDelta("r", "hm"),
        r.ReasoningEnd("r", "sig"),
        r.TextStart("a"),
        r.TextDelta("a", "x"),
        call,
    ):
        builder.apply(event)
    single = builder.build()
    assert single.parts == (
        r.Part("reasoning", "r", "hm", "sig"),
        r.Part("text", "a", "x"),
        r.Part("tool_call", "c", value=call),
    )
    assert single.choices == ()
    for event in (r.TextStart("b", 1), r.TextDelta("b", "y"), r.TextDelta("a", "z"), r.Finish("stop")):
        builder.apply(event)
    m = builder.build()
    assert m.text == "xz"
    assert [c.text for c in m.choices] == ["xz", "y"]
    assert all((c.id, c.created, c.finish_reason, c.choices) == ("r1", 7, "stop", ()) for c in m.choices)
    assert m.choices[1].parts == (r.Part("text", "b", "y"),)
    assert m.parts == m.choices[0].parts
