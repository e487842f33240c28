"""The `bedrock` family beyond Anthropic's Invoke chunks: ConverseStream (the public corpus's real
bodies) and the Invoke chunks of Amazon Nova, Meta Llama, Mistral, Amazon Titan and Cohere (bodies
built here from each provider's API reference, cited at each one), on both backends.

The oracle is botocore's own event-stream reader with the bedrock-runtime service model (the AWS
SDK's parser: frames, headers, CRCs, payload shapes), none of our code: the text, reasoning, tool
uses and usage it reads from every corpus body must be what our events say."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import StreamParseError, reference
from streamdelta.reference.eventstream import encode_frame

from .conftest import public_bodies, rust_backend
from .family_corpus import check_backends_agree, check_chunkings, check_golden, feed_all
from .invariants import check_ordering, dicts

BODIES = public_bodies("bedrock-converse", "eventstream")
NAMES = [name for name, _ in BODIES]
SMALL_BODY = 3000  # bytes: bodies up to this size are also fed one byte at a time


def botocore_events(body: bytes, operation: str, member: str) -> list[dict[str, Any]]:
    """The events of a body as the AWS SDK for Python reads them."""
    import botocore.session
    from botocore.eventstream import EventStream
    from botocore.parsers import EventStreamJSONParser

    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    shape = model.operation_model(operation).output_shape.members[member]

    class Raw:
        def stream(self) -> Iterator[bytes]:
            yield body

    return list(EventStream(Raw(), shape, EventStreamJSONParser(), operation))


def sdk_view(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What a ConverseStream consumer assembles from the SDK's events (as LangChain and pydantic-ai
    do): text, reasoning, redacted reasoning, tool uses with their parsed input, the results of the
    tools Bedrock ran (each block's items, as rig-bedrock's reassembler joins them), stop reason, usage."""
    text, reasoning, redacted, signatures = [], [], [], []
    tools: dict[int, dict[str, Any]] = {}
    results: dict[int, dict[str, Any]] = {}
    view: dict[str, Any] = {"stop": None, "usage": None}
    for event in events:
        ((name, body),) = event.items()
        if name == "contentBlockStart" and "toolUse" in body["start"]:
            start = body["start"]["toolUse"]
            tools[body["contentBlockIndex"]] = {"id": start["toolUseId"], "name": start["name"], "input": ""}
        elif name == "contentBlockStart" and "toolResult" in body["start"]:
            start = body["start"]["toolResult"]
            results[body["contentBlockIndex"]] = {"id": start["toolUseId"], "status": start.get("status"), "items": []}
        elif name == "contentBlockDelta":
            delta = body["delta"]
            text.append(delta.get("text", ""))
            if "toolUse" in delta:
                tools[body["contentBlockIndex"]]["input"] += delta["toolUse"]["input"]
            if "toolResult" in delta:
                results[body["contentBlockIndex"]]["items"] += delta["toolResult"]
            r = delta.get("reasoningContent", {})
            reasoning.append(r.get("text", ""))
            if "signature" in r:
                signatures.append(r["signature"])
            if "redactedContent" in r:
                redacted.append(base64.b64encode(r["redactedContent"]).decode())
        elif name == "messageStop":
            view["stop"] = body["stopReason"]
        elif name == "metadata":
            view["usage"] = token_counts(body["usage"])
    view["text"] = "".join(text)
    view["reasoning"] = "".join(reasoning)
    view["signatures"] = signatures
    view["redacted"] = redacted
    view["tools"] = [(t["id"], t["name"], json.loads(t["input"] or "{}")) for t in tools.values()]
    view["results"] = [(r["id"], r["status"] == "error", r["items"]) for r in results.values()]
    return view


def token_counts(usage: dict[str, Any] | None) -> dict[str, Any] | None:
    """The token counts of a Converse `usage` (botocore leaves out members its model lacks)."""
    if usage is None:
        return None
    names = ("inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokens", "cacheWriteInputTokens")
    return {name: usage[name] for name in names if name in usage}


def our_view(events: list[Any]) -> dict[str, Any]:
    d = dicts(events)
    finish = d[-1]
    usage = token_counts(json.loads(finish["provider_metadata_json"] or "{}").get("usage"))
    ends = [e for e in d if e["type"] == "reasoning_end"]
    return {
        "stop": finish["raw_reason"],
        "usage": usage,
        "text": "".join(e["text"] for e in d if e["type"] == "text_delta"),
        "reasoning": "".join(e["text"] for e in d if e["type"] == "reasoning_delta"),
        "signatures": [e["signature"] for e in ends if not e["redacted"] and e["signature"] is not None],
        "redacted": [e["signature"] for e in ends if e["redacted"]],
        "tools": [(e["id"], e["name"], json.loads(e["arguments"])) for e in d if e["type"] == "tool_call"],
        "results": [(e["id"], e["is_error"], json.loads(e["result"])) for e in d if e["type"] == "tool_result"],
    }


def test_corpus_has_the_converse_bodies() -> None:
    if not BODIES:
        pytest.skip("no public corpus")
    assert len(BODIES) == 22
    assert all(body[0] == 0 for _, body in BODIES)


# A test fixture of the Vercel AI SDK sends `contentBlockStart` with an empty `start`, which botocore
# refuses ("must have one and only one member set"); we pass it over. The oracle checks the others.
BOTOCORE_REFUSES = {"public/bedrock-converse/vercel+ai__amazon-bedrock.amazon-bedrock-tool-no-args__0.eventstream"}


@pytest.mark.parametrize("name", NAMES)
def test_agrees_with_botocore(backend: ModuleType, name: str) -> None:
    from botocore.parsers import ResponseParserError

    body = dict(BODIES)[name]
    if name in BOTOCORE_REFUSES:
        with pytest.raises(ResponseParserError, match="one and only one member"):
            botocore_events(body, "ConverseStream", "stream")
        return
    sdk = sdk_view(botocore_events(body, "ConverseStream", "stream"))
    events = backend.parse(body, "bedrock")
    ours = our_view(events)
    assert ours == sdk
    finish = dicts(events)[-1]
    if sdk["usage"] is not None:
        # One Usage meaning: Converse's `inputTokens` leaves the cache out, which `input_tokens` counts.
        u = sdk["usage"]
        cache = u.get("cacheReadInputTokens", 0) + u.get("cacheWriteInputTokens", 0)
        assert finish["usage"]["input_tokens"] == u["inputTokens"] + cache
        assert finish["usage"]["output_tokens"] == u["outputTokens"]
        assert finish["usage"]["total_tokens"] == u["totalTokens"]


@pytest.mark.parametrize("name", NAMES)
def test_golden(backend: ModuleType, name: str) -> None:
    check_golden(backend, "bedrock", name, dict(BODIES)[name])


@pytest.mark.parametrize("name", NAMES)
def test_chunkings(backend: ModuleType, name: str) -> None:
    check_chunkings(backend, "bedrock", name, dict(BODIES)[name], seed=NAMES.index(name))


@pytest.mark.parametrize("name", NAMES)
def test_backends_agree_and_auto_detects(name: str) -> None:
    body = dict(BODIES)[name]
    check_backends_agree("bedrock", body)
    for backend in (reference, rust_backend()):
        events, _ = feed_all(backend, [body], "auto")
        assert dicts(events) == dicts(backend.parse(body, "bedrock"))
        parser = backend.StreamParser()
        parser.feed(body)
        parser.close()
        assert parser.family == "bedrock"
        if len(body) <= SMALL_BODY:
            one_by_one, _ = feed_all(backend, [body[i : i + 1] for i in range(len(body))], "bedrock")
            assert dicts(one_by_one) == dicts(events)


# Hand-built Converse streams: what the corpus does not show.

CONVERSE = [(":content-type", "application/json"), (":message-type", "event")]


def converse_frame(name: str, body: dict[str, Any]) -> bytes:
    return encode_frame([(":event-type", name), *CONVERSE], json.dumps({**body, "p": "abc"}).encode())


def exception_frame(kind: str, message: str) -> bytes:
    headers = [(":exception-type", kind), (":content-type", "application/json"), (":message-type", "exception")]
    return encode_frame(headers, json.dumps({"message": message}).encode())


def both(body: bytes, family: str = "bedrock") -> list[dict[str, Any]]:
    """The events of a body; both backends must give the same, whole and in pieces."""
    expected = dicts(reference.parse(body, family))
    assert dicts(rust_backend().parse(body, family)) == expected
    for backend in (reference, rust_backend()):
        events, _ = feed_all(backend, [body[i : i + 7] for i in range(0, len(body), 7)], family)
        assert dicts(events) == expected
    check_ordering(expected)
    return expected


def test_cache_usage_citations_and_stop_reasons() -> None:
    body = converse_frame("messageStart", {"role": "assistant"})
    body += converse_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Paris"}})
    citation = {"title": "Paris", "location": {"web": {"url": "https://example.org/paris", "domain": "example.org"}}}
    body += converse_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"citation": citation}})
    body += converse_frame("contentBlockStop", {"contentBlockIndex": 0})
    body += converse_frame("messageStop", {"stopReason": "guardrail_intervened"})
    usage = {
        "inputTokens": 5,
        "outputTokens": 7,
        "totalTokens": 42,
        "cacheReadInputTokens": 20,
        "cacheWriteInputTokens": 10,
    }
    body += converse_frame("metadata", {"usage": usage, "metrics": {"latencyMs": 9}})
    events = both(body)
    assert events[3] == {
        "type": "source",
        "id": "0:0",
        "url": "https://example.org/paris",
        "title": "Paris",
        "kind": "url",
        "media_type": None,
        "filename": None,
        "provider_metadata_json": None,
    }
    finish = events[-1]
    assert (finish["reason"], finish["raw_reason"]) == ("content_filter", "guardrail_intervened")
    assert finish["usage"]["input_tokens"] == 35
    assert (finish["usage"]["cache_read_tokens"], finish["usage"]["cache_write_tokens"]) == (20, 10)
    assert json.loads(finish["provider_metadata_json"]) == {"usage": usage, "metrics": {"latencyMs": 9}}
    for stop, reason in [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("content_filtered", "content_filter"),
        ("model_context_window_exceeded", "other"),
    ]:
        events = both(converse_frame("messageStop", {"stopReason": stop}) + converse_frame("metadata", {}))
        assert (events[-1]["reason"], events[-1]["raw_reason"]) == (reason, stop)


def test_exception_mid_stream_and_cut_streams() -> None:
    start = converse_frame("messageStart", {"role": "assistant"})
    text = converse_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}})
    events = both(start + text + exception_frame("throttlingException", "slow down"))
    assert [e["type"] for e in events] == ["stream_start", "text_start", "text_delta", "text_end", "error", "finish"]
    assert events[-2]["kind"] == "throttlingException"
    assert events[-2]["message"] == "slow down"
    assert events[-1]["reason"] == "error"
    # Cut before messageStop: incomplete. Cut after it (no metadata): finished with what is known.
    assert both(start + text)[-2]["kind"] == "incomplete_stream"
    events = both(start + text + converse_frame("messageStop", {"stopReason": "end_turn"}))
    assert events[-1]["reason"] == "stop"
    # Only `metadata` may follow the end; anything after it is a fault.
    late = start + converse_frame("messageStop", {"stopReason": "end_turn"}) + converse_frame("metadata", {}) + text
    for backend in (reference, rust_backend()):
        with pytest.raises(StreamParseError, match="after the end of the message"):
            backend.parse(late, "bedrock")


def test_tool_results_as_botocore_reads_them() -> None:
    """A result sent in several deltas (the API reference: `toolResult` is an array of
    ToolResultBlockDelta, "incremental updates"), with status `error`: its items in order, as the SDK
    reads the same frames."""
    events = [
        ("messageStart", {"role": "assistant"}),
        (
            "contentBlockStart",
            {
                "contentBlockIndex": 0,
                "start": {"toolUse": {"toolUseId": "t1", "name": "nova_code_interpreter", "type": "server_tool_use"}},
            },
        ),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '{"snippet": "1/0"}'}}}),
        ("contentBlockStop", {"contentBlockIndex": 0}),
        (
            "contentBlockStart",
            {"contentBlockIndex": 1, "start": {"toolResult": {"toolUseId": "t1", "status": "error", "type": "r"}}},
        ),
        ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolResult": [{"json": {"exitCode": 1}}]}}),
        (
            "contentBlockDelta",
            {"contentBlockIndex": 1, "delta": {"toolResult": [{"text": "Zero"}, {"text": "Division"}]}},
        ),
        ("contentBlockStop", {"contentBlockIndex": 1}),
        ("messageStop", {"stopReason": "end_turn"}),
        ("metadata", {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}, "metrics": {"latencyMs": 1}}),
    ]
    body = b"".join(converse_frame(name, event) for name, event in events)
    sdk = sdk_view(botocore_events(body, "ConverseStream", "stream"))
    assert len(sdk["results"][0][2]) == 3
    for backend in (reference, rust_backend()):
        parsed = backend.parse(body, "bedrock")
        assert our_view(parsed) == sdk
        (result,) = [e for e in dicts(parsed) if e["type"] == "tool_result"]
        assert (result["name"], result["provider_executed"]) == ("nova_code_interpreter", True)


def test_a_tool_delta_without_its_start_is_a_fault() -> None:
    body = converse_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{}"}}})
    for backend in (reference, rust_backend()):
        with pytest.raises(StreamParseError, match="which is no tool use"):
            backend.parse(body, "bedrock")


# An HTTP error instead of a stream. Bedrock answers a bad ConverseStream / InvokeModelWithResponseStream
# request (unknown model, bad input, no access, throttled) with a 4xx or 5xx whose body is an AWS
# REST-JSON error: the API reference lists ValidationException (HTTP 400), AccessDeniedException (403),
# ResourceNotFoundException (404), ThrottlingException (429), ... (docs.aws.amazon.com/bedrock/latest/
# APIReference/API_runtime_ConverseStream.html, "Errors"), each with the one member `message`
# (botocore's reference: BedrockRuntime.Client.exceptions.ValidationException, "message (string)");
# the error type is in the `x-amzn-ErrorType` header, or `__type` in the body. The oracle of the message
# is botocore's REST-JSON error parser, which reads `message`, else `Message`.

HTTP_ERRORS = [
    # The public corpus's one recording (pydantic-ai's test_bedrock_streaming_error cassette).
    *[(400, body) for _, body in public_bodies("bedrock-converse", "json")],
    (403, b'{"message":"You don\'t have access to the model with the specified model ID."}'),
    (429, b'{"message":"Too many requests, please wait before trying again."}'),
    (403, b'{"Message":"User: arn:aws:iam::1:user/x is not authorized","__type":"AccessDeniedException"}'),
]


def botocore_message(status: int, body: bytes) -> str:
    from botocore.parsers import create_parser

    parsed = create_parser("rest-json").parse({"status_code": status, "headers": {}, "body": body}, None)
    return str(parsed["Error"]["Message"])


def test_the_public_corpus_has_the_bedrock_error_body() -> None:
    assert len(HTTP_ERRORS) == 4, "public/bedrock-converse/*.json"


@pytest.mark.parametrize("family", ["bedrock", "auto"])
@pytest.mark.parametrize(("status", "body"), HTTP_ERRORS, ids=range(len(HTTP_ERRORS)))
def test_http_error_body_is_the_providers_error(status: int, body: bytes, family: str) -> None:
    events = both(body, family)
    assert events == [
        {"type": "error", "message": botocore_message(status, body), "kind": "provider_error", "raw": body.decode()},
        {
            "type": "finish",
            "reason": "error",
            "raw_reason": None,
            "usage": events[-1]["usage"],
            "provider_metadata_json": None,
        },
    ]
    assert not any(events[-1]["usage"].values())


@pytest.mark.parametrize(
    "body",
    [b'{"message": "hi", "model": "x"}', b'{"message": {"role": "assistant"}}', b'{"__type": "X"}'],
)
def test_a_body_with_more_than_an_aws_error_is_none(backend: ModuleType, body: bytes) -> None:
    with pytest.raises(StreamParseError):
        backend.parse(body, "bedrock")


# Invoke chunks of vendors other than Anthropic. No recordings exist in the corpora: each body is built
# from the vendor's response format in the Amazon Bedrock User Guide ("Inference request parameters and
# response fields for foundation models"), cited at each one.

CHUNK_HEADERS = [(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")]


def invoke_chunk(event: dict[str, Any]) -> bytes:
    payload = {"bytes": base64.b64encode(json.dumps(event).encode()).decode(), "p": "abcd"}
    return encode_frame(CHUNK_HEADERS, json.dumps(payload).encode())


def invoke(events: list[dict[str, Any]]) -> bytes:
    return b"".join(invoke_chunk(e) for e in events)


METRICS = {"inputTokenCount": 11, "outputTokenCount": 3, "invocationLatency": 400, "firstByteLatency": 100}

VENDORS = {
    # Meta Llama: docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-meta.html, response:
    # `generation`, `prompt_token_count`, `generation_token_count`, `stop_reason` ("stop" | "length").
    "llama": [
        {"generation": "Hel", "prompt_token_count": 11, "generation_token_count": 1, "stop_reason": None},
        {"generation": "lo!", "prompt_token_count": None, "generation_token_count": 2, "stop_reason": None},
        {
            "generation": "",
            "prompt_token_count": None,
            "generation_token_count": 3,
            "stop_reason": "stop",
            "amazon-bedrock-invocationMetrics": METRICS,
        },
    ],
    # Mistral AI text completion: .../model-parameters-mistral-text-completion.html, response
    # `outputs: [{text, stop_reason}]` ("stop" | "length").
    "mistral": [
        {"outputs": [{"text": "Hel", "stop_reason": None}]},
        {"outputs": [{"text": "", "stop_reason": None}]},
        {"outputs": [{"text": "lo!", "stop_reason": "length"}], "amazon-bedrock-invocationMetrics": METRICS},
    ],
    # Mistral AI chat completion (Mistral Large): .../model-parameters-mistral-chat-completion.html,
    # `choices: [{index, message: {role, content}, stop_reason}]`.
    "mistral-chat": [
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hel"}, "stop_reason": None}]},
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "stop_reason": None}]},
        {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "lo!"}, "stop_reason": "stop"}],
            "amazon-bedrock-invocationMetrics": METRICS,
        },
    ],
    # Amazon Titan Text: .../model-parameters-titan-text.html, InvokeModelWithResponseStream chunk:
    # `outputText`, `index`, `totalOutputTextTokenCount`, `completionReason`, `inputTextTokenCount`.
    "titan": [
        {
            "outputText": "Hel",
            "index": 0,
            "totalOutputTextTokenCount": 1,
            "completionReason": None,
            "inputTextTokenCount": 11,
        },
        {
            "outputText": "",
            "index": 0,
            "totalOutputTextTokenCount": 1,
            "completionReason": None,
            "inputTextTokenCount": 11,
        },
        {
            "outputText": "lo!",
            "index": 0,
            "totalOutputTextTokenCount": 3,
            "completionReason": "FINISH",
            "inputTextTokenCount": 11,
            "amazon-bedrock-invocationMetrics": METRICS,
        },
    ],
    # Cohere Command R: .../model-parameters-cohere-command-r-plus.html, streamed events `event_type`
    # "text-generation" with `text`, then "stream-end" with `finish_reason` ("COMPLETE" | "MAX_TOKENS" | …).
    "cohere": [
        {"is_finished": False, "event_type": "stream-start", "generation_id": "g"},
        {"is_finished": False, "event_type": "text-generation", "text": "Hel"},
        {"is_finished": False, "event_type": "text-generation", "text": "lo!"},
        {
            "is_finished": True,
            "event_type": "stream-end",
            "finish_reason": "COMPLETE",
            "amazon-bedrock-invocationMetrics": METRICS,
        },
    ],
    # Amazon Nova: docs.aws.amazon.com/nova/latest/userguide (streaming with InvokeModelWithResponseStream):
    # each chunk is one Converse event under its name; Bedrock adds the invocation metrics to the last.
    "nova": [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": "Hel"}, "contentBlockIndex": 0}},
        {"contentBlockDelta": {"delta": {"text": "lo!"}, "contentBlockIndex": 0}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {"usage": {"inputTokens": 11, "outputTokens": 3}, "metrics": {}, "trace": {}},
            "amazon-bedrock-invocationMetrics": METRICS,
        },
    ],
}

FINISH = {
    "llama": "stop",
    "mistral": "length",
    "mistral-chat": "stop",
    "titan": "stop",
    "cohere": "stop",
    "nova": "stop",
}


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_invoke_vendor(vendor: str) -> None:
    body = invoke(VENDORS[vendor])
    events = both(body)
    assert dicts(reference.parse(body, "auto")) == events
    assert "".join(e["text"] for e in events if e["type"] == "text_delta") == "Hello!"
    finish = events[-1]
    assert finish["reason"] == FINISH[vendor]
    assert (finish["usage"]["input_tokens"], finish["usage"]["output_tokens"]) == (11, 3)
    assert json.loads(finish["provider_metadata_json"])["amazon-bedrock-invocationMetrics"] == METRICS
    # A stream cut before its last chunk is incomplete, with the counts known so far.
    cut = both(invoke(VENDORS[vendor][:2]))
    assert [e["type"] for e in cut][-2:] == ["error", "finish"]
    assert cut[-2]["kind"] == "incomplete_stream"


def test_unknown_vendor_and_mixed_apis_are_faults() -> None:
    for backend in (reference, rust_backend()):
        with pytest.raises(StreamParseError, match="cannot tell the model vendor"):
            backend.parse(invoke([{"hello": 1}]), "bedrock")
        mixed = converse_frame("messageStart", {"role": "assistant"}) + invoke_chunk({"generation": "x"})
        with pytest.raises(StreamParseError, match="an Invoke `chunk` in a ConverseStream"):
            backend.parse(mixed, "bedrock")


def test_exception_in_a_vendor_stream() -> None:
    body = invoke(VENDORS["llama"][:2]) + exception_frame("modelStreamErrorException", "boom")
    events = both(body)
    assert [e["type"] for e in events][-4:] == ["text_delta", "text_end", "error", "finish"]
    assert events[-1]["usage"]["input_tokens"] == 11


# Any sequence of events, well formed or not: both backends agree, events and faults alike.

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 2**64),
    st.sampled_from(["", "x", "end_turn", "tool_use", "server_tool_use", "t1", '{"a":', "1}", "é"]),
    st.just({}),
    st.just([]),
)
_TEXT = st.sampled_from(["", "x", "é", '{"a":', "1}", "t1", "server_tool_use", "end_turn", "tool_use"])
# Mostly well formed (so that streams get far), now and then a value of any type.
_ODD = st.one_of(_TEXT, _VALUES)
_DELTA = st.one_of(
    st.fixed_dictionaries({"text": _TEXT}),
    st.fixed_dictionaries({"toolUse": st.fixed_dictionaries({"input": _TEXT})}),
    st.fixed_dictionaries(
        {
            "reasoningContent": st.fixed_dictionaries(
                {}, optional={"text": _TEXT, "signature": _TEXT, "redactedContent": _TEXT}
            )
        }
    ),
    st.fixed_dictionaries(
        {"citation": st.fixed_dictionaries({"title": _TEXT}, optional={"location": st.just({"web": {"url": "u"}})})}
    ),
    st.fixed_dictionaries(
        {
            "toolResult": st.one_of(
                st.just([{"json": {}}]), st.just([]), st.just([{"text": "x"}, {"json": [1]}]), _VALUES
            )
        }
    ),
    st.dictionaries(st.sampled_from(["text", "toolUse", "reasoningContent", "citation"]), _VALUES, max_size=2),
)
_START = st.one_of(
    st.fixed_dictionaries(
        {"toolUse": st.fixed_dictionaries({"toolUseId": _TEXT}, optional={"name": _TEXT, "type": _ODD})}
    ),
    st.fixed_dictionaries(
        {"toolResult": st.fixed_dictionaries({"toolUseId": _ODD}, optional={"status": st.sampled_from(["error", "x"])})}
    ),
    st.just({}),
    st.dictionaries(st.sampled_from(["toolUse", "toolResult"]), _VALUES, max_size=1),
)
_INDEX = st.integers(0, 2)
_GOOD = st.one_of(
    st.tuples(st.just("messageStart"), st.just({"role": "assistant"})),
    st.tuples(st.just("contentBlockStart"), st.fixed_dictionaries({"contentBlockIndex": _INDEX, "start": _START})),
    *[st.tuples(st.just("contentBlockDelta"), st.fixed_dictionaries({"contentBlockIndex": _INDEX, "delta": _DELTA}))]
    * 3,
    st.tuples(st.just("contentBlockStop"), st.fixed_dictionaries({"contentBlockIndex": _INDEX})),
    st.tuples(
        st.just("messageStop"),
        st.fixed_dictionaries({"stopReason": _TEXT}, optional={"additionalModelResponseFields": st.just({"x": [1]})}),
    ),
    st.tuples(
        st.just("metadata"),
        st.fixed_dictionaries(
            {},
            optional={
                "usage": st.just({"inputTokens": 3, "cacheReadInputTokens": 2, "outputTokens": 1}),
                "metrics": st.just({"latencyMs": 1}),
            },
        ),
    ),
)
# Now and then an event of any name with members of any type.
_ODD_EVENT = st.dictionaries(
    st.sampled_from(["contentBlockIndex", "start", "delta", "stopReason", "usage", "metrics"]),
    st.one_of(_VALUES, _DELTA, _START),
    max_size=3,
)
_NAMES = st.sampled_from(
    ["messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata", "x"]
)
_EVENTS = st.lists(st.one_of(*[_GOOD] * 12, st.tuples(_NAMES, _ODD_EVENT)), max_size=10)
_LEAVES = st.dictionaries(st.sampled_from(["text", "stop_reason", "finish_reason"]), _ODD, max_size=2)


def outcome(backend: ModuleType, body: bytes, on_error: str) -> tuple[str, Any]:
    try:
        return ("events", dicts(backend.parse(body, "bedrock", on_error=on_error)))
    except StreamParseError as err:
        return ("error", (str(err), dicts(getattr(err, "events", []))))


@settings(max_examples=300, deadline=None)
@given(_EVENTS, st.sampled_from(["raise", "emit"]))
def test_any_converse_events_both_backends(events: list[tuple[str, dict[str, Any]]], on_error: str) -> None:
    body = b"".join(converse_frame(name, event) for name, event in events)
    assert outcome(rust_backend(), body, on_error) == outcome(reference, body, on_error)


_CHUNK = st.dictionaries(
    st.sampled_from(
        [
            "generation",
            "stop_reason",
            "prompt_token_count",
            "outputs",
            "choices",
            "outputText",
            "completionReason",
            "text",
            "finish_reason",
            "generations",
            "is_finished",
            "messageStop",
            "contentBlockDelta",
            "amazon-bedrock-invocationMetrics",
        ]
    ),
    st.one_of(
        _VALUES,
        st.lists(st.one_of(_LEAVES, st.dictionaries(st.just("message"), st.just({"content": "c"}))), max_size=2),
        st.just({"inputTokenCount": 4}),
        st.just({"delta": {"text": "n"}, "contentBlockIndex": 0}),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHUNK, max_size=5), st.sampled_from(["raise", "emit"]))
def test_any_invoke_chunks_both_backends(chunks: list[dict[str, Any]], on_error: str) -> None:
    body = invoke(chunks)
    assert outcome(rust_backend(), body, on_error) == outcome(reference, body, on_error)
