"""Token logprobs of the legacy completions (`openai-completions`), both backends: a choice's
``logprobs``, an object of parallel lists (``tokens``, ``token_logprobs``, ``top_logprobs``,
``text_offset``), goes as sent on the choice's ``text_delta``; the text part (``Part.logprobs``) and
the message (``Message.logprobs``, each ``choices[i].logprobs`` when n > 1) hold one such object,
each list holding every delta's entries in order: the ``logprobs`` of the non-streamed response.

No recorded legacy stream with logprobs is known (none in the public corpus, none in the fantasy
cassettes): the bodies are built from OpenAI's API reference (Completions, streamed with ``n`` and
``logprobs``; the ``choices[].logprobs`` object), found with the ``search`` tool. Oracles: the
official ``openai`` client's ``Completion`` chunks (``openai.types.completion_choice.Logprobs`` per
choice, their lists concatenated here), and the payloads read here with the json module."""

from __future__ import annotations

import json
import random
import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.completion_choice import Logprobs

from streamdelta import reference

from .conftest import random_splits, rust_backend
from .family_corpus import check_all_feedings, feed_all
from .invariants import dicts
from .sdk_oracle import openai_completions

FAMILY = "openai-completions"
PROMPT = "Say this is a test"
FIELDS = ("tokens", "token_logprobs", "top_logprobs", "text_offset")


def choice(index: int, text: str, logprobs: Any, finish: str | None = None) -> dict[str, Any]:
    return {"text": text, "index": index, "logprobs": logprobs, "finish_reason": finish}


def payload(*choices: dict[str, Any], **extra: Any) -> str:
    body = {"id": "cmpl-lp", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct"}
    # Compact, as OpenAI sends it.
    return json.dumps({**body, "choices": list(choices), **extra}, separators=(",", ":"))


def token_logprobs(tokens: list[tuple[str, float]], offset: int) -> dict[str, Any]:
    """The object of one chunk's tokens (``logprobs: 2``): each token's logprob and its two likeliest."""
    offsets = []
    for token, _ in tokens:
        offsets.append(offset)
        offset += len(token)
    return {
        "tokens": [t for t, _ in tokens],
        "token_logprobs": [lp for _, lp in tokens],
        "top_logprobs": [{t: lp, "\n": lp - 2.5} for t, lp in tokens],
        "text_offset": offsets,
    }


def sse(*payloads: str) -> bytes:
    return "".join(f"data: {p}\n\n" for p in payloads).encode()


START = len(PROMPT)
# n = 2, interleaved; a chunk of two tokens; a server's whitespace and a number's spelling
# (`-1e-05`) that only text kept as sent preserves; an empty-text chunk whose (empty) lists have no
# text delta to go on; the usage chunk and `[DONE]`.
BUILT = sse(
    payload(choice(0, "\n\nThis", token_logprobs([("\n\n", -0.25), ("This", -0.5)], START))),
    payload(choice(1, "\n\nThat", token_logprobs([("\n\n", -0.125), ("That", -1.75)], START))),
    '{"id":"cmpl-lp","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":'
    '[{"text":" is","index":0,"logprobs": { "tokens" : [" is"], "token_logprobs": [-1e-05],'
    ' "top_logprobs": [{" is": -1e-05, " was": -12.0}], "text_offset": [24] },"finish_reason":null}]}',
    payload(choice(0, " a test", token_logprobs([(" a", -0.0625), (" test", -0.75)], 27), "length")),
    payload(choice(1, "", {"tokens": [], "token_logprobs": [], "top_logprobs": [], "text_offset": []}, "stop")),
    payload(usage={"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}),
    "[DONE]",
)
# `logprobs: 0` on some servers: `top_logprobs` null, then lists.
NULL_TOP = sse(
    payload(choice(0, "Hi", {"tokens": ["Hi"], "token_logprobs": [-0.5], "top_logprobs": None, "text_offset": [0]})),
    payload(choice(0, "!", {"tokens": ["!"], "token_logprobs": [-1.0], "top_logprobs": [None], "text_offset": [2]})),
    payload(choice(0, "", None, "stop")),
    "[DONE]",
)


def wire_choices(body: bytes) -> list[dict[str, Any]]:
    """Every choice of every payload, read with the json module."""
    found = []
    for line in body.decode().split("\n"):
        if line.startswith("data: {"):
            found.extend(json.loads(line[len("data: ") :]).get("choices") or [])
    return found


def joined_by_json(body: bytes) -> dict[int, dict[str, Any]]:
    """Per choice index, what the joined object holds: each list of the choice's chunks (those with
    text) concatenated, a ``null`` taking the next value."""
    out: dict[int, dict[str, Any]] = {}
    for c in wire_choices(body):
        lp = c.get("logprobs")
        if not c.get("text") or not isinstance(lp, dict) or not lp:
            continue
        held = out.setdefault(c.get("index") or 0, {})
        for key, value in lp.items():
            if key not in held or held[key] is None:
                held[key] = value
            elif isinstance(held[key], list) and isinstance(value, list):
                held[key] = held[key] + value
    return out


def joined_by_sdk(body: bytes) -> dict[int, Logprobs]:
    """Per choice index, the SDK's ``Logprobs`` of its chunks with text, their lists concatenated."""
    out: dict[int, Logprobs] = {}
    for completion in openai_completions(body):
        for c in completion.choices:
            if not c.text or c.logprobs is None:
                continue
            assert isinstance(c.logprobs, Logprobs)
            held = out.setdefault(c.index, Logprobs())
            for field in FIELDS:
                sent = getattr(c.logprobs, field)
                if getattr(held, field) is None:
                    setattr(held, field, sent)
                elif sent is not None:
                    setattr(held, field, getattr(held, field) + sent)
    return out


def message_logprobs(message: Any) -> dict[int, str | None]:
    """Per choice index, the message's joined logprobs text (the message's own when one choice)."""
    if not message.choices:
        return {0: message.logprobs}
    return {i: m.logprobs for i, m in enumerate(message.choices)}


@pytest.mark.parametrize("body", [BUILT, NULL_TOP], ids=["n2", "null_top"])
def test_message_logprobs_are_the_sdks_joined(backend: ModuleType, body: bytes) -> None:
    _, message = feed_all(backend, [body], FAMILY)
    sdk = joined_by_sdk(body)
    ours = message_logprobs(message)
    assert sorted(ours) == sorted(sdk)
    for index, text in ours.items():
        assert text is not None
        assert json.loads(text) == sdk[index].to_dict(), index
        if body is BUILT:
            # What a user of the legacy API reads it with: the SDK's type of `choices[].logprobs`.
            assert Logprobs.model_validate_json(text).to_dict() == sdk[index].to_dict()
        # The text part holds the same object.
        parts = [p for p in (message.choices[index] if message.choices else message).parts if p.kind == "text"]
        assert [p.logprobs for p in parts] == [text]
    assert {i: json.loads(t or "null") for i, t in ours.items()} == joined_by_json(body)


def test_n2_routes_each_choice_its_own() -> None:
    for backend in (rust_backend(), reference):
        _, message = feed_all(backend, [BUILT], FAMILY)
        assert [json.loads(m.logprobs)["tokens"] for m in message.choices] == [
            ["\n\n", "This", " is", " a", " test"],
            ["\n\n", "That"],
        ]
        assert message.logprobs == message.choices[0].logprobs
        assert message.choices[1].text == "\n\nThat"


def test_each_delta_keeps_its_object_as_sent(backend: ModuleType) -> None:
    events, _ = feed_all(backend, [BUILT], FAMILY)
    deltas = [e for e in events if e.type == "text_delta"]
    with_text = [c for c in wire_choices(BUILT) if c["text"]]
    assert len(deltas) == len(with_text)
    for delta, c in zip(deltas, with_text, strict=True):
        assert json.loads(delta.logprobs) == c["logprobs"]
        assert delta.logprobs in BUILT.decode()
    # Whitespace and spelling as sent on the delta; the entries' text untouched in the join.
    assert deltas[2].logprobs.startswith('{ "tokens" : [" is"]')
    joined = feed_all(backend, [BUILT], FAMILY)[1].logprobs
    assert '"token_logprobs":[-0.25,-0.5,-1e-05,-0.0625,-0.75]' in joined


def test_a_chunk_of_several_choices_puts_each_object_on_its_own_delta(backend: ModuleType) -> None:
    """Only the choices with text make a delta: the objects go to theirs, not one place off."""
    first, second = token_logprobs([("A", -1.0)], 0), token_logprobs([("B", -2.0)], 0)
    body = sse(
        payload(
            choice(0, "", token_logprobs([], 0)), choice(1, "A", first), choice(2, "B", None), choice(3, "C", second)
        ),
        payload(choice(0, "", None, "stop")),
        "[DONE]",
    )
    events, message = feed_all(backend, [body], FAMILY)
    on_deltas = [(e.text, e.logprobs and json.loads(e.logprobs)) for e in events if e.type == "text_delta"]
    assert on_deltas == [("A", first), ("B", None), ("C", second)]
    assert [m.logprobs and json.loads(m.logprobs) for m in message.choices] == [None, first, None, second]


@pytest.mark.parametrize("logprobs", [None, {}, [], "x", 1])
def test_no_object_no_field(backend: ModuleType, logprobs: Any) -> None:
    body = sse(payload(choice(0, "Hi", logprobs)), payload(choice(0, "", None, "stop")), "[DONE]")
    events, message = feed_all(backend, [body], FAMILY)
    assert all("logprobs" not in e for e in dicts(events))
    assert message.logprobs is None
    assert "logprobs" not in message.to_dict()


@pytest.mark.parametrize("body", [BUILT, NULL_TOP], ids=["n2", "null_top"])
def test_whole_byte_by_byte_and_chunked_agree(body: bytes) -> None:
    check_all_feedings(FAMILY, body)


def test_the_message_is_the_same_however_the_body_is_split() -> None:
    rng = random.Random(17)
    whole = feed_all(reference, [BUILT], FAMILY)[1].to_dict()
    for backend in (rust_backend(), reference):
        for _ in range(20):
            _, message = feed_all(backend, random_splits(BUILT, rng, rng.choice((1, 7, 64))), FAMILY)
            assert message.to_dict() == whole


# --- generated streams: both backends, the json reading as oracle -------------------------------------

_TOKEN = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=4)
_LOGPROB = st.floats(-20, 0, allow_nan=False)


@st.composite
def _streams(draw: st.DrawFn) -> list[str]:
    """Chunks of up to three choices, each with its tokens' logprobs (a list of them `null` now and
    then, a chunk without logprobs now and then), in random order."""
    n = draw(st.integers(1, 3))
    offsets = [0] * n
    payloads = []
    for _ in range(draw(st.integers(1, 8))):
        choices = []
        # One choice a chunk, or several (some servers batch them), with or without text.
        for index in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)):
            tokens = draw(st.lists(st.tuples(_TOKEN, _LOGPROB), min_size=0, max_size=3))
            lp: Any = token_logprobs(tokens, offsets[index])
            offsets[index] += sum(len(t) for t, _ in tokens)
            if draw(st.booleans()) and draw(st.booleans()):
                lp["top_logprobs"] = None
            if draw(st.integers(0, 5)) == 0:
                lp = None
            choices.append(choice(index, "".join(t for t, _ in tokens), lp))
        payloads.append(payload(*choices))
    payloads.append(payload(choice(0, "", None, "stop")))
    return [*payloads, "[DONE]"]


@settings(max_examples=150, deadline=None)
@given(_streams(), st.randoms(use_true_random=False))
def test_generated_streams_join_as_the_json_reading_says(payloads: list[str], rng: random.Random) -> None:
    body = sse(*payloads)
    expected = joined_by_json(body)
    results = []
    for backend in (rust_backend(), reference):
        events, message = feed_all(backend, random_splits(body, rng, rng.choice((1, 16, 512))), FAMILY)
        ours = {i: json.loads(t) for i, t in message_logprobs(message).items() if t is not None}
        assert ours == expected
        results.append((dicts(events), message.to_dict()))
    assert results[0] == results[1]
    # Byte for byte: the entries are the wire's text (here json.dumps's), only `,` between them.
    for index, text in message_logprobs(message).items():
        if text is not None:
            for entries in re.findall(r'"token_logprobs":\[([^\]]*)\]', text):
                assert entries == ",".join(json.dumps(v) for v in expected[index]["token_logprobs"])
