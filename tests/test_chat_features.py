"""Chat features beyond text and tool calls, both backends, on the public corpus bodies tagged with
them and synthetic ones:
- refusals and n > 1 choices, with the official ``openai`` client's chunk accumulator
  (``ChatCompletionStreamState``) as the oracle: ``delta.refusal`` becomes refusal parts and
  ``Message.refusal``; each choice index its own parts (``choice=i``) and ``Message.choices[i]``;
- Mistral Magistral's ``delta.content`` as a list of typed chunks (``text``, ``thinking``), checked
  against a reading of the payloads in the test (no Mistral client here);
- citations: ``url_citation`` annotations (OpenAI search models, OpenRouter web search) and
  Perplexity's top-level ``citations`` / ``search_results`` become ``source`` events once per URL,
  checked against the SDK's accumulator on OpenAI's documented shape and against a reading of the
  corpus bodies' payloads in the test."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from .conftest import PUBLIC, public_bodies
from .invariants import check_ordering, dicts
from .test_openai_chat import chunk, sdk_snapshot, sse
from .test_robustness import same_on_both

REFUSAL = sse(
    chunk({"role": "assistant", "content": None, "refusal": ""}),
    chunk({"refusal": "I'm sorry, "}),
    chunk({"refusal": "I can't help with that."}),
    chunk({}, "stop"),
)
# n=2, the choices' chunks interleaved as OpenAI sends them; choice 1 calls a tool.
TWO_CHOICES = sse(
    chunk({"role": "assistant", "content": ""}, index=0),
    chunk({"role": "assistant", "content": ""}, index=1),
    chunk({"content": "Par"}, index=0),
    chunk({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "f", "arguments": ""}}]}, index=1),
    chunk({"content": "is"}, index=0),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a":1}'}}]}, index=1),
    chunk({}, "stop", index=0),
    chunk({}, "tool_calls", index=1),
)
REFUSAL_BODIES = [("synthetic", REFUSAL), *public_bodies("openai-chat", tag="refusal")]
CHOICE_BODIES = [("synthetic", TWO_CHOICES), *public_bodies("openai-chat", tag="choice_index_gt_0")]


def parsed(backend: ModuleType, body: bytes) -> tuple[list[dict[str, Any]], Any]:
    parser = backend.StreamParser("openai-chat")
    events = parser.feed(body) + parser.close()
    return dicts(events), parser.message


def test_the_corpus_has_the_tagged_bodies() -> None:
    if not (PUBLIC / "manifest.jsonl").is_file():
        pytest.skip("no public corpus")
    assert len(REFUSAL_BODIES) > 1
    assert len(CHOICE_BODIES) > 1


@pytest.mark.parametrize(("name", "body"), REFUSAL_BODIES, ids=[n for n, _ in REFUSAL_BODIES])
def test_refusal_agrees_with_the_openai_sdk(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    sdk = sdk_snapshot(body).choices[0].message
    assert sdk.refusal
    assert message.refusal == sdk.refusal
    assert message.text == (sdk.content or "")
    refusals = [e for e in events if e["type"].startswith("refusal_")]
    assert refusals[0]["type"] == "refusal_start"
    assert refusals[-1]["type"] == "refusal_end"
    assert "".join(e["text"] for e in refusals if e["type"] == "refusal_delta") == sdk.refusal
    assert [(p.kind, p.text) for p in message.parts if p.kind == "refusal"] == [("refusal", sdk.refusal)]


@pytest.mark.parametrize(("name", "body"), CHOICE_BODIES, ids=[n for n, _ in CHOICE_BODIES])
def test_choices_agree_with_the_openai_sdk(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    sdk = sorted(sdk_snapshot(body).choices, key=lambda c: c.index)
    assert [c.index for c in sdk] == list(range(len(sdk)))
    assert len(sdk) > 1
    assert [c.text for c in message.choices] == [c.message.content or "" for c in sdk]
    assert message.text == message.choices[0].text
    for ours, theirs in zip(message.choices, sdk, strict=True):
        calls = [(t.id, t.function.name, t.function.arguments or "{}") for t in theirs.message.tool_calls or []]
        assert [(t.id, t.name, t.arguments) for t in ours.tool_calls] == calls
    # Every part is of the choice it came in: its events carry that index, its text is that choice's.
    choice_of = {e["id"]: e["choice"] for e in events if e["type"].endswith("_start") and "choice" in e}
    for i, ours in enumerate(message.choices):
        assert {choice_of[p.id] for p in ours.parts} <= {i}


def test_a_single_choice_has_no_choices(backend: ModuleType) -> None:
    _, message = parsed(backend, sse(chunk({"content": "a"}), chunk({}, "stop")))
    assert message.choices == ()
    assert [(p.kind, p.text) for p in message.parts] == [("text", "a")]


def test_a_choice_index_past_the_limit_is_refused(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match="more than 1024 choices"):
        backend.parse(sse(chunk({"content": "a"}, index=1024)), "openai-chat")


MISTRAL = public_bodies("mistral", tag="mistral_thinking_chunks")


def mistral_wire(body: bytes) -> tuple[str, str]:
    """(reasoning, text) of choice 0 as the chunks say, read here with the json module."""
    reasoning, text = [], []
    for line in body.decode().splitlines():
        if not line.startswith("data: {"):
            continue
        for choice in json.loads(line[6:]).get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            for item in [{"type": "text", "text": content}] if isinstance(content, str) else content or []:
                if item["type"] == "text":
                    text.append(item["text"])
                elif item["type"] == "thinking":
                    reasoning.extend(t["text"] for t in item["thinking"] if t["type"] == "text")
    return "".join(reasoning), "".join(text)


@pytest.mark.parametrize(("name", "body"), MISTRAL, ids=[n for n, _ in MISTRAL])
def test_mistral_thinking_chunks(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    reasoning, text = mistral_wire(body)
    assert reasoning
    assert text
    assert (message.reasoning, message.text) == (reasoning, text)
    assert [p.kind for p in message.parts] == ["reasoning", "text"]
    assert backend.StreamParser().feed(body)[0].type == "stream_start"  # detected as chat


def test_mistral_chunks_of_other_types_are_passed_over(backend: ModuleType) -> None:
    content = [{"type": "image_url", "image_url": "x"}, {"type": "thinking", "thinking": [{"type": "x"}]}]
    _, message = parsed(
        backend,
        sse(chunk({"content": content}), chunk({"content": [{"type": "text", "text": "a"}]}), chunk({}, "stop")),
    )
    assert message.text == "a"
    assert message.reasoning == ""
    # An item that is not an object is left out of the list (tolerant reader).
    _, message = parsed(
        backend, sse(chunk({"content": ["not a chunk", {"type": "text", "text": "b"}]}), chunk({}, "stop"))
    )
    assert message.text == "b"


# --- citations ------------------------------------------------------------------------------------

CITATION_BODIES = [
    *public_bodies("openai-chat", tag="annotation:url_citation"),
    *public_bodies("openai-chat", tag="citations_top_level"),
]


def url_citation(url: str, title: str, start: int, end: int) -> dict[str, Any]:
    """An annotation as OpenAI's chat docs show it (web search, `gpt-4o-search-preview`)."""
    citation = {"end_index": end, "start_index": start, "title": title, "url": url}
    return {"type": "url_citation", "url_citation": citation}


def sources(events: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(e["id"], e["url"], e["title"]) for e in events if e["type"] == "source" and e["kind"] == "url"]


def cited_urls(body: bytes) -> list[tuple[str, str | None]]:
    """(url, title) of every citation of the chunks, first sight of each URL, read with json: a
    chunk's search results, its citations, then its choices' `url_citation` annotations."""
    seen: dict[str, str | None] = {}
    for line in body.decode().splitlines():
        if not line.startswith("data:") or line[5:].strip() == "[DONE]":
            continue
        payload = json.loads(line[5:])
        found = [(r["url"], r.get("title")) for r in payload.get("search_results") or []]
        found += [(url, None) for url in payload.get("citations") or []]
        for choice in payload.get("choices") or []:
            for a in (choice.get("delta") or {}).get("annotations") or []:
                found += [(a["url_citation"]["url"], a["url_citation"].get("title"))]
        for url, title in found:
            seen.setdefault(url, title)
    return list(seen.items())


def test_url_citations_agree_with_the_openai_sdk(backend: ModuleType) -> None:
    # OpenAI's documented shape: the annotations come with the answer, here in one chunk (the SDK's
    # accumulator takes a list without `index` only once: on OpenRouter's bodies, which send one
    # list per chunk, it raises, so those are checked against `cited_urls`).
    body = sse(
        chunk({"role": "assistant", "content": "See [a](https://a.example) and [b](https://b.example)."}),
        chunk(
            {
                "annotations": [
                    url_citation("https://a.example", "A", 4, 26),
                    url_citation("https://b.example", "B", 31, 53),
                    url_citation("https://a.example", "A again", 0, 3),
                ]
            }
        ),
        chunk({}, "stop"),
    )
    events, message = parsed(backend, body)
    check_ordering(events)
    sdk = sdk_snapshot(body).choices[0].message.annotations
    expected: dict[str, str] = {}
    for a in sdk:
        expected.setdefault(a.url_citation.url, a.url_citation.title)
    assert sources(events) == [(f"src_{n}", url, title) for n, (url, title) in enumerate(expected.items())]
    assert [(s.url, s.title, s.kind) for s in message.sources] == [(u, t, "url") for u, t in expected.items()]


@pytest.mark.parametrize(("name", "body"), CITATION_BODIES, ids=[n for n, _ in CITATION_BODIES])
def test_citations_of_the_corpus_are_one_source_per_url(backend: ModuleType, name: str, body: bytes) -> None:
    events, message = parsed(backend, body)
    check_ordering(events)
    expected = cited_urls(body)
    assert expected
    assert sources(events) == [(f"src_{n}", url, title) for n, (url, title) in enumerate(expected)]
    assert len(message.sources) == len(expected)


def test_perplexity_search_results_give_titles(backend: ModuleType) -> None:
    # Perplexity's documented chunk: `citations` (URLs) and `search_results` (title, url, date), both
    # repeated on every chunk. A result's title stands; a URL of both is reported once.
    top = {
        "citations": ["https://a.example", "https://b.example"],
        "search_results": [{"title": "A", "url": "https://a.example", "date": "2025-01-01"}],
    }
    body = sse(chunk({"content": "x"}, **top), chunk({"content": "y"}, **top), chunk({}, "stop", **top))
    events, _ = parsed(backend, body)
    assert sources(events) == [("src_0", "https://a.example", "A"), ("src_1", "https://b.example", None)]
    # Sources of a chunk come before its choices' events.
    assert [e["type"] for e in events[:4]] == ["stream_start", "source", "source", "text_start"]


def test_other_annotations_and_odd_citations_are_passed_over(backend: ModuleType) -> None:
    # Tolerant reader (DESIGN.md): a value of a type these fields do not have, in the list or in
    # place of it, is passed over with the rest kept.
    body = sse(
        chunk(
            {"content": "x", "annotations": [{"type": "file_citation", "url_citation": {"url": "https://f"}}]},
            citations=[1, None, {"url": "https://o"}, ["https://l"], "", "https://u"],
        ),
        chunk({"annotations": [{"type": "url_citation"}, url_citation("", "empty", 0, 0)]}, citations="https://s"),
        chunk({"annotations": ["https://n", 1, None, url_citation("https://v", "V", 0, 1)]}, search_results="x"),
        chunk({"annotations": {"a": 1}}, search_results=[1, "x", [], {"title": "R", "url": "https://r"}]),
        chunk({}, "stop", search_results=[{"title": "no url"}]),
    )
    events, _ = parsed(backend, body)
    assert sources(events) == [("src_0", "https://u", None), ("src_1", "https://v", "V"), ("src_2", "https://r", "R")]
    assert events[-1]["type"] == "finish"


ODD_CITATIONS = [
    '"citations":1e400',
    '"citations":[1e400]',
    '"citations":[{"n":1e400},["x",1e400]]',
    '"citations":{"u":"https://a"}',
    '"citations":null,"search_results":null',
    '"search_results":"https://a"',
    '"search_results":[1]',
    '"search_results":[1e400]',
    '"search_results":{"n":1e400}',
    '"search_results":[{"url":1e400}]',
    '"search_results":[{"url":["https://a"],"title":{}}]',
    '"citations":["https://a"],"citations":["https://b"]',
    '"choices":[{"delta":{"annotations":{"type":"url_citation"}}}]',
    '"choices":[{"delta":{"annotations":[{"type":"url_citation","url_citation":"https://a"}]}}]',
    '"choices":[{"delta":{"annotations":[{"type":"url_citation","url_citation":{"url":1e400}}]}}]',
    '"choices":[{"delta":{"annotations":[{"type":7,"url_citation":{"url":"https://a","title":-0}}]}}]',
]


@pytest.mark.parametrize("member", ODD_CITATIONS)
def test_odd_citations_same_on_both(member: str) -> None:
    body = f'data: {{"id":"c",{member}}}\n\ndata: {{"choices":[{{"delta":{{}},"finish_reason":"stop"}}]}}\n\n'
    same_on_both([body.encode()], "openai-chat")
