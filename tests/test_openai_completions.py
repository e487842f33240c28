"""The `openai-completions` family (legacy `/v1/completions`) on both backends: the public corpus's body
and bodies built from OpenAI's API reference, checked against the `openai` client's own streaming call
(its SSE decoding and `Completion` model), goldens, chunkings and detection."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types import Completion

from streamdelta import StreamParseError, reference

from .conftest import public_bodies, require_public_corpus, rust_backend
from .family_corpus import check_all_feedings, check_chunkings, check_detected, check_golden, feed_all, outcome
from .fuzz_json import ANY, TEXT, maybe, obj
from .sdk_oracle import openai_completions

FAMILY = "openai-completions"
BODIES = list(public_bodies(FAMILY))


def sse(*payloads: dict[str, Any] | str) -> bytes:
    return "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads).encode()


def chunk(text: str, index: int = 0, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choice = {"text": text, "index": index, "logprobs": None, "finish_reason": finish}
    return {
        "id": "cmpl-7",
        "object": "text_completion",
        "created": 1,
        "model": "gpt-3.5-turbo-instruct",
        "choices": [choice],
        **extra,
    }


USAGE = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}

# Built from OpenAI's API reference (Completions: "The completion object", streamed with `n`,
# `stream_options.include_usage` and the `[DONE]` terminator), found with the `search` tool.
BUILT = {
    "n2_usage_done": sse(
        chunk("Once"),
        chunk("In", index=1),
        chunk(" upon", finish="length"),
        chunk(" a time", index=1, finish="stop"),
        chunk("") | {"choices": [], "usage": USAGE},
        "[DONE]",
    ),
    # vLLM and TGI-style servers: no `object`, `usage` null on text chunks, a stop finish.
    "no_object": sse(
        {
            "id": "cmpl-v",
            "created": 1,
            "model": "llama",
            "choices": [{"index": 0, "text": "Hello", "logprobs": None, "finish_reason": None}],
            "usage": None,
        },
        {
            "id": "cmpl-v",
            "created": 1,
            "model": "llama",
            "choices": [{"index": 0, "text": " there", "logprobs": None, "finish_reason": "stop", "stop_reason": None}],
            "usage": USAGE,
        },
        "[DONE]",
    ),
}
ALL = [*BODIES, *BUILT.items()]
ALL_IDS = [name for name, _ in ALL]


def test_public_corpus_has_the_legacy_completion() -> None:
    require_public_corpus()
    assert len(BODIES) == 1


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    check_golden(backend, FAMILY, name, body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_golden_under_random_chunking(backend: ModuleType, name: str, body: bytes) -> None:
    check_chunkings(backend, FAMILY, name, body, seed=len(body))


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_whole_byte_by_byte_and_chunked_agree_on_both_backends(name: str, body: bytes) -> None:
    check_all_feedings(FAMILY, body)


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_text_finish_and_usage_agree_with_the_openai_client(backend: ModuleType, name: str, body: bytes) -> None:
    texts: dict[int, str] = {}
    finishes: dict[int, str] = {}
    usage = None
    for completion in openai_completions(body):
        assert isinstance(completion, Completion)
        for choice in completion.choices:
            texts[choice.index] = texts.get(choice.index, "") + choice.text
            if choice.finish_reason is not None:
                finishes[choice.index] = choice.finish_reason
        usage = completion.usage or usage
    events, message = feed_all(backend, [body], FAMILY)
    by_part: dict[str, str] = {}
    for e in events:
        if e.type == "text_delta":
            by_part[e.id] = by_part.get(e.id, "") + e.text
    assert sorted(by_part.values()) == sorted(t for t in texts.values() if t)
    assert message.raw_finish_reason == finishes[min(finishes)]
    assert message.finish_reason == finishes[min(finishes)]  # stop / length / content_filter are ours too
    assert usage is not None
    assert (message.usage.input_tokens, message.usage.output_tokens, message.usage.total_tokens) == (
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.total_tokens,
    )


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_auto_detects_the_family(backend: ModuleType, name: str, body: bytes) -> None:
    check_detected(backend, FAMILY, body)


@pytest.mark.parametrize(("name", "body"), ALL, ids=ALL_IDS)
def test_read_as_chat_it_names_the_family(backend: ModuleType, name: str, body: bytes) -> None:
    """`family="openai-chat"` on a completion stream (whose `text` the chat decoder would not read): an
    error naming the family, not a quiet empty result."""
    with pytest.raises(StreamParseError, match="look like the `openai-completions` family, not `openai-chat`"):
        backend.parse(body, "openai-chat")


# --- fuzz: both backends accept and reject the same payloads --------------------------------------------

_CHOICE = obj(
    index=maybe(st.integers(0, 2)),
    text=maybe(TEXT),
    finish_reason=maybe(st.sampled_from(["stop", "length", "content_filter"])),
    logprobs=ANY,
)
_FUZZ_PAYLOAD = obj(
    id=maybe(TEXT),
    object=maybe(st.just("text_completion")),
    model=maybe(TEXT),
    choices=maybe(st.lists(maybe(_CHOICE), max_size=2)),
    usage=maybe(obj(prompt_tokens=maybe(st.integers(0, 9)), completion_tokens=maybe(st.integers(0, 9)))),
    error=maybe(obj(message=maybe(TEXT), type=maybe(TEXT), code=ANY)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FUZZ_PAYLOAD.map(json.dumps), st.just("[DONE]")), min_size=1, max_size=6))
def test_fuzzed_payloads_same_on_both_backends(payloads: list[str]) -> None:
    assert outcome(rust_backend(), FAMILY, payloads) == outcome(reference, FAMILY, payloads)
