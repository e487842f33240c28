"""The `ollama` family (native `/api/chat`, `/api/generate`, NDJSON) on both backends.

No recording of Ollama's native API exists in the corpora: every body here is built from Ollama's
API reference (github.com/ollama/ollama docs/api.md: "Generate a chat completion" and "Generate a
completion", streaming, with thinking and with tools; errors as `{"error": "..."}`). The oracle is
the `ollama` Python client's own models: each line is validated with `ollama.ChatResponse` /
`ollama.GenerateResponse`, and the text, thinking, tool calls and usage those models give are what
our events and message must say.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from types import ModuleType
from typing import Any

import ollama
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import reference

from .conftest import random_splits, rust_backend
from .family_corpus import feed_all
from .invariants import check_ordering, dicts

T = "2025-05-29T09:35:56.836222Z"


def chat_line(content: str = "", thinking: str | None = None, calls: Any = None, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if thinking is not None:
        message["thinking"] = thinking
    if calls is not None:
        message["tool_calls"] = calls
    return {"model": "qwen3", "created_at": T, "message": message, "done": False, **extra}


def chat_done(reason: str = "stop", prompt: int = 26, evals: int = 259) -> dict[str, Any]:
    line = chat_line()
    line.update(
        done=True,
        done_reason=reason,
        total_duration=4883583458,
        load_duration=1334875,
        prompt_eval_count=prompt,
        prompt_eval_duration=342546000,
        eval_count=evals,
        eval_duration=4535599000,
    )
    return line


def gen_line(response: str = "", thinking: str | None = None, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {"model": "llama3.2", "created_at": T, "response": response, "done": False, **extra}
    if thinking is not None:
        line["thinking"] = thinking
    return line


WEATHER = [{"function": {"name": "get_weather", "arguments": {"city": "Tokyo", "unit": "celsius"}}}]

CHAT_BODIES = {
    "text": [chat_line("The"), chat_line(" sky"), chat_line(" is blue."), chat_done()],
    "thinking": [chat_line("", "Let me"), chat_line("", " think."), chat_line("Hi!"), chat_done()],
    "tools": [chat_line("", "Need weather."), chat_line("", calls=WEATHER), chat_done()],
    "two_tools": [
        chat_line("Checking."),
        chat_line("", calls=[*WEATHER, {"function": {"name": "get_time", "arguments": {}}}]),
        chat_done(),
    ],
    "length": [chat_line("Once upon"), chat_done("length", 5, 2)],
}
GENERATE_BODIES = {
    "generate": [gen_line("The"), gen_line(" sky"), {**gen_line(), **chat_done(), "response": ""}],
    "generate_thinking": [
        gen_line("", "Hmm"),
        gen_line("Yes"),
        {**gen_line(), **chat_done("stop", 3, 4), "response": ""},
    ],
}
for lines in GENERATE_BODIES.values():
    del lines[-1]["message"]


def ndjson(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def client_view(lines: list[dict[str, Any]], model: type[Any]) -> dict[str, Any]:
    """What the ollama client's models make of the lines: text, thinking, tool calls, usage."""
    parsed = [model.model_validate_json(json.dumps(line)) for line in lines]
    text, thinking, calls = [], [], []
    for r in parsed:
        if isinstance(r, ollama.ChatResponse):
            text.append(r.message.content or "")
            thinking.append(r.message.thinking or "")
            calls += [(c.function.name, dict(c.function.arguments)) for c in r.message.tool_calls or ()]
        else:
            text.append(r.response or "")
            thinking.append(r.thinking or "")
    last = parsed[-1]
    assert last.done
    return {
        "text": "".join(text),
        "reasoning": "".join(thinking),
        "tool_calls": calls,
        "usage": (last.prompt_eval_count, last.eval_count),
        "raw_finish_reason": last.done_reason,
    }


def our_view(message: Any) -> dict[str, Any]:
    return {
        "text": message.text,
        "reasoning": message.reasoning,
        "tool_calls": [(c.name, json.loads(c.arguments)) for c in message.tool_calls],
        "usage": (message.usage.input_tokens, message.usage.output_tokens),
        "raw_finish_reason": message.raw_finish_reason,
    }


BODIES = [(name, lines, ollama.ChatResponse) for name, lines in CHAT_BODIES.items()] + [
    (name, lines, ollama.GenerateResponse) for name, lines in GENERATE_BODIES.items()
]
IDS = [name for name, _, _ in BODIES]


@pytest.mark.parametrize(("name", "lines", "model"), BODIES, ids=IDS)
@pytest.mark.parametrize("family", ["ollama", "auto"])
def test_agrees_with_the_ollama_client(backend: ModuleType, name: str, lines: Any, model: Any, family: str) -> None:
    body = ndjson(lines)
    events, message = feed_all(backend, [body], family)
    check_ordering(dicts(events))
    assert our_view(message) == client_view(lines, model)
    assert message.usage.total_tokens == sum(our_view(message)["usage"])
    # The client keeps `created_at` as text; its whole seconds, by the standard library, are `created`.
    created = int(datetime.fromisoformat(model.model_validate(lines[0]).created_at).timestamp())
    assert events[0].to_dict() == {"type": "stream_start", "id": None, "model": lines[0]["model"], "created": created}


@pytest.mark.parametrize(("name", "lines", "model"), BODIES, ids=IDS)
def test_any_chunking_and_both_backends(name: str, lines: Any, model: Any) -> None:
    body = ndjson(lines)
    expected = dicts(reference.parse(body, "ollama"))
    assert dicts(rust_backend().parse(body, "ollama")) == expected
    for backend in (rust_backend(), reference):
        events, _ = feed_all(backend, (body[i : i + 1] for i in range(len(body))), "ollama")
        assert dicts(events) == expected
        rng = random.Random(len(body))
        for n in range(20):
            events, _ = feed_all(backend, random_splits(body, rng, rng.choice((1, 3, 16, 512))), "ollama")
            assert dicts(events) == expected, f"chunking {n}"


def test_finish_reasons(backend: ModuleType) -> None:
    def reason(lines: list[dict[str, Any]]) -> tuple[str, str | None]:
        finish = dicts(backend.parse(ndjson(lines), "ollama"))[-1]
        return finish["reason"], finish["raw_reason"]

    assert reason(CHAT_BODIES["text"]) == ("stop", "stop")
    assert reason(CHAT_BODIES["tools"]) == ("tool_calls", "stop")
    assert reason(CHAT_BODIES["length"]) == ("length", "length")
    assert reason([chat_line("a"), chat_done("unload")]) == ("other", "unload")


def test_tool_call_ids_and_raw_arguments(backend: ModuleType) -> None:
    body = ndjson(CHAT_BODIES["two_tools"])
    calls = [e for e in dicts(backend.parse(body, "ollama")) if e["type"] == "tool_call"]
    assert [(c["id"], c["name"], c["arguments"]) for c in calls] == [
        ("call_0", "get_weather", '{"city": "Tokyo", "unit": "celsius"}'),
        ("call_1", "get_time", "{}"),
    ]


def test_error_line_mid_stream(backend: ModuleType) -> None:
    body = ndjson([chat_line("Hel")]) + b'{"error":"an error was encountered while running the model"}\n'
    events = dicts(backend.parse(body, "ollama"))
    assert [e["type"] for e in events] == ["stream_start", "text_start", "text_delta", "text_end", "error", "finish"]
    assert events[-2]["message"] == "an error was encountered while running the model"
    assert events[-2]["kind"] == "provider_error"
    assert events[-1]["reason"] == "error"


@pytest.mark.parametrize("family", ["ollama", "auto"])
def test_error_body(backend: ModuleType, family: str) -> None:
    events = dicts(backend.parse(b'{"error":"model \\"llama9\\" not found, try pulling it first"}\n', family))
    assert [(e["type"], e.get("kind")) for e in events] == [("error", "provider_error"), ("finish", None)]


def test_cut_stream_is_incomplete(backend: ModuleType) -> None:
    events = dicts(backend.parse(ndjson(CHAT_BODIES["text"][:2]), "ollama"))
    assert events[-2]["kind"] == "incomplete_stream"


def test_detection(backend: ModuleType) -> None:
    for lines in (CHAT_BODIES["text"], GENERATE_BODIES["generate"]):
        parser = backend.StreamParser()
        parser.feed(ndjson(lines[:1]))
        assert parser.family == "ollama"
    # The docs' examples without `created_at` are detected by `model`.
    parser = backend.StreamParser()
    parser.feed(b'{"model":"m","message":{"role":"assistant","content":"a"},"done":false}\n')
    assert parser.family == "ollama"


@settings(max_examples=40, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.sampled_from(["content", "thinking"]), st.text(max_size=8)), max_size=6),
    seed=st.integers(0, 2**32),
)
def test_any_pieces_agree_with_the_client(pieces: list[tuple[str, str]], seed: int) -> None:
    lines = [chat_line(t) if kind == "content" else chat_line("", t) for kind, t in pieces] + [chat_done()]
    body = ndjson(lines)
    rng = random.Random(seed)
    for backend in (rust_backend(), reference):
        _, message = feed_all(backend, random_splits(body, rng, 9), "ollama")
        assert our_view(message) == client_view(lines, ollama.ChatResponse)
