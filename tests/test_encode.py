"""The way back (`Encoder`, `Translator`): every SSE body of both corpora, encoded into every
target, is accepted by that target's official client (openai's chat and Responses stream
accumulators, anthropic's ``MessageStream``), which assembles the same text, tool calls and finish
class as the message parsed from the original; parsing the encoded body gives back the same
message except where ``docs/encoding.md`` says the target cannot carry it; a family encoded into
itself reads back as the same events; both backends write the same bytes."""

from __future__ import annotations

import base64
import functools
import itertools
import json
import random
import re
import warnings
from types import ModuleType
from typing import Any

import pytest

import streamdelta as sd
from streamdelta import reference

from .conftest import PUBLIC, random_splits, require_corpus, rust_backend, sse_bodies
from .sdk_replay import SDKS

# (name, family, framing): what `Encoder` and `Translator(to=...)` write.
TARGETS = [
    ("openai-chat", "openai-chat", "sse"),
    ("anthropic", "anthropic", "sse"),
    ("openai-responses", "openai-responses", "sse"),
    ("gemini", "gemini", "sse"),
    ("gemini-json-array", "gemini", "json-array"),
    ("bedrock", "bedrock", "auto"),
]
TARGET_IDS = [name for name, _, _ in TARGETS]


@functools.cache
def bodies() -> tuple[tuple[str, bytes], ...]:
    """Every SSE body of the recorded corpus and of the public corpus (all its kinds)."""
    require_corpus()
    found = list(sse_bodies())
    manifest = PUBLIC / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["format"] == "sse":
                found.append((f"public/{entry['path']}", (PUBLIC / entry["path"]).read_bytes()))
    return tuple(found)


@functools.cache
def parsed(index: int) -> tuple[list[Any], Any]:
    """The Rust events and message of body ``index`` (``on_error="emit"``: a faulty body still has them)."""
    parser = rust_backend().StreamParser(on_error="emit")
    events = parser.feed(bodies()[index][1]) + parser.close()
    return events, parser.message


def carried_file(event: Any, family: str) -> bool:
    """Whether a stream's own family writes a file back (docs/encoding.md): Responses its final
    images, chat its pcm16 audio and images."""
    if event.partial:
        return False
    if family == "openai-responses":
        return True
    return family == "openai-chat" and (event.media_type == "audio/pcm" or event.media_type.startswith("image/"))


def encode(backend: ModuleType, events: list[Any], family: str, framing: str) -> bytes:
    encoder = backend.Encoder(family, framing=framing)
    return encoder.feed(events) + encoder.close()


def body_ids() -> list[int]:
    return list(range(len(bodies())))


def test_the_corpus_is_read() -> None:
    assert len(bodies()) > 300


@pytest.mark.parametrize(("name", "family", "framing"), TARGETS, ids=TARGET_IDS)
def test_backends_and_translator_write_the_same_bytes(name: str, family: str, framing: str) -> None:
    rust = rust_backend()
    rng = random.Random(name)
    for index, (label, body) in enumerate(bodies()):
        events, message = parsed(index)
        want = encode(rust, events, family, framing)
        assert encode(reference, events, family, framing) == want, label
        # The reference's own events (its parser) and both translators, over one random split.
        assert encode(reference, reference.parse(body, on_error="emit"), family, framing) == want, label
        chunks = list(random_splits(body, rng))
        for backend in (rust, reference):
            translator = backend.Translator(family, framing=framing, on_error="emit")
            got = b"".join(translator.feed(chunk) for chunk in chunks) + translator.close()
            assert got == want, (label, backend.__name__)
            assert plain(translator.message) == plain(message), label


def plain(message: Any) -> dict[str, Any]:
    """``message.to_dict()``, its cost rounded: the reference sums OpenRouter's cost parts in another
    order than the core (a difference in the last bit, of the parsers, not of the encoders)."""
    d = message.to_dict()
    if d["usage"] and d["usage"]["cost"] is not None:
        d["usage"]["cost"] = round(d["usage"]["cost"], 12)
    return d


def finish_class_of_sdk(family: str, final: Any) -> str:
    """The finish reason class the official client's final object says."""
    if family == "openai-chat":
        return {"stop": "stop", "length": "length", "tool_calls": "tool_calls", "content_filter": "content_filter"}.get(
            final.choices[0].finish_reason, "other"
        )
    if family == "anthropic":
        return {
            "end_turn": "stop",
            "stop_sequence": "stop",
            "pause_turn": "stop",
            "max_tokens": "length",
            "tool_use": "tool_calls",
            "refusal": "content_filter",
        }.get(final.stop_reason, "other")
    status = final.status
    if status == "completed":
        return "tool_calls" if responses_calls(final) else "stop"
    if status == "incomplete":
        reason = final.incomplete_details.reason
        return {"max_output_tokens": "length", "content_filter": "content_filter"}.get(reason, "other")
    return "error"


View = tuple[str, list[tuple[str, str, Any]], str, Any]


def sdk_view(family: str, final: Any) -> View:
    """(text, tool calls as (id, name, parsed arguments), finish class, refusal or server tool results)
    of an official client's final object."""
    if family == "openai-chat":
        message = final.choices[0].message
        # A call sent with no arguments says `""`, as OpenAI sends it.
        calls = [(c.id, c.function.name, loads(c.function.arguments or "{}")) for c in message.tool_calls or []]
        return message.content or "", calls, finish_class_of_sdk(family, final), message.refusal or ""
    if family == "anthropic":
        text = "".join(b.text for b in final.content if b.type == "text")
        calls = [(b.id, b.name, b.input) for b in final.content if b.type == "tool_use"]
        results = [
            (
                b.tool_use_id,
                b.type,
                json.dumps(b.model_dump(mode="json", exclude_unset=True, warnings=False)["content"], sort_keys=True),
            )
            for b in final.content
            if b.type.endswith("_tool_result")
        ]
        return text, calls, finish_class_of_sdk(family, final), results
    contents = [c for item in final.output if item.type == "message" for c in item.content]
    text = "".join(c.text for c in contents if c.type == "output_text")
    refusal = "".join(c.refusal for c in contents if c.type == "refusal")
    return text, responses_calls(final), finish_class_of_sdk(family, final), refusal


# Responses built-in tools' calls a client runs, each as the item it came as: the item type, the
# tool's name as the decoder gives it (README's table), and the field holding the input.
BUILT_IN_CALLS = {
    "apply_patch_call": ("apply_patch", "operation"),
    "local_shell_call": ("local_shell", "action"),
    "shell_call": ("shell", "action"),
    "tool_search_call": ("tool_search", "arguments"),
}


def responses_calls(final: Any) -> list[tuple[str, str, Any]]:
    """(call id, name, parsed input) of the calls in a Responses object's output the client runs."""
    calls = []
    for item in final.output:
        if item.type == "function_call":
            calls.append((item.call_id, item.name, loads(item.arguments)))
        elif item.type == "custom_tool_call":
            calls.append((item.call_id, item.name, loads(item.input)))
        elif item.type in BUILT_IN_CALLS and getattr(item, "execution", "client") == "client":
            name, field = BUILT_IN_CALLS[item.type]
            value = getattr(item, field)
            plain = value if isinstance(value, (dict, list)) else value.model_dump(exclude_unset=True, warnings=False)
            calls.append((item.call_id, name, plain))
    return calls


def loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def sdk_final(family: str, body: bytes) -> Any:
    """The final object of the official SDK's ``.stream()`` helper over ``body`` (its own SSE
    decoding and accumulator: openai ``ChatCompletionStreamState`` / Responses stream state,
    anthropic ``MessageStream``)."""
    sdk = SDKS[family]
    http = sdk.sdk._base_client.httpx2
    headers = {"content-type": "text/event-stream"}
    transport = http.MockTransport(lambda request: http.Response(200, content=body, headers=headers))
    client = sdk.sync_client(
        api_key="test", base_url="http://test", max_retries=0, http_client=http.Client(transport=transport)
    )
    with sdk.helper(client) as stream, warnings.catch_warnings():
        # openai's models lag the API: a web search source of `"type": "api"` (not in its
        # `Literal["url"]`) makes its accumulator's `model_dump` warn, on the original body too.
        warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
        for _ in stream:
            pass
        if family == "openai-chat":
            # What `ChatCompletionStreamState` accumulated (`get_final_completion()` refuses a
            # `length` or `content_filter` finish).
            return stream.current_completion_snapshot
        return getattr(stream, sdk.final)()


# Anthropic's server tools with a result block `{name}_tool_result` (docs/encoding.md); the tool
# search tools (`tool_search_tool_regex`, `..._bm25`) share `tool_search_tool_result`.
SERVER_TOOLS = (
    "web_search",
    "web_fetch",
    "code_execution",
    "bash_code_execution",
    "text_editor_code_execution",
    "advisor",
)


def result_block(name: str) -> str | None:
    if name.startswith("tool_search_tool_"):
        return "tool_search_tool_result"
    return f"{name}_tool_result" if name in SERVER_TOOLS else None


def anthropic_results(message: Any) -> list[tuple[str, str, str]]:
    """(id, block type, content) of the results an Anthropic stream carries: a server tool's with
    content of its own block's shape (a list, or an object of the tool's own `type`)."""
    out = []
    for r in message.tool_results:
        block = result_block(r.name)
        content = loads(r.result)
        stem = (block or "").removesuffix("_tool_result")
        own = isinstance(content, list) or (isinstance(content, dict) and str(content.get("type")).startswith(stem))
        if r.provider_executed and block is not None and own:
            out.append((r.id, block, json.dumps(content, sort_keys=True), r.is_error))
    return out


def expected_view(family: str, message: Any) -> View:
    calls = [(c.id, c.name, loads(c.arguments)) for c in message.tool_calls if not c.provider_executed]
    if family == "anthropic":
        # The SDK accumulates `partial_json` with its own parser: a call sent with no fragment is `{}`.
        calls = [(i, n, a if a != "" else {}) for i, n, a in calls]
    reason = message.finish_reason
    if family == "openai-responses" and reason in ("stop", "tool_calls"):
        reason = "tool_calls" if calls else "stop"
    if family == "anthropic":
        return message.text, calls, reason, [r[:3] for r in anthropic_results(message)]
    return message.text, calls, reason, message.refusal


def clean(message: Any) -> bool:
    """A body the official clients can take whole: it ended normally, with no error in it."""
    return not message.errors and message.finish_reason not in (None, "error")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("family", ["openai-chat", "anthropic", "openai-responses"])
def test_the_official_client_assembles_the_same_message(family: str) -> None:
    rust = rust_backend()
    checked = 0
    for index, (label, _) in enumerate(bodies()):
        events, message = parsed(index)
        if not comparable(index):
            continue
        if family == "openai-responses" and message.finish_reason not in ("stop", "tool_calls"):
            continue  # its `get_final_response()` wants `response.completed`, as with OpenAI's own
        if (
            family == "anthropic"
            and message.finish_reason != "length"
            and not all(_is_json(c.arguments) for c in message.tool_calls)
        ):
            # A custom tool's free-text input (Responses `custom_tool_call`) is written as sent
            # (docs/encoding.md); Anthropic's client parses `input` as JSON and refuses it.
            continue
        final = sdk_final(family, encode(rust, events, family, "sse"))
        got, want = sdk_view(family, final), expected_view(family, message)
        if family == "anthropic":
            # Arguments cut short (a `max_tokens` finish): the SDK keeps what its partial parser
            # made of them, which has no JSON text to compare with.
            cut = {i for i, _, a in want[1] if isinstance(a, str)}
            got, want = (
                (text, [(i, n, None if i in cut else a) for i, n, a in calls], reason, rest)
                for text, calls, reason, rest in (got, want)
            )
        assert got == want, label
        checked += 1
    assert checked > 200


def _plain(value: Any) -> Any:
    """An SDK value as JSON data (its models dumped as sent)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_unset=True, warnings=False)
    return value


def hosted_items(final: Any) -> list[tuple[Any, ...]]:
    """(id, type, whether it failed, input and result fields) of the hosted tools' items of a
    Responses object (a status other than `failed`, Azure's `generating` at the end of an image,
    is not an event's: `completed`)."""
    return [
        (
            item.id,
            item.type,
            item.status == "failed",
            [_plain(getattr(item, f, None)) for f in HOSTED_FIELDS[item.type]],
        )
        for item in final.output
        if item.type in HOSTED_FIELDS
    ]


def test_the_official_client_assembles_the_same_hosted_tool_items() -> None:
    """A Responses stream with hosted tools' calls (web and file search, code interpreter, image
    generation, MCP), parsed and encoded back: openai's Responses accumulator assembles the same
    items from it, results included, as from the original body; both through ``Translator`` too."""
    rust = rust_backend()
    checked = set()
    for index, (label, body) in enumerate(bodies()):
        events, message = parsed(index)
        if not comparable(index) or message.finish_reason not in ("stop", "tool_calls"):
            continue
        if not any(e.type == "tool_call" and e.call_type in HOSTED_FIELDS for e in events):
            continue
        want = hosted_items(sdk_final("openai-responses", body))
        assert want, label
        encoded = encode(rust, events, "openai-responses", "sse")
        # Sorted: items are written as their calls complete (calls are held until then), and xAI
        # completes its interleaved searches out of the order it announced them.
        assert sorted(hosted_items(sdk_final("openai-responses", encoded)), key=repr) == sorted(want, key=repr), label
        translator = rust.Translator("openai-responses")
        assert translator.feed(body) + translator.close() == encoded, label
        checked.update(item[1] for item in want)
    assert checked == set(HOSTED_FIELDS)


def carried(target: str, message: Any) -> dict[str, Any]:
    """What of a message survives the trip through ``target`` (the rules of docs/encoding.md)."""
    calls = [
        (c.id, c.name, c.arguments)
        for c in message.tool_calls
        # Only Anthropic has a place for a call the provider ran (`server_tool_use`), and
        # Responses for a hosted tool's call (its item).
        if target == "anthropic" or not c.provider_executed or (target == "openai-responses" and hosted(c))
    ]
    if target.startswith("gemini"):
        # `args` must be an object; any other arguments become `{}`.
        calls = [(i, n, a if isinstance(loads(a), dict) else "{}") for i, n, a in calls]
    usage = message.usage
    usage_fields: tuple[int, ...] = ()
    if usage is not None:
        usage_fields = (usage.input_tokens, usage.output_tokens, usage.total_tokens, usage.cache_read_tokens)
        if target not in ("anthropic", "bedrock"):  # no field for reasoning tokens
            usage_fields += (usage.reasoning_tokens,)
        if target in ("openai-chat", "anthropic", "bedrock"):  # the others have no field for cache writes
            usage_fields += (usage.cache_write_tokens,)
    signatures = list(message.reasoning_signatures)
    if target.startswith("gemini"):
        # `thoughtSignature` is bytes: a signature that is not base64 is dropped.
        signatures = [s for s in signatures if _standard_base64(s)]
    reason = message.finish_reason
    has_calls = any(not c.provider_executed for c in message.tool_calls)
    if target in ("openai-responses", "gemini", "gemini-json-array") and reason in ("stop", "tool_calls"):
        # The finish of a completed response says `tool_calls` when (and only when) the caller has calls to run.
        reason = "tool_calls" if has_calls else "stop"
    no_ids = target == "bedrock"  # Converse sends no response id or model
    return {
        # Only chat (`delta.refusal`) and Responses (`refusal` parts) have a place for a refusal;
        # only Anthropic for a server tool's result (its result block).
        "refusal": message.refusal if target in ("openai-chat", "openai-responses") else "",
        "tool_results": anthropic_results(message)
        if target == "anthropic"
        else hosted_results(message)
        if target == "openai-responses"
        else [],
        "id": None if no_ids else message.id,
        "model": None if no_ids else message.model,
        "text": message.text,
        "reasoning": message.reasoning,
        "signatures": signatures,
        "tool_calls": calls,
        "finish": reason,
        "usage": usage_fields,
    }


# The hosted tools' call items of Responses (docs/encoding.md) and the fields of each that hold
# its input and result, as the official client assembles them.
HOSTED_FIELDS = {
    "web_search_call": ("action",),
    "file_search_call": ("queries", "results"),
    "code_interpreter_call": ("code", "outputs"),
    "image_generation_call": ("result",),
    "mcp_call": ("name", "arguments", "output", "error"),
}


def hosted(call: Any) -> bool:
    """Whether a provider-run call goes back as its hosted Responses item (docs/encoding.md)."""
    arguments = loads(call.arguments)
    if call.call_type == "web_search_call":
        return isinstance(arguments, dict)
    if call.call_type == "file_search_call":
        return isinstance(arguments, list)
    return call.call_type in HOSTED_FIELDS


def hosted_results(message: Any) -> list[tuple[str, str, bool]]:
    """(id, result, is_error) of the results of the hosted calls a Responses stream carries."""
    ids = {c.id for c in message.tool_calls if c.provider_executed and hosted(c)}
    return [(r.id, r.result, r.is_error) for r in message.tool_results if r.id in ids]


def _standard_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def comparable(index: int) -> bool:
    """Bodies the round trip is checked on: complete and free of errors (an error ends some
    targets' streams at once, so what followed it is not carried), of one choice."""
    events, message = parsed(index)
    return clean(message) and not several_choices(events)


@pytest.mark.parametrize(("name", "family", "framing"), TARGETS, ids=TARGET_IDS)
def test_round_trip_keeps_what_the_target_carries(name: str, family: str, framing: str) -> None:
    rust = rust_backend()
    checked = 0
    for index, (label, _) in enumerate(bodies()):
        if not comparable(index):
            continue
        events, message = parsed(index)
        body = encode(rust, events, family, framing)
        parser = rust.StreamParser(family)
        parser.feed(body)
        parser.close()
        assert carried(name, parser.message) == carried(name, message), label
        checked += 1
    assert checked > 250


def kept(events: list[Any]) -> list[dict[str, Any]]:
    """Events as dicts, without what no target carries (`unknown`, sources, provider metadata, logprobs),
    each call's `tool_input_*` events moved to just before its `tool_call` (calls are held until
    then: docs/encoding.md)."""
    out: list[dict[str, Any]] = []
    held: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        d = event.to_dict()
        if d["type"] in ("unknown", "source"):
            continue
        d.pop("provider_metadata_json", None)
        d.pop("logprobs", None)  # not written back yet (the encoders predate the field)
        if d["type"] == "finish":
            d["usage"]["cost"] = None  # no target writes a cost
        if d["type"].startswith("tool_input_"):
            held.setdefault(d["id"], []).append(d)
            continue
        if d["type"] == "tool_call":
            out.extend(held.pop(d["id"], []))
        out.append(d)
    return out


def several_choices(events: list[Any]) -> bool:
    """Whether text parts overlap (choices n > 1: events carry no `choice` yet, so the encoders
    write every part into choice 0)."""
    open_parts: set[str] = set()
    for event in events:
        if event.type in ("text_start", "reasoning_start"):
            if open_parts:
                return True
            open_parts.add(event.id)
        elif event.type in ("text_end", "reasoning_end"):
            open_parts.discard(event.id)
    return False


def _signature_only_after_reasoning(events: list[Any]) -> bool:
    """A reasoning part with no text that opens while a held tool call streams, after another
    reasoning part ended."""
    ended = False
    for start, after in itertools.pairwise(events):
        ended = ended or start.type == "reasoning_end"
        if ended and (start.type, after.type) == ("reasoning_start", "reasoning_end"):
            return True
    return False


@pytest.mark.parametrize("family", ["openai-chat", "anthropic", "openai-responses", "gemini"])
def test_a_family_encoded_into_itself_reads_back_as_the_same_events(family: str) -> None:
    rust = rust_backend()
    checked = 0
    for index, (label, body) in enumerate(bodies()):
        events = parsed(index)[0]
        if not comparable(index):
            continue
        parser = rust.StreamParser()
        parser.feed(body)
        if parser.family != family:
            continue
        if family == "anthropic" and any(e.type == "unknown" for e in events):
            continue  # an unknown block is dropped and the blocks after it numbered on
        message = parsed(index)[1]
        provider_run = [e for e in events if e.type == "tool_call" and e.provider_executed]
        if family == "openai-responses":
            provider_run = [e for e in provider_run if not hosted(e)]
        if family != "anthropic" and provider_run:
            continue  # a provider-run call is not carried (but by Anthropic, or a hosted one by Responses)
        results = [e for e in events if e.type == "tool_result"]
        carried_results = hosted_results(message) if family == "openai-responses" else anthropic_results(message)
        files = [e for e in events if e.type == "file" and not carried_file(e, family)]
        if len(results) != len(carried_results) or files:
            continue  # a result or file the target has no place for (docs/encoding.md)
        if family == "openai-chat" and _signature_only_after_reasoning(events):
            # Chat has no end of a reasoning part: a signature-only part (an encrypted detail sent
            # after a tool call began) is written before the held call, where the decoder reads it
            # as the signature of the reasoning part still open (docs/encoding.md).
            continue
        got, want = kept(rust.parse(encode(rust, events, family, "sse"), family)), kept(events)
        for g, w in zip(got, want, strict=False):
            if w["type"] == g["type"] == "finish" and w["raw_reason"] is None:
                g["raw_reason"] = None  # a finish without one gets the target's word for its class
        assert got == want, label
        checked += 1
    assert checked > 10


# Hypothesis: any sequence of events, both backends write the same bytes.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(max_size=6)
_ids = st.sampled_from(["0", "1", "msg_1:0", "msg_1:1", "rs_2:0", "call_1", "toolu_9"])
_usage = st.builds(
    reference.Usage,
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 2 * 10**6),
    st.integers(0, 1000),
    st.integers(0, 1000),
    st.integers(0, 1000),
)
# Logprobs as a delta may hold them: arrays (empty, with whitespace around or inside) and texts that
# are not one array, which the encoders leave out.
_logprobs = st.one_of(
    st.none(),
    st.sampled_from(
        ["[]", '[{"token":"a","logprob":-1.5e-05}]', ' [ {"token":"b","logprob":0} ] ', "[1,2]", "x", "{}", "[1", "1"]
    ),
)
_reasons = st.sampled_from(["stop", "length", "tool_calls", "content_filter", "error", "other"])
_raw_reasons = st.one_of(
    st.none(), st.sampled_from(["stop", "end_turn", "max_tokens", "MAX_TOKENS", "SAFETY", "tool_use", "weird"])
)
_arguments = st.one_of(
    _text, st.sampled_from(["{}", '{"a": 1}', '{"a":', "[1]", '["q"]', '{"x": 1e400}', '{"s": "é\\n"}'])
)
_call_types = st.one_of(
    st.none(),
    st.sampled_from(["custom_tool_call", "apply_patch_call", "local_shell_call", "shell_call", "tool_search_call"]),
    st.sampled_from(
        ["web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call", "mcp_call"]
    ),
)
_tool_names = st.one_of(_text, st.sampled_from(["web_search", "code_execution", "tool_search_tool_bm25", "advisor"]))
_results = st.one_of(
    _arguments,
    st.sampled_from(
        [
            '[{"type": "web_search_result"}]',
            '{"type": "code_execution_result"}',
            '{"type": 1}',
            "null",
            '{"outcome": "OUTCOME_OK", "output": "4"}',
            '{"code": "print(1)", "language": "PYTHON"}',
            '{"code": "x", "other": 1}',
        ]
    ),
)
EVENTS = st.one_of(
    st.builds(reference.StreamStart, st.one_of(st.none(), _text), st.one_of(st.none(), _text)),
    st.builds(reference.TextStart, _ids),
    st.builds(reference.TextDelta, _ids, _text, _logprobs),
    st.builds(reference.TextEnd, _ids),
    st.builds(reference.ReasoningStart, _ids),
    st.builds(reference.ReasoningDelta, _ids, _text),
    st.builds(reference.ReasoningEnd, _ids, st.one_of(st.none(), _text), st.booleans()),
    st.builds(reference.ToolInputStart, _ids, _text),
    st.builds(reference.ToolInputDelta, _ids, _arguments),
    st.builds(reference.ToolInputEnd, _ids),
    st.builds(reference.ToolCall, _ids, _tool_names, st.one_of(_arguments, _results), st.booleans(), _call_types),
    st.builds(reference.RefusalStart, _ids),
    st.builds(reference.RefusalDelta, _ids, _text, _logprobs),
    st.builds(reference.RefusalEnd, _ids),
    st.builds(reference.ToolResult, _ids, _tool_names, _results, st.booleans(), st.booleans()),
    st.builds(
        reference.File,
        st.one_of(_text, _ids),
        st.sampled_from(["image/png", "image/webp", "image/", "audio/wav", "audio/pcm", "audio/pcm;rate=24000"]),
        st.binary(max_size=8),
        st.booleans(),
    ),
    st.builds(reference.Source, _text, _text, st.one_of(st.none(), _text)),
    st.builds(reference.Finish, _reasons, _raw_reasons, st.one_of(st.none(), _usage)),
    st.builds(reference.ErrorEvent, _text, st.sampled_from(["provider_error", "incomplete_stream", "x"])),
    st.builds(reference.Unknown, _text, _text),
)


@settings(max_examples=300, deadline=None)
@given(events=st.lists(EVENTS, max_size=25), target=st.sampled_from(TARGETS))
def test_backends_write_the_same_bytes_for_any_events(events: list[Any], target: tuple[str, str, str]) -> None:
    _, family, framing = target
    rust = rust_backend()
    as_rust = [rust.from_dict(event.to_dict()) for event in events]
    want = encode(reference, events, family, framing)
    assert encode(rust, as_rust, family, framing) == want
    # The Rust encoder reads the reference's event objects too.
    assert encode(rust, events, family, framing) == want


def test_what_a_target_cannot_carry_is_dropped_by_rule(backend: ModuleType) -> None:
    events = [
        backend.StreamStart("r1", "m"),
        backend.Unknown("ping", "{}"),
        backend.Source("s1", "https://example.com", None),
        backend.ToolInputStart("srv_1", "web_search"),
        backend.ToolInputDelta("srv_1", '{"q": "x"}'),
        backend.ToolInputEnd("srv_1"),
        backend.ToolCall("srv_1", "web_search", '{"q": "x"}', True),
        backend.Finish("stop", None, backend.Usage(1, 2, 3)),
    ]
    chat = encode(backend, events, "openai-chat", "sse").decode()
    for dropped in ("web_search", "example.com", "ping"):
        assert dropped not in chat
    anthropic = encode(backend, events, "anthropic", "sse").decode()
    assert '"type":"server_tool_use","id":"srv_1","name":"web_search"' in anthropic


def test_a_file_goes_to_gemini_as_inline_data(backend: ModuleType) -> None:
    """A final file is a Gemini `inlineData` part (previews are dropped), which google-genai's
    response type reads back as the same bytes and media type."""
    types = pytest.importorskip("google.genai.types")
    data = bytes(range(256))
    events = [
        backend.StreamStart("r1", "m"),
        backend.File("img_1", "image/png", b"preview", True),
        backend.File("img_1", "image/webp", data, False),
        backend.Finish("stop", None, backend.Usage(1, 2, 3)),
    ]
    for framing in ("sse", "json-array"):
        body = encode(backend, events, "gemini", framing).decode()
        chunks = (
            json.loads(body)
            if framing == "json-array"
            else [json.loads(line[6:]) for line in body.split("\r\n\r\n") if line]
        )
        parts = [
            part
            for chunk in chunks
            for candidate in types.GenerateContentResponse.model_validate(chunk).candidates or []
            if candidate.content
            for part in candidate.content.parts or []
        ]
        blobs = [(p.inline_data.mime_type, p.inline_data.data) for p in parts if p.inline_data]
        assert blobs == [("image/webp", data)], framing


def test_arguments(backend: ModuleType) -> None:
    targets = '"openai-chat", "anthropic", "openai-responses", "gemini", "bedrock"'
    with pytest.raises(ValueError, match=re.escape(f'unknown target family "cohere"; expected one of {targets}')):
        backend.Encoder("cohere")
    framing = 'framing "json-array" is not one anthropic sends; expected "auto", "sse"'
    with pytest.raises(ValueError, match=re.escape(framing)):
        backend.Encoder("anthropic", framing="json-array")
    encoder = backend.Encoder("openai-chat")
    with pytest.raises(TypeError, match="expected an event, got int"):
        encoder.feed([1])
    assert encoder.close() == b""
    assert encoder.close() == b""
    with pytest.raises(ValueError, match="the encoder is closed"):
        encoder.feed([])
    assert backend.Encoder("gemini", framing="json-array").close() == b"[]"


def test_a_cut_stream_stays_cut(backend: ModuleType) -> None:
    body = b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
    for _, family, framing in TARGETS:
        translator = backend.Translator(family, "openai-chat", framing=framing)
        out = translator.feed(body) + translator.close()
        again = backend.parse(out, family)
        assert [e.kind for e in again if e.type == "error"] == ["incomplete_stream"], family
        assert translator.message.text == "Hi"


def test_translator_keeps_the_bytes_before_a_fault(backend: ModuleType) -> None:
    good = b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
    translator = backend.Translator("anthropic", "openai-chat")
    with pytest.raises(sd.StreamParseError) as caught:
        translator.feed(good + b"data: {nope\n\n")
    assert caught.value.events == []
    later = translator.feed(b"")
    assert b'"text_delta","text":"Hi"' in later


def test_translators_on_one_thread_keep_their_bytes_apart() -> None:
    """The Rust translators of a thread lend each other their emptied output buffer: interleaved,
    one holding the bytes before a fault, each still writes what the reference writes alone."""
    rust = rust_backend()
    good = b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
    held = {backend: backend.Translator("anthropic", "openai-chat") for backend in (rust, reference)}
    for translator in held.values():
        with pytest.raises(sd.StreamParseError):
            translator.feed(good + b"data: {nope\n\n")
    longest = sorted((body for _, body in bodies()), key=len)[-2:]
    rng = random.Random(7)
    chunks = [list(random_splits(body, rng, 300)) for body in longest]
    translators = [rust.Translator("openai-responses", on_error="emit") for _ in longest]
    outs: list[list[bytes]] = [[], []]
    for pair in itertools.zip_longest(*chunks):
        for translator, out, chunk in zip(translators, outs, pair, strict=True):
            if chunk is not None:
                out.append(translator.feed(chunk))
    for body, translator, out in zip(longest, translators, outs, strict=True):
        alone = reference.Translator("openai-responses", on_error="emit")
        assert b"".join(out) + translator.close() == alone.feed(body) + alone.close()
    assert held[rust].feed(b"") == held[reference].feed(b"")


def test_botocore_reads_the_bedrock_frames() -> None:
    """botocore's own event-stream reader (CRCs checked) takes every frame; the text deltas it
    finds add up to the message's text."""
    from botocore.eventstream import EventStreamBuffer

    rust = rust_backend()
    checked = 0
    for index, (label, _) in enumerate(bodies()):
        if not comparable(index):
            continue
        events, message = parsed(index)
        reader = EventStreamBuffer()
        reader.add_data(encode(rust, events, "bedrock", "auto"))
        text = []
        for frame in reader:
            headers = frame.headers
            assert headers[":message-type"] == "event", label
            payload = json.loads(frame.payload)
            if headers[":event-type"] == "contentBlockDelta":
                text.append(payload["delta"].get("text", ""))
        assert "".join(text) == message.text, label
        checked += 1
    assert checked > 200


def test_a_refusal_goes_where_the_target_has_a_place(backend: ModuleType) -> None:
    """Chat's `delta.refusal` and a Responses `refusal` content part: the official clients assemble
    the refusal, and the target's decoder reads it back; the other targets drop it (docs/encoding.md)."""
    events = [
        backend.StreamStart("r1", "m"),
        backend.TextStart("msg_1:0"),
        backend.TextDelta("msg_1:0", "Well. "),
        backend.TextEnd("msg_1:0"),
        backend.RefusalStart("msg_1:1"),
        backend.RefusalDelta("msg_1:1", "I can't "),
        backend.RefusalDelta("msg_1:1", "help with that."),
        backend.RefusalEnd("msg_1:1"),
        backend.Finish("stop", None, backend.Usage(1, 2, 3)),
    ]
    for family in ("openai-chat", "openai-responses"):
        body = encode(backend, events, family, "sse")
        assert sdk_view(family, sdk_final(family, body))[::3] == ("Well. ", "I can't help with that."), family
        parser = backend.StreamParser(family)
        parser.feed(body)
        parser.close()
        assert (parser.message.text, parser.message.refusal) == ("Well. ", "I can't help with that."), family
    again = backend.parse(encode(backend, events, "openai-responses", "sse"), "openai-responses")
    assert [e.to_dict() for e in again[1:-1]] == [e.to_dict() for e in events[1:-1]]
    for family, framing in (("anthropic", "sse"), ("gemini", "sse"), ("bedrock", "auto")):
        assert b"help with that" not in encode(backend, events, family, framing), family


@functools.cache
def _genai_client() -> Any:
    from google import genai

    return genai.Client(api_key="test")


def genai_view(body_server: Any, body: bytes, seed: int) -> tuple[str, list[tuple[str, Any]], str | None]:
    """(text, function calls as (name, args), the last finish reason) that google-genai's own
    client (`generate_content_stream`: its SSE reading and `GenerateContentResponse` types) makes
    of a Gemini stream served by ``body_server``."""
    from google.genai import types

    config = types.GenerateContentConfig(http_options=types.HttpOptions(base_url=body_server.url(body, seed=seed)))
    text, calls, finish = [], [], None
    for chunk in _genai_client().models.generate_content_stream(model="m", contents="hi", config=config):
        for candidate in chunk.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                if part.text is not None and not part.thought:
                    text.append(part.text)
                if part.function_call is not None:
                    # The client reads empty `args` (`{}`) as None.
                    calls.append((part.function_call.name, part.function_call.args or {}))
            if candidate.finish_reason is not None:
                finish = candidate.finish_reason.value
    return "".join(text), calls, finish


def test_google_genai_assembles_the_same_message(body_server: Any) -> None:
    """Every clean corpus body encoded into Gemini SSE, streamed by google-genai's client: the same
    text and function calls (`args` the arguments when they are a JSON object, else `{}`), and a
    finish reason of the same class."""
    rust = rust_backend()
    words = {"stop": ("STOP",), "tool_calls": ("STOP",), "length": ("MAX_TOKENS",)}
    checked = 0
    for index, (label, _) in enumerate(bodies()):
        if not comparable(index):
            continue
        events, message = parsed(index)
        text, calls, finish = genai_view(body_server, encode(rust, events, "gemini", "sse"), seed=index)
        want = [(c.name, a if isinstance(a := loads(c.arguments), dict) else {}) for c in message.tool_calls]
        run_here = [w for w, c in zip(want, message.tool_calls, strict=True) if not c.provider_executed]
        assert (text, calls) == (message.text, run_here), label
        if message.finish_reason in words:
            assert finish in words[message.finish_reason], label
        checked += 1
    assert checked > 250


def test_a_provider_run_code_execution_goes_back_as_gemini_parts(backend: ModuleType, body_server: Any) -> None:
    """`executableCode` / `codeExecutionResult` as the Gemini API reference shapes them (`code`,
    `language`; `outcome`, `output`): google-genai's client takes them, the decoder reads them back;
    another provider's shape (an Anthropic code execution's result) is dropped."""
    code = '{"language":"PYTHON","code":"print(2 + 2)"}'
    result = '{"outcome":"OUTCOME_OK","output":"4\\n"}'
    events = [
        backend.ToolInputStart("exec_1", "code_execution", 0, True),
        backend.ToolCall("exec_1", "code_execution", code, True),
        backend.ToolResult("exec_1", "code_execution", result, False, True),
        backend.ToolResult("exec_1", "code_execution", '{"type":"code_execution_result","stdout":"4"}', False, True),
        backend.TextStart("t"),
        backend.TextDelta("t", "It is 4."),
        backend.TextEnd("t"),
        backend.Finish("stop", None, backend.Usage(1, 2, 3)),
    ]
    body = encode(backend, events, "gemini", "sse")
    assert genai_view(body_server, body, seed=1) == ("It is 4.", [], "STOP")
    message = backend.parse(body, "gemini")
    calls = [(e.name, e.arguments, e.provider_executed) for e in message if e.type == "tool_call"]
    results = [(e.name, e.result, e.is_error) for e in message if e.type == "tool_result"]
    assert (calls, results) == ([("code_execution", code, True)], [("code_execution", result, False)])
