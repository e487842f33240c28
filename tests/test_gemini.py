"""The `gemini` family on both backends: corpus goldens, CRLF chunking, usage, synthetic cases, fuzz."""

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

from .conftest import family_bodies, public_bodies, require_corpus, require_public_corpus, rust_backend
from .family_corpus import (
    check_backends_agree,
    check_chunkings,
    check_golden,
    feed_all,
    finish,
    outcome,
    usage,
)
from .fuzz_json import ANY as _ANY
from .fuzz_json import SCALARS as _SCALARS
from .fuzz_json import TEXT as _TEXT
from .fuzz_json import maybe as _maybe
from .fuzz_json import obj as _obj
from .invariants import dicts

FAMILY = "gemini"
BODIES = family_bodies(FAMILY)
IDS = [name for name, _ in BODIES]


def sse(*payloads: dict[str, Any]) -> bytes:
    return "".join(f"data: {json.dumps(p)}\r\n\r\n" for p in payloads).encode()


def chunk(*parts: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": list(parts), "role": "model"}, "index": 0}
    if finish is not None:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "gemini-x", "responseId": "r1", **extra}


START = {"type": "stream_start", "id": "r1", "model": "gemini-x", "created": None}


def payloads(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]


# --- corpus -----------------------------------------------------------------------------------------


def test_corpus_has_every_gemini_stream_with_crlf_framing() -> None:
    require_corpus()
    assert len(BODIES) == 42
    assert all(b"\r\n\r\n" in body for _, body in BODIES)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_golden(backend: ModuleType, name: str, body: bytes) -> None:
    check_golden(backend, FAMILY, name, body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_golden_under_random_chunking(backend: ModuleType, name: str, body: bytes) -> None:
    check_chunkings(backend, FAMILY, name, body, seed=len(body))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_splits_inside_every_crlf(backend: ModuleType, name: str, body: bytes) -> None:
    expected = dicts(reference.parse(body, FAMILY))
    cuts = [m.start() + 1 for m in re.finditer(b"\r\n", body)]
    rng = random.Random(len(body))
    for cut_set in (cuts, rng.sample(cuts, len(cuts) // 2)):
        edges = [0, *sorted(cut_set), len(body)]
        events, _ = feed_all(backend, (body[a:b] for a, b in itertools.pairwise(edges)), FAMILY)
        assert dicts(events) == expected


@pytest.mark.parametrize(("name", "body"), BODIES[:4], ids=IDS[:4])
def test_byte_by_byte(backend: ModuleType, name: str, body: bytes) -> None:
    events, _ = feed_all(backend, (body[i : i + 1] for i in range(len(body))), FAMILY)
    assert dicts(events) == dicts(reference.parse(body, FAMILY))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_backends_agree_and_auto_detects(name: str, body: bytes) -> None:
    check_backends_agree(FAMILY, body)
    for backend in (rust_backend(), reference):
        parser = backend.StreamParser("auto")
        assert dicts(parser.feed(body) + parser.close()) == dicts(backend.parse(body, FAMILY))
        assert parser.family == FAMILY


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_usage_is_the_last_usage_metadata_not_the_sum(backend: ModuleType, name: str, body: bytes) -> None:
    last = [p["usageMetadata"] for p in payloads(body) if "usageMetadata" in p][-1]
    _, message = feed_all(backend, [body], FAMILY)
    u = message.usage
    thoughts = last.get("thoughtsTokenCount", 0)
    assert u.input_tokens == last["promptTokenCount"]
    assert u.output_tokens == last.get("candidatesTokenCount", 0) + thoughts
    assert u.reasoning_tokens == thoughts
    assert u.cache_read_tokens == last.get("cachedContentTokenCount", 0)
    assert u.total_tokens == u.input_tokens + u.output_tokens


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_every_function_call_once_with_its_arguments(backend: ModuleType, name: str, body: bytes) -> None:
    sent = [
        part["functionCall"]
        for p in payloads(body)
        for c in p.get("candidates", [])
        for part in c.get("content", {}).get("parts", [])
        if "functionCall" in part
    ]
    _, message = feed_all(backend, [body], FAMILY)
    calls = message.tool_calls
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [(f["name"], f["args"]) for f in sent]
    assert len({c.id for c in calls}) == len(calls)
    assert [c.id for c in calls] == [f.get("id", f"call_{n}") for n, f in enumerate(sent)]
    assert message.finish_reason == ("tool_calls" if sent else "stop")


@pytest.mark.parametrize(("name", "body"), BODIES, ids=IDS)
def test_text_reasoning_and_signatures_match_the_cassette(backend: ModuleType, name: str, body: bytes) -> None:
    parts = [
        part for p in payloads(body) for c in p.get("candidates", []) for part in c.get("content", {}).get("parts", [])
    ]
    _, message = feed_all(backend, [body], FAMILY)
    assert message.text == "".join(p.get("text", "") for p in parts if not p.get("thought"))
    assert message.reasoning == "".join(p.get("text", "") for p in parts if p.get("thought"))
    assert list(message.reasoning_signatures) == [p["thoughtSignature"] for p in parts if "thoughtSignature" in p]
    assert message.id == payloads(body)[0]["responseId"]
    assert message.model == payloads(body)[0]["modelVersion"]


# --- synthetic --------------------------------------------------------------------------------------


def test_arguments_are_the_raw_args_text(backend: ModuleType) -> None:
    args = '{ "x" : 1.50, "y":[1e2, -0.0], "s": "\\u00e9\\n é", "z": {"b":1,"a":2} }'
    body = (
        b'data: {"candidates": [{"content": {"parts": [{"text": "a"}, {"functionCall": {"name": "f", "args": '
        + args.encode()
        + b'}}]}, "finishReason": "STOP"}]}\r\n\r\n'
    )
    events = dicts(backend.parse(body, FAMILY))
    assert events == [
        {"type": "stream_start", "id": None, "model": None, "created": None},
        {"type": "text_start", "id": "0", "choice": 0},
        {"type": "text_delta", "id": "0", "text": "a"},
        {"type": "text_end", "id": "0"},
        {"type": "tool_input_start", "id": "call_0", "name": "f", "choice": 0, "provider_executed": False},
        {"type": "tool_input_delta", "id": "call_0", "delta": args},
        {"type": "tool_input_end", "id": "call_0"},
        {"type": "tool_call", "id": "call_0", "name": "f", "arguments": args, "provider_executed": False},
        finish("tool_calls", "STOP"),
    ]


def test_call_without_args_gets_empty_object(backend: ModuleType) -> None:
    body = sse(chunk({"functionCall": {"name": "now", "id": "abc", "args": None}}, finish="STOP"))
    assert dicts(backend.parse(body, FAMILY))[1:] == [
        {"type": "tool_input_start", "id": "abc", "name": "now", "choice": 0, "provider_executed": False},
        {"type": "tool_input_end", "id": "abc"},
        {"type": "tool_call", "id": "abc", "name": "now", "arguments": "{}", "provider_executed": False},
        finish("tool_calls", "STOP"),
    ]


def test_thoughts_signatures_and_text(backend: ModuleType) -> None:
    body = sse(
        chunk({"text": "think ", "thought": True}),
        chunk({"text": "more", "thought": True, "thoughtSignature": "S1"}),
        chunk({"text": "answer"}),
        chunk({"text": "", "thoughtSignature": "S2"}, finish="STOP"),
    )
    assert dicts(backend.parse(body, FAMILY)) == [
        START,
        {"type": "reasoning_start", "id": "0", "choice": 0},
        {"type": "reasoning_delta", "id": "0", "text": "think "},
        {"type": "reasoning_delta", "id": "0", "text": "more"},
        {"type": "reasoning_end", "id": "0", "signature": "S1", "redacted": False},
        {"type": "text_start", "id": "1", "choice": 0},
        {"type": "text_delta", "id": "1", "text": "answer"},
        {"type": "text_end", "id": "1"},
        {"type": "reasoning_start", "id": "2", "choice": 0},
        {"type": "reasoning_end", "id": "2", "signature": "S2", "redacted": False},
        finish("stop", "STOP"),
    ]


def test_signature_on_a_text_part_precedes_its_text(backend: ModuleType) -> None:
    body = sse(chunk({"text": "hi", "thoughtSignature": "S"}, finish="STOP"))
    assert [e["type"] for e in dicts(backend.parse(body, FAMILY))] == [
        "stream_start",
        "reasoning_start",
        "reasoning_end",
        "text_start",
        "text_delta",
        "text_end",
        "finish",
    ]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("FINISH_REASON_UNSPECIFIED", "other"),
        ("LANGUAGE", "other"),
    ],
)
def test_finish_reasons_come_at_end_with_the_latest_usage(backend: ModuleType, raw: str, reason: str) -> None:
    body = sse(
        chunk({"text": "x"}, usageMetadata={"promptTokenCount": 5, "candidatesTokenCount": 1}),
        chunk(finish=raw, usageMetadata={"promptTokenCount": 5, "candidatesTokenCount": 2}),
        {"usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 3, "thoughtsTokenCount": 4}},
    )
    events = dicts(backend.parse(body, FAMILY))
    assert events[-2:] == [{"type": "text_end", "id": "0"}, finish(reason, raw, usage(5, 7, 4))]


def test_cached_content_tokens(backend: ModuleType) -> None:
    meta = {"promptTokenCount": 50, "cachedContentTokenCount": 30, "candidatesTokenCount": 2}
    body = sse(chunk({"text": "x"}, finish="STOP", usageMetadata=meta))
    assert dicts(backend.parse(body, FAMILY))[-1] == finish("stop", "STOP", usage(50, 2, 0, 30))


def test_no_finish_reason_is_incomplete(backend: ModuleType) -> None:
    body = sse(chunk({"text": "x"}))
    assert dicts(backend.parse(body, FAMILY))[-3:] == [
        {"type": "text_end", "id": "0"},
        {
            "type": "error",
            "message": "the stream ended before its terminal event",
            "kind": "incomplete_stream",
            "raw": None,
        },
        finish("error", None),
    ]


def test_error_body_then_finish_error(backend: ModuleType) -> None:
    error = {"error": {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}}
    body = sse(chunk({"text": "x"}), error)
    assert dicts(backend.parse(body, FAMILY))[1:] == [
        {"type": "text_start", "id": "0", "choice": 0},
        {"type": "text_delta", "id": "0", "text": "x"},
        {"type": "error", "message": "Resource exhausted", "kind": "RESOURCE_EXHAUSTED", "raw": json.dumps(error)},
        {"type": "text_end", "id": "0"},
        finish("error", None),
    ]
    # Detected as Gemini when it is the first payload.
    assert [e["type"] for e in dicts(backend.parse(sse(error)))] == ["error", "finish"]


def test_prompt_blocked(backend: ModuleType) -> None:
    body = sse({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 7}})
    assert dicts(backend.parse(body, FAMILY)) == [
        {"type": "stream_start", "id": None, "model": None, "created": None},
        finish("content_filter", "SAFETY", usage(7)),
    ]


def test_grounding_sources_once_per_url_and_other_candidates_ignored(backend: ModuleType) -> None:
    grounding = {
        "groundingChunks": [
            {"web": {"uri": "https://a.example", "title": "A"}},
            {"retrievedContext": {"uri": "gs://b", "title": None}},
            {"web": {"uri": "https://a.example", "title": "A"}},
            {"web": {"title": "no uri"}},
        ]
    }
    first = chunk({"text": "x"})
    first["candidates"][0]["groundingMetadata"] = grounding
    first["candidates"].append({"content": {"parts": [{"text": "other"}]}, "index": 1, "finishReason": "SAFETY"})
    body = sse(first, chunk(finish="STOP"))
    assert dicts(backend.parse(body, FAMILY)) == [
        START,
        {"type": "text_start", "id": "0", "choice": 0},
        {"type": "text_delta", "id": "0", "text": "x"},
        {
            "type": "source",
            "id": "src_0",
            "url": "https://a.example",
            "title": "A",
            "kind": "url",
            "media_type": None,
            "filename": None,
            "provider_metadata_json": None,
        },
        {
            "type": "source",
            "id": "src_1",
            "url": "gs://b",
            "title": None,
            "kind": "url",
            "media_type": None,
            "filename": None,
            "provider_metadata_json": None,
        },
        {"type": "text_end", "id": "0"},
        finish("stop", "STOP"),
    ]


@pytest.mark.parametrize(
    ("payload", "without"),
    [
        ('{"candidates": {}, "modelVersion": "m"}', '{"modelVersion": "m"}'),
        ('{"candidates": [null], "modelVersion": "m"}', '{"candidates": [], "modelVersion": "m"}'),
        ('{"promptFeedback": [null], "usageMetadata": 5}', "{}"),
    ],
)
def test_object_or_list_field_of_another_type_is_passed_over(backend: ModuleType, payload: str, without: str) -> None:
    """Tolerant reader (DESIGN.md): read as absent, the rest of the chunk kept (tests/test_tolerant_types.py)."""
    first = json.dumps(chunk({"text": "x"}))

    def events(data: str) -> list[dict[str, Any]]:
        return dicts(backend.parse(f"data: {first}\r\n\r\ndata: {data}\r\n\r\n".encode(), FAMILY, on_error="raise"))

    assert events(payload) == events(without)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "invalid JSON payload: not valid JSON"),
        ("[]", "unexpected payload: JSON of the wrong shape"),
        # Boolean and integer fields of another type read as absent: tests/test_tolerant_types.py.
    ],
)
def test_bad_payload(backend: ModuleType, payload: str, message: str) -> None:
    first = json.dumps(chunk({"text": "x"}))
    body = f"data: {first}\r\n\r\ndata: {payload}\r\n\r\n".encode()
    parser = backend.StreamParser(FAMILY)
    offset = len(f"data: {first}\r\n\r\n")
    excerpt = payload if len(payload) <= 60 else payload[:60] + "..."
    expected = f"{message} at byte {offset}, event 1, near `{excerpt}`"
    with pytest.raises(StreamParseError, match="^" + re.escape(expected) + "$") as info:
        parser.feed(body)
    assert dicts(info.value.events) == [
        START,
        {"type": "text_start", "id": "0", "choice": 0},
        {"type": "text_delta", "id": "0", "text": "x"},
    ]
    # The parser stays usable.
    assert dicts(parser.feed(sse(chunk({"text": "y"}, finish="STOP")))) == [
        {"type": "text_delta", "id": "0", "text": "y"}
    ]
    emitted = dicts(backend.parse(body, FAMILY, on_error="emit"))
    assert emitted[3]["type"] == "error"
    assert emitted[3]["kind"] == "parse_error"
    assert emitted[3]["message"] == expected


# --- tools Gemini runs: calls, then their results ----------------------------------------------------

SERVER_BODIES = sorted(
    {*public_bodies("gemini", tag="codeExecutionResult"), *public_bodies("gemini", tag="toolResponse")}
)


def wire_results(body: bytes) -> list[tuple[str | None, str, Any, bool]]:
    """The results of the tools Gemini ran, read from the recording with `json`: (the `id` sent, the
    tool, the result's value, failed). A `codeExecutionResult` is its whole object (outcome and
    output); a `toolResponse` its `response` (absent for a file search)."""
    out = []
    for payload in payloads(body):
        for candidate in payload.get("candidates", []):
            for part in candidate.get("content", {}).get("parts", []):
                if "codeExecutionResult" in part:
                    r = part["codeExecutionResult"]
                    failed = r.get("outcome") in ("OUTCOME_FAILED", "OUTCOME_DEADLINE_EXCEEDED")
                    out.append((r.get("id"), "code_execution", r, failed))
                elif "toolResponse" in part:
                    r = part["toolResponse"]
                    out.append((r.get("id"), r["toolType"], r.get("response"), False))
    return out


@pytest.mark.parametrize(("name", "body"), SERVER_BODIES, ids=[name for name, _ in SERVER_BODIES])
def test_server_tool_results_are_the_recordings(backend: ModuleType, name: str, body: bytes) -> None:
    require_public_corpus()
    expected = wire_results(body)
    assert expected, "the manifest tags a body without results"
    events = dicts(backend.parse(body, FAMILY))
    results = [e for e in events if e["type"] == "tool_result"]
    assert [(e["id"], e["name"], json.loads(e["result"]), e["is_error"]) for e in results] == expected
    assert all(e["provider_executed"] for e in results)
    # Each answers the provider-executed call of its id, sent before it.
    for e in results:
        calls = [c for c in events[: events.index(e)] if c["type"] == "tool_call" and c["id"] == e["id"]]
        assert [c["provider_executed"] for c in calls] == [True]


def test_code_execution_without_ids_answers_the_call_before(backend: ModuleType) -> None:
    """Gemini 2 sends no ids. The API reference (googleapis.github.io/js-genai, CodeExecutionResult):
    the result "always follows a part containing the ExecutableCode", and its `id` is "only populated
    if the corresponding ExecutableCode has an id". The parts here are shaped as its ExecutableCode /
    CodeExecutionResult / Outcome say; no recording of the corpus has them without ids."""
    calls = [{"language": "PYTHON", "code": "print(1/0)"}, {"language": "PYTHON", "code": "print(2)"}]
    results = [
        {"outcome": "OUTCOME_FAILED", "output": "ZeroDivisionError: division by zero"},
        {"outcome": "OUTCOME_OK", "output": "2\n"},
    ]
    parts = [
        p for c, r in zip(calls, results, strict=True) for p in ({"executableCode": c}, {"codeExecutionResult": r})
    ]
    events = dicts(backend.parse(sse(*(chunk(p) for p in parts), chunk({"text": "done"}, finish="STOP")), FAMILY))
    tool_events = [e for e in events if e["type"] in ("tool_call", "tool_result")]
    assert [(e["type"], json.loads(e.get("arguments") or e.get("result"))) for e in tool_events] == [
        (kind, value)
        for c, r in zip(calls, results, strict=True)
        for kind, value in (("tool_call", c), ("tool_result", r))
    ]
    ids = [e["id"] for e in tool_events]
    assert ids[0] == ids[1] != ids[2] == ids[3]
    assert [e.get("is_error") for e in tool_events[1::2]] == [True, False]


# --- fuzz: both backends accept and reject the same payloads --------------------------------------------

_PART = _obj(
    text=_maybe(_TEXT),
    thought=_maybe(st.booleans()),
    thoughtSignature=_maybe(_TEXT),
    functionCall=_maybe(_obj(id=_maybe(_TEXT), name=_maybe(_TEXT), args=_ANY)),
    executableCode=_maybe(_obj(id=_maybe(st.sampled_from(["a", "b"])), code=_maybe(_TEXT))),
    toolCall=_maybe(_obj(id=_maybe(st.sampled_from(["a", "b"])), toolType=_maybe(_TEXT), args=_ANY)),
    codeExecutionResult=_maybe(
        _obj(
            id=_maybe(st.sampled_from(["a", "b"])),
            outcome=_maybe(st.sampled_from(["OUTCOME_OK", "OUTCOME_FAILED", "OUTCOME_DEADLINE_EXCEEDED"])),
            output=_maybe(_TEXT),
        )
    ),
    toolResponse=_maybe(_obj(id=_maybe(st.sampled_from(["a", "b"])), toolType=_maybe(_TEXT), response=_ANY)),
)
_SOURCE = _obj(uri=_maybe(_TEXT), title=_maybe(_TEXT), text=_ANY, fileSearchStore=_ANY)
_CANDIDATE = _obj(
    content=_maybe(_obj(parts=_maybe(st.lists(_maybe(_PART), max_size=3)))),
    finishReason=_maybe(st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY", "OTHER"])),
    index=_maybe(st.integers(0, 1)),
    groundingMetadata=_maybe(
        _obj(groundingChunks=_maybe(st.lists(_maybe(_obj(web=_maybe(_SOURCE), retrievedContext=_maybe(_SOURCE))))))
    ),
)
_COUNT = _maybe(st.integers(0, 100))
_PAYLOAD = _obj(
    candidates=_maybe(st.lists(_maybe(_CANDIDATE), max_size=2)),
    usageMetadata=_maybe(
        _obj(
            promptTokenCount=_COUNT,
            candidatesTokenCount=_COUNT,
            thoughtsTokenCount=_COUNT,
            cachedContentTokenCount=_COUNT,
        )
    ),
    promptFeedback=_maybe(_obj(blockReason=_maybe(_TEXT))),
    modelVersion=_maybe(_TEXT),
    responseId=_maybe(_TEXT),
    error=_maybe(_obj(message=_maybe(_TEXT), status=_maybe(_TEXT), code=_ANY)),
    extra=_ANY,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PAYLOAD.map(json.dumps), min_size=1, max_size=5))
def test_fuzzed_payloads_same_on_both_backends(payloads: list[str]) -> None:
    assert outcome(rust_backend(), FAMILY, payloads) == outcome(reference, FAMILY, payloads)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8
    ),
    st.sampled_from([(",", ":"), (", ", ": "), (" , ", " :\t")]),
)
def test_raw_args_kept_exactly_on_both_backends(args: Any, separators: tuple[str, str]) -> None:
    text = json.dumps(args, separators=separators, ensure_ascii=False)
    payload = '{"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": ' + text + "}}]}}]}"
    for backend in (rust_backend(), reference):
        calls = [e for e in backend.parse(f"data: {payload}\r\n\r\n".encode(), FAMILY) if e.type == "tool_call"]
        expected = "{}" if args is None else text
        assert [c.arguments for c in calls] == [expected]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(backend: ModuleType, constant: str) -> None:
    payload = '{"candidates": [], "x": ' + constant + "}"
    expected = f"invalid JSON payload: not valid JSON at byte 0, event 0, near `{payload}`"
    with pytest.raises(StreamParseError, match="^" + re.escape(expected) + "$"):
        backend.parse(f"data: {payload}\r\n\r\n".encode(), FAMILY)


# --- tools Gemini runs --------------------------------------------------------------------------------

# As the public corpus recorded them (pydantic-ai's code execution and built-in tools cassettes).
CODE = {"language": "PYTHON", "code": "print(1)", "id": "8xju7mua"}
SEARCH = {"toolType": "GOOGLE_SEARCH_WEB", "args": {"queries": ["largest city"]}}


@pytest.mark.parametrize(
    ("part", "call"),
    [
        ({"executableCode": CODE}, ("8xju7mua", "code_execution", json.dumps(CODE))),
        ({"executableCode": {"language": "PYTHON", "code": "x"}}, ("call_0", "code_execution", None)),
        ({"toolCall": SEARCH}, ("call_0", "GOOGLE_SEARCH_WEB", json.dumps(SEARCH["args"]))),
        ({"toolCall": {"toolType": "FILE_SEARCH", "id": "tju3qkc9"}}, ("tju3qkc9", "FILE_SEARCH", "{}")),
        ({"toolCall": "not an object"}, ("call_0", "", "{}")),
    ],
    ids=["code", "code without id", "search", "file search without args", "not an object"],
)
def test_tools_gemini_ran_are_provider_executed_calls(
    backend: ModuleType, part: dict[str, Any], call: tuple[str, str, str | None]
) -> None:
    """`executableCode` is a call named `code_execution` whose arguments are the object as sent;
    `toolCall` one named by its `toolType`, its `args` the arguments."""
    id, name, arguments = call
    if arguments is None:
        arguments = json.dumps(part["executableCode"])
    events = dicts(backend.parse(sse(chunk(part), chunk({"text": "ok"}, finish="STOP")), FAMILY))
    delta = [{"type": "tool_input_delta", "id": id, "delta": arguments}] if arguments != "{}" else []
    expected = [
        {"type": "tool_input_start", "id": id, "name": name, "choice": 0, "provider_executed": True},
        *delta,
        {"type": "tool_input_end", "id": id},
        {"type": "tool_call", "id": id, "name": name, "arguments": arguments, "provider_executed": True},
    ]
    assert events[1 : 1 + len(expected)] == expected
    # The caller has nothing to run: the finish is not `tool_calls`.
    assert events[-1]["reason"] == "stop"


GROUNDED = public_bodies("gemini", tag="grounding_metadata")


def sdk_sources(body: bytes) -> list[tuple[str, str | None, str | None, Any]]:
    """(kind, url, title, metadata) of the grounding chunks of candidate 0 as the google-genai SDK's
    own model (``types.GroundingMetadata``) reads them: a chunk with a URI once per URI; a retrieved
    context with none (file search) a document once, holding that context."""
    types = pytest.importorskip("google.genai.types")
    out: list[tuple[str, str | None, str | None, Any]] = []
    seen: set[str] = set()
    for line in body.decode().splitlines():
        if not line.startswith("data:"):
            continue
        for candidate in json.loads(line[5:]).get("candidates") or []:
            if candidate.get("index", 0) != 0 or "groundingMetadata" not in candidate:
                continue
            grounding = types.GroundingMetadata.model_validate(candidate["groundingMetadata"])
            for chunk in grounding.grounding_chunks or []:
                source = chunk.web or chunk.retrieved_context
                if source is None or (source.uri is None and chunk.web is not None):
                    continue
                if source.uri is not None:
                    found = ("url", source.uri, source.title, None)
                else:
                    context = source.model_dump(exclude_none=True, by_alias=True, mode="json")
                    found = ("document", None, source.title, context)
                # A URL is known by itself, a document by all it holds.
                key = found[1] if found[0] == "url" else json.dumps(found[2:], sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    out.append(found)
    return out


@pytest.mark.parametrize(("name", "body"), GROUNDED, ids=[n for n, _ in GROUNDED])
def test_grounding_sources_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    sources = [e for e in backend.parse(body, FAMILY, on_error="emit") if e.type == "source"]
    expected = sdk_sources(body)
    assert expected
    assert [e.id for e in sources] == [f"src_{n}" for n in range(len(sources))]
    assert [(e.kind, e.url, e.title, e.provider_metadata) for e in sources] == expected


def test_a_retrieved_document_is_kept_as_sent_once(backend: ModuleType) -> None:
    # File search grounding as the API reference documents `RetrievedContext` (title, text, store);
    # Gemini repeats grounding on later chunks: a document is reported once.
    context = '{"title": "paris.txt", "text": "Paris is\\u00a0the capital.", "fileSearchStore": "fileSearchStores/s"}'
    grounded = (
        '{"candidates":[{"content":{"parts":[{"text":"x"}]},"groundingMetadata":{"groundingChunks":['
        '{"retrievedContext":' + context + '},{"web":{"title":"no uri"}},{"retrievedContext":{"text":"other"}}]}}]}'
    )
    body = f"data: {grounded}\n\ndata: {grounded}\n\n".encode() + sse(chunk(finish="STOP"))
    sources = [e for e in backend.parse(body, FAMILY) if e.type == "source"]
    assert [(e.id, e.kind, e.url, e.title, e.provider_metadata_json) for e in sources] == [
        ("src_0", "document", None, "paris.txt", context),
        ("src_1", "document", None, None, '{"text":"other"}'),
    ]
