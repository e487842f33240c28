"""The `cohere` family (Cohere v2 chat streaming) on both backends: the public corpus's bodies and bodies
built from Cohere's v2 API reference, checked against the `cohere` client's own `chat_stream` (its SSE
decoding and stream event models, each event also validated by pydantic), goldens, chunkings, detection."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pydantic
import pytest
from cohere import StreamedChatResponseV2
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference

from .conftest import public_bodies, require_public_corpus, rust_backend
from .family_corpus import check_all_feedings, check_chunkings, check_detected, check_golden, feed_all, outcome
from .fuzz_json import ANY, TEXT, maybe, obj
from .sdk_oracle import cohere_events

FAMILY = "cohere"
BODIES = list(public_bodies(FAMILY))
EVENTS: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(StreamedChatResponseV2)


def sse(*payloads: dict[str, Any]) -> bytes:
    return "".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads).encode()


def start(id: str = "m-1") -> dict[str, Any]:
    message = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
    return {"id": id, "type": "message-start", "delta": {"message": message}}


def content_start(index: int, kind: str = "text") -> dict[str, Any]:
    return {"type": "content-start", "index": index, "delta": {"message": {"content": {"type": kind, kind: ""}}}}


def content_delta(index: int, text: str, kind: str = "text") -> dict[str, Any]:
    return {"type": "content-delta", "index": index, "delta": {"message": {"content": {kind: text}}}}


def end(reason: str, error: str | None = None, usage: dict[str, Any] | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"finish_reason": reason}
    if error is not None:
        delta["error"] = error
    if usage is not None:
        delta["usage"] = usage
    return {"type": "message-end", "delta": delta}


USAGE = {"billed_units": {"input_tokens": 9, "output_tokens": 4}, "tokens": {"input_tokens": 70, "output_tokens": 6}}
CITATION = {
    "start": 0,
    "end": 16,
    "text": "Emperor penguins",
    "sources": [
        {
            "type": "document",
            "id": "doc:0",
            "document": {"id": "doc:0", "title": "Tall penguins", "url": "https://example.com/tall"},
        },
        {"type": "document", "id": "doc:1", "document": {"id": "doc:1", "snippet": "no url here"}},
        {"type": "tool", "id": "web:0", "tool_output": {"url": "https://example.com/tall", "title": "again"}},
    ],
    "type": "TEXT_CONTENT",
}

# Built from Cohere's v2 API reference (chat-stream; the "RAG streaming" and "tool use streaming"
# guides' example streams), found with the `search` tool.
BUILT = {
    "rag_citation": sse(
        start(),
        content_start(0),
        content_delta(0, "Emperor penguins"),
        {"type": "citation-start", "index": 0, "delta": {"message": {"citations": CITATION}}},
        {"type": "citation-end", "index": 0},
        content_delta(0, " are the tallest."),
        {"type": "content-end", "index": 0},
        end("COMPLETE", usage=USAGE),
    ),
    "thinking_then_text_max_tokens": sse(
        start(),
        content_start(0, "thinking"),
        content_delta(0, "Let me think.", "thinking"),
        {"type": "content-end", "index": 0},
        content_start(1),
        content_delta(1, "Forty"),
        {"type": "content-end", "index": 1},
        end("MAX_TOKENS", usage=USAGE),
    ),
    "error_and_debug": sse(
        start(),
        {"type": "debug", "prompt": "a debug event, passed over"},
        content_start(0),
        content_delta(0, "Par"),
        end("ERROR", error="internal error"),
    ),
    "timeout": sse(start(), content_start(0), content_delta(0, "x"), end("TIMEOUT")),
}
ALL = [*BODIES, *BUILT.items()]
ALL_IDS = [name for name, _ in ALL]


def test_public_corpus_has_every_cohere_body() -> None:
    require_public_corpus()
    assert len(BODIES) == 4


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    check_golden(backend, FAMILY, name, body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_golden_under_random_chunking(backend: ModuleType, name: str, body: bytes) -> None:
    check_chunkings(backend, FAMILY, name, body, seed=len(body))


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_whole_byte_by_byte_and_chunked_agree_on_both_backends(name: str, body: bytes) -> None:
    check_all_feedings(FAMILY, body)


_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR": "error",
}


def _oracle(body: bytes) -> dict[str, Any]:
    """What the cohere client's events say: text, reasoning (thinking, then the tool plan), tool calls,
    cited URLs, the finish reason and the token counts."""
    text = thinking = plan = ""
    kinds: dict[int, str] = {}
    calls: dict[int, list[str]] = {}
    urls: list[str] = []
    reason = error = None
    tokens = None
    for event in cohere_events(body):
        # The client builds its events without validating them: pydantic checks each against its model.
        EVENTS.validate_python(event.model_dump(exclude_unset=True))
        if event.type == "content-start":
            kinds[event.index] = event.delta.message.content.type
        elif event.type == "content-delta":
            content = event.delta.message.content
            if kinds[event.index] == "text":
                text += content.text or ""
            else:
                thinking += content.thinking or ""
        elif event.type == "tool-plan-delta":
            plan += event.delta.message.tool_plan or ""
        elif event.type == "tool-call-start":
            call = event.delta.message.tool_calls
            calls[event.index] = [call.id, call.function.name, call.function.arguments or ""]
        elif event.type == "tool-call-delta":
            calls[event.index][2] += event.delta.message.tool_calls.function.arguments or ""
        elif event.type == "citation-start":
            for source in event.delta.message.citations.sources:
                doc = source.document if source.type == "document" else source.tool_output
                if doc and doc.get("url") is not None and doc["url"] not in urls:
                    urls.append(doc["url"])
        elif event.type == "message-end":
            reason = event.delta.finish_reason
            error = event.delta.error
            usage = event.delta.usage
            tokens = None if usage is None or usage.tokens is None else usage.tokens
    return {
        "text": text,
        "reasoning": thinking + plan,
        "tool_calls": [(id, name, args or "{}") for id, name, args in calls.values()],
        "urls": urls,
        "raw_finish_reason": reason,
        "finish_reason": _REASONS.get(reason or "", "other"),
        "errors": [error] if error else [],
        "tokens": (0, 0) if tokens is None else (int(tokens.input_tokens or 0), int(tokens.output_tokens or 0)),
    }


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_message_agrees_with_the_cohere_client(backend: ModuleType, name: str, body: bytes) -> None:
    _, message = feed_all(backend, [body], FAMILY)
    ours = {
        "text": message.text,
        "reasoning": message.reasoning,
        "tool_calls": [(c.id, c.name, c.arguments) for c in message.tool_calls],
        "urls": [s.url for s in message.sources],
        "raw_finish_reason": message.raw_finish_reason,
        "finish_reason": message.finish_reason,
        "errors": [e.message for e in message.errors],
        "tokens": (message.usage.input_tokens, message.usage.output_tokens),
    }
    assert ours == _oracle(body)


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_auto_detects_the_family(backend: ModuleType, name: str, body: bytes) -> None:
    check_detected(backend, FAMILY, body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_read_as_chat_it_names_the_family(backend: ModuleType, name: str, body: bytes) -> None:
    """`family="openai-chat"` on a Cohere body: not a quiet empty result, an error naming the family."""
    expected = 'look like the `cohere` family, not `openai-chat`; pass `family="cohere"`'
    with pytest.raises(StreamParseError, match=expected):
        backend.parse(body, "openai-chat")


# --- fuzz: both backends accept and reject the same payloads --------------------------------------------

_INDEX = maybe(st.integers(0, 2))
_DOC = obj(url=maybe(st.sampled_from(["https://a", "https://b", ""])), title=maybe(TEXT))
_CONTENT = obj(type=maybe(st.sampled_from(["text", "thinking", "image"])), text=maybe(TEXT), thinking=maybe(TEXT))
_CALL = obj(id=maybe(st.sampled_from(["c1", "c2"])), function=maybe(obj(name=maybe(TEXT), arguments=maybe(TEXT))))
_CITATION = obj(
    sources=maybe(st.lists(maybe(obj(id=maybe(TEXT), document=maybe(_DOC), tool_output=maybe(_DOC))), max_size=2))
)
_MESSAGE = obj(content=maybe(_CONTENT), tool_plan=maybe(TEXT), tool_calls=maybe(_CALL), citations=maybe(_CITATION))
_USAGE = obj(
    tokens=maybe(obj(input_tokens=maybe(st.integers(0, 9)), output_tokens=maybe(st.integers(0, 9)))),
    cached_tokens=maybe(st.integers(0, 9)),
    billed_units=ANY,
)
_FUZZ_PAYLOAD = obj(
    type=maybe(
        st.sampled_from(
            [
                "message-start",
                "content-start",
                "content-delta",
                "content-end",
                "tool-plan-delta",
                "tool-call-start",
                "tool-call-delta",
                "tool-call-end",
                "citation-start",
                "message-end",
                "debug",
            ]
        )
    ),
    id=maybe(TEXT),
    index=_INDEX,
    delta=maybe(
        obj(
            message=maybe(_MESSAGE),
            finish_reason=maybe(st.sampled_from(["COMPLETE", "TOOL_CALL", "TIMEOUT"])),
            usage=maybe(_USAGE),
            error=maybe(TEXT),
        )
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FUZZ_PAYLOAD.map(json.dumps), min_size=1, max_size=6))
def test_fuzzed_payloads_same_on_both_backends(payloads: list[str]) -> None:
    assert outcome(rust_backend(), FAMILY, payloads) == outcome(reference, FAMILY, payloads)
