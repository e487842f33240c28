"""Token logprobs, both backends: each delta that sent some keeps them as JSON text (``logprobs`` on
``text_delta`` / ``refusal_delta``), each text and refusal part of the message holds its deltas'
entries in one array, ``Message.logprobs`` those of every text part.

Oracles: the official ``openai`` client's chat accumulator (``ChatCompletionStreamState`` keeps
``choice.logprobs.content`` and ``.refusal``) on the chat bodies of the public corpus tagged
``logprobs`` and synthetic ones, and its Responses stream (each ``output_text.done`` event's
``logprobs``, and the tokens of the final response's ``output_text`` parts) on the Responses bodies
tagged ``logprobs``; each Responses delta's list is also checked against the payloads read here with the json module."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from .conftest import PUBLIC, public_bodies
from .invariants import dicts
from .test_openai_chat import chunk, sdk_snapshot, sse

httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")


def entry(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode()), "top_logprobs": []}


def with_logprobs(delta: dict[str, Any], logprobs: Any, finish: str | None = None) -> dict[str, Any]:
    c = chunk(delta, finish)
    c["choices"][0]["logprobs"] = logprobs
    return c


# Text in two parts of one choice's stream is not possible on chat; a refusal after text is.
SYNTHETIC = sse(
    with_logprobs({"role": "assistant", "content": ""}, {"content": [], "refusal": None}),
    with_logprobs({"content": "Hel"}, {"content": [entry("Hel", -0.5)], "refusal": None}),
    # Whitespace inside the list, as a server may send it: kept as sent.
    '{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},'
    '"logprobs":{"content": [ {"token":"lo","logprob":-1e-05,"bytes":[108,111],"top_logprobs":[]} ] }}]}',
    with_logprobs({"refusal": "No"}, {"content": None, "refusal": [entry("No", -0.25)]}),
    with_logprobs({}, None, "stop"),
)
CHAT = [("synthetic", SYNTHETIC), *public_bodies("openai-chat", tag="logprobs")]
RESPONSES = public_bodies("openai-responses", tag="logprobs")


def test_the_corpus_has_the_tagged_bodies() -> None:
    if not (PUBLIC / "manifest.jsonl").is_file():
        pytest.skip("no public corpus")
    assert len(CHAT) == 3
    assert len(RESPONSES) == 3


def parsed(backend: ModuleType, body: bytes, family: str) -> tuple[list[dict[str, Any]], Any]:
    parser = backend.StreamParser(family)
    events = parser.feed(body) + parser.close()
    return dicts(events), parser.message


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@pytest.mark.parametrize(("name", "body"), CHAT, ids=[n for n, _ in CHAT])
def test_chat_logprobs_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body, "openai-chat")
    sdk = sdk_snapshot(body).choices[0].logprobs
    content = [e.to_dict() for e in sdk.content or []]
    refusal = [e.to_dict() for e in sdk.refusal or []]
    assert content or refusal
    assert loads(message.logprobs) == (content or None)
    parts = {p.kind: loads(p.logprobs) for p in message.parts}
    assert parts.get("text") == (content or None)
    assert parts.get("refusal") == (refusal or None)
    # Each delta's own list: together, the SDK's.
    deltas = [loads(e.get("logprobs")) or [] for e in events if e["type"] == "text_delta"]
    assert [x for d in deltas for x in d] == content


def test_synthetic_lists_are_kept_as_sent(backend: ModuleType) -> None:
    events, message = parsed(backend, SYNTHETIC, "openai-chat")
    texts = [e for e in events if e["type"] == "text_delta"]
    assert texts[1]["logprobs"] == '[ {"token":"lo","logprob":-1e-05,"bytes":[108,111],"top_logprobs":[]} ]'
    # The entries' text is joined untouched: the exponent stays as sent.
    assert message.logprobs.endswith(', {"token":"lo","logprob":-1e-05,"bytes":[108,111],"top_logprobs":[]} ]')
    assert message.parts[1].logprobs == json.dumps([entry("No", -0.25)])


@pytest.mark.parametrize(
    "logprobs",
    [None, {}, {"content": None}, {"content": []}, {"content": {"a": 1}}, [], "x", 1],
    ids=["null", "empty", "content-null", "content-empty", "content-object", "array", "string", "number"],
)
def test_no_list_no_field(backend: ModuleType, logprobs: Any) -> None:
    """Absent, empty or of another JSON type: no `logprobs` anywhere, and none in `to_dict()` (so
    that a stream without them gives the dicts it gave before)."""
    body = sse(with_logprobs({"content": "Hi"}, logprobs), chunk({}, "stop"))
    events, message = parsed(backend, body, "openai-chat")
    assert [e for e in events if "logprobs" in e] == []
    assert message.logprobs is None
    assert "logprobs" not in message.to_dict()
    assert "logprobs" not in message.parts[0].to_dict()
    assert message.text == "Hi"


def test_the_field_round_trips(backend: ModuleType) -> None:
    _, message = parsed(backend, SYNTHETIC, "openai-chat")
    assert backend.from_dict(message.to_dict()) == message
    delta = backend.TextDelta("0", "a", "[1]")
    assert delta.to_dict() == {"type": "text_delta", "id": "0", "text": "a", "logprobs": "[1]"}
    assert repr(backend.TextDelta("0", "a")) == "TextDelta(id='0', text='a')"
    assert backend.from_dict(delta.to_dict()) == delta


def sdk_output_texts(body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """By our part id (`{item_id}:{content_index}`): each `output_text.done` event's `logprobs` as the
    SDK decodes them, and the tokens of the final response's `output_text` parts (OpenAI rounds the
    numbers in `response.completed`: `-7.5e-05` for the `-7.493430894101039e-05` of the deltas and
    of the done event, so only the tokens are compared there)."""

    def handler(request: Any) -> Any:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = openai.OpenAI(api_key="test", base_url="http://test/v1", http_client=http, max_retries=0)
    done: dict[str, Any] = {}
    with client.responses.stream(model="m", input="x") as stream:
        for event in stream:
            if event.type == "response.output_text.done":
                done[f"{event.item_id}:{event.content_index}"] = [lp.to_dict() for lp in event.logprobs or []]
        response = stream.get_final_response()
    final = {}
    for item in response.output:
        if item.type == "message":
            for i, part in enumerate(item.content):
                if part.type == "output_text":
                    final[f"{item.id}:{i}"] = [lp.token for lp in part.logprobs or []]
    return done, final


def wire_deltas(body: bytes) -> list[Any]:
    """Each `output_text.delta`'s `logprobs` list, read with the json module (None when empty)."""
    out = []
    for line in body.decode().splitlines():
        if line.startswith("data:") and '"response.output_text.delta"' in line:
            out.append(json.loads(line[5:]).get("logprobs") or None)
    return out


@pytest.mark.parametrize(("name", "body"), RESPONSES, ids=[n for n, _ in RESPONSES])
def test_responses_logprobs_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body, "openai-responses")
    done, final = sdk_output_texts(body)
    ours = {p.id: loads(p.logprobs) for p in message.parts if p.kind == "text"}
    assert ours == {id: lp or None for id, lp in done.items()}
    assert any(ours.values())
    assert {id: [x["token"] for x in lp or []] for id, lp in ours.items()} == final
    assert loads(message.logprobs) == [x for lp in done.values() for x in lp]
    assert [loads(e.get("logprobs")) for e in events if e["type"] == "text_delta"] == wire_deltas(body)


ENCODABLE = [("openai-chat", n, b) for n, b in CHAT] + [("openai-responses", n, b) for n, b in RESPONSES]


@pytest.mark.parametrize("target", ["openai-chat", "openai-responses"])
@pytest.mark.parametrize(("family", "name", "body"), ENCODABLE, ids=[n for _, n, _ in ENCODABLE])
def test_logprobs_are_encoded_back(backend: ModuleType, target: str, family: str, name: str, body: bytes) -> None:
    """The encoders write a text delta's logprobs where the target has them (chat: the choice's
    `logprobs.content`, a refusal delta's `logprobs.refusal`; Responses: `output_text.delta`'s
    `logprobs`, joined in `output_text.done` and the `output_text` parts of `response.completed`):
    the openai client reading the translated stream
    finds the original's entries, and so does our parser. Responses has no refusal logprobs."""
    _, message = parsed(backend, body, family)
    translator = backend.Translator(target, family=family)
    encoded = translator.feed(body) + translator.close()
    text = loads(message.logprobs) or []
    refusal = [x for p in message.parts if p.kind == "refusal" for x in loads(p.logprobs) or []]
    assert text or refusal
    if target == "openai-chat":
        sdk = sdk_snapshot(encoded).choices[0].logprobs
        assert [e.to_dict() for e in sdk.content or []] == text
        assert [e.to_dict() for e in sdk.refusal or []] == refusal
    else:
        done, final = sdk_output_texts(encoded)
        assert [x for lp in done.values() for x in lp] == text
        assert [t for tokens in final.values() for t in tokens] == [x["token"] for x in text]
    _, again = parsed(backend, encoded, target)
    assert (loads(again.logprobs) or []) == text


@pytest.mark.parametrize("target", ["openai-chat", "openai-responses"])
@pytest.mark.parametrize("logprobs", ["x", "{}", "[1", "1"])
def test_logprobs_that_are_no_array_are_not_written(backend: ModuleType, target: str, logprobs: str) -> None:
    """An event made in Python may hold any text: only a JSON array is written (as serde reads it)."""
    events = [
        backend.StreamStart("r", "m"),
        backend.TextStart("0"),
        backend.TextDelta("0", "Hi", logprobs),
        backend.TextEnd("0"),
        backend.Finish("stop"),
    ]
    encoder = backend.Encoder(target)
    encoded = encoder.feed(events) + encoder.close()
    _, message = parsed(backend, encoded, target)
    assert message.text == "Hi"
    assert message.logprobs is None
