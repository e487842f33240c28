"""What people run today to turn a streaming response into text and tool calls, for the benchmarks:
the official SDKs' own stream paths, and an SSE library + a JSON library + the smallest normalizer.

Every pipeline takes one body's chunks (and its wire family) and returns a result; ``summary`` turns a
result into what all of them model the same way: the final text and the (name, parsed arguments) of
each client-side tool call. The timed loop leaves ``summary`` out.
"""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

import httpx._decoders
import httpx_sse._decoders
import orjson
import sseclient

__all__ = ["PIPELINES", "Pipeline", "Summary", "httpx_sse_lines", "message_summary", "streamdelta_pipeline"]

Summary = tuple[str, list[tuple[str, Any]]]
# (family, chunks of one body) -> (result, how to summarize it)
Pipeline = Callable[[str, Iterable[bytes]], tuple[Any, Callable[[Any], Summary]]]


def arguments(text: str | None) -> Any:
    """Tool-call arguments as a value: each implementation formats the JSON text its own way."""
    return json.loads(text) if text else {}


# --- streamdelta -----------------------------------------------------------------------------------


def message_summary(m: Any) -> Summary:
    return (m.text, [(t.name, arguments(t.arguments)) for t in m.tool_calls if not t.provider_executed])


def streamdelta_pipeline(backend: ModuleType) -> Pipeline:
    parser_class = backend.StreamParser

    def run(family: str, chunks: Iterable[bytes]) -> tuple[Any, Callable[[Any], Summary]]:
        parser = parser_class(family)
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
        return parser.message, message_summary

    return run


# --- the official SDKs ------------------------------------------------------------------------------


def openai_chat_sdk(chunks: Iterable[bytes]) -> Any:
    """The SDK's own path: its SSE decoder, ``json.loads``, lenient model construction, and the
    ``ChatCompletionStreamState`` accumulator that ``client.chat.completions.stream()`` uses."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state = ChatCompletionStreamState()
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        if sse.data.startswith("[DONE]"):
            break
        state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=json.loads(sse.data)))
    return state.current_completion_snapshot


def openai_chat_sdk_summary(snapshot: Any) -> Summary:
    message = snapshot.choices[0].message
    calls = [(t.function.name, arguments(t.function.arguments)) for t in message.tool_calls or []]
    return (message.content or "", calls)


def openai_responses_sdk(chunks: Iterable[bytes]) -> Any:
    """The SDK's own path: its SSE decoder, model construction of each event, and the
    ``ResponseStreamState`` accumulator that ``client.responses.stream()`` uses."""
    from openai._models import construct_type
    from openai._streaming import SSEDecoder
    from openai._types import omit
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        event = construct_type(type_=ResponseStreamEvent, value=sse.json())  # type: ignore[arg-type]
        for out in state.handle_event(event):
            if out.type == "response.completed":
                final = out.response
    return final


def openai_responses_sdk_summary(response: Any) -> Summary:
    calls = [(o.name, arguments(o.arguments)) for o in response.output if o.type == "function_call"]
    return (response.output_text, calls)


def anthropic_sdk(chunks: Iterable[bytes]) -> Any:
    """The SDK's own path: its ``SSEDecoder``, ``json.loads``, ``construct_type`` and ``accumulate_event``,
    what its ``Stream`` does per event."""
    from anthropic._models import construct_type
    from anthropic._streaming import SSEDecoder
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent

    snapshot = None
    json_bufs: dict[int, bytes] = {}
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        if sse.event in ("ping", "error") or not sse.data:
            continue
        event = construct_type(type_=RawMessageStreamEvent, value=json.loads(sse.data))
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
    return snapshot


def anthropic_sdk_summary(message: Any) -> Summary:
    text = "".join(b.text for b in message.content if b.type == "text")
    return (text, [(b.name, b.input) for b in message.content if b.type == "tool_use"])


SDKS: dict[str, dict[str, tuple[Callable[[Iterable[bytes]], Any], Callable[[Any], Summary]]]] = {
    "openai-sdk": {
        "openai-chat": (openai_chat_sdk, openai_chat_sdk_summary),
        "openai-responses": (openai_responses_sdk, openai_responses_sdk_summary),
    },
    "anthropic-sdk": {"anthropic": (anthropic_sdk, anthropic_sdk_summary)},
}


def sdk_pipeline(name: str) -> Pipeline:
    def run(family: str, chunks: Iterable[bytes]) -> tuple[Any, Callable[[Any], Summary]]:
        decode, summarize = SDKS[name][family]
        return decode(chunks), summarize

    return run


# --- an SSE library, a JSON library, and the smallest normalizer ----------------------------------


def httpx_sse_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """httpx-sse's ``_iter_sse_lines`` over httpx's ``Response.iter_text`` (its incremental UTF-8 decoder,
    empty texts dropped), without the HTTP machinery around them."""
    text_decoder = httpx._decoders.TextDecoder("utf-8")
    lines = httpx_sse._decoders.SSELineDecoder()
    for chunk in chunks:
        text = text_decoder.decode(chunk)
        if text:
            yield from lines.decode(text)
    text = text_decoder.flush()
    if text:
        yield from lines.decode(text)
    yield from lines.flush()


def httpx_sse_events(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """(event, data) of ``EventSource.iter_sse``."""
    sse = httpx_sse._decoders.SSEDecoder()
    for line in httpx_sse_lines(chunks):
        event = sse.decode(line.rstrip("\n"))
        if event is not None:
            yield event.event, event.data


def sseclient_events(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """(event, data) of ``SSEClient``, which reads any iterable of byte chunks as its event source."""
    for event in sseclient.SSEClient(chunks).events():
        yield event.event, event.data


class Normalizer:
    """Text and tool calls out of parsed payloads: the least every family's consumer writes by hand."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.calls: dict[Any, list[Any]] = {}

    def result(self) -> Summary:
        return ("".join(self.text), [(name, arguments(args)) for name, args in self.calls.values()])


def normalize_chat(n: Normalizer, event: str, payload: Any) -> None:
    for choice in payload.get("choices") or ():
        delta = choice.get("delta") or {}
        if delta.get("content"):
            n.text.append(delta["content"])
        for call in delta.get("tool_calls") or ():
            fn = call.get("function") or {}
            slot = n.calls.setdefault(call.get("index", 0), ["", ""])
            slot[0] = slot[0] or fn.get("name") or ""
            slot[1] += fn.get("arguments") or ""


def normalize_responses(n: Normalizer, event: str, payload: Any) -> None:
    kind = payload.get("type")
    if kind == "response.output_text.delta":
        n.text.append(payload["delta"])
    elif kind == "response.output_item.done" and payload["item"].get("type") == "function_call":
        item = payload["item"]
        n.calls[item["call_id"]] = [item["name"], item["arguments"]]


def normalize_anthropic(n: Normalizer, event: str, payload: Any) -> None:
    kind = payload.get("type")
    if kind == "content_block_start" and payload["content_block"]["type"] == "tool_use":
        n.calls[payload["index"]] = [payload["content_block"]["name"], ""]
    elif kind == "content_block_delta":
        delta = payload["delta"]
        if delta["type"] == "text_delta":
            n.text.append(delta["text"])
        elif delta["type"] == "input_json_delta" and payload["index"] in n.calls:
            n.calls[payload["index"]][1] += delta["partial_json"]


def normalize_gemini(n: Normalizer, event: str, payload: Any) -> None:
    for candidate in payload.get("candidates") or ():
        for part in (candidate.get("content") or {}).get("parts") or ():
            if "text" in part and not part.get("thought"):
                n.text.append(part["text"])
            elif "functionCall" in part:
                call = part["functionCall"]
                n.calls[len(n.calls)] = [call["name"], json.dumps(call.get("args") or {})]


def normalize_completions(n: Normalizer, event: str, payload: Any) -> None:
    for choice in payload.get("choices") or ():
        if choice.get("text"):
            n.text.append(choice["text"])


def normalize_cohere(n: Normalizer, event: str, payload: Any) -> None:
    kind = payload.get("type")
    message = (payload.get("delta") or {}).get("message") or {}
    if kind == "content-delta":
        text = (message.get("content") or {}).get("text")
        if text:
            n.text.append(text)
    elif kind == "tool-call-start":
        fn = (message.get("tool_calls") or {}).get("function") or {}
        n.calls[payload["index"]] = [fn.get("name") or "", fn.get("arguments") or ""]
    elif kind == "tool-call-delta" and payload.get("index") in n.calls:
        fn = (message.get("tool_calls") or {}).get("function") or {}
        n.calls[payload["index"]][1] += fn.get("arguments") or ""


NORMALIZERS = {
    "openai-chat": normalize_chat,
    "openai-responses": normalize_responses,
    "anthropic": normalize_anthropic,
    "gemini": normalize_gemini,
    "openai-completions": normalize_completions,
    "cohere": normalize_cohere,
}


def sse_json_pipeline(
    events: Callable[[Iterable[bytes]], Iterator[tuple[str, str]]], loads: Callable[[str], Any]
) -> Pipeline:
    def run(family: str, chunks: Iterable[bytes]) -> tuple[Any, Callable[[Any], Summary]]:
        normalize = NORMALIZERS[family]
        n = Normalizer()
        for event, data in events(chunks):
            if data and data != "[DONE]":
                normalize(n, event, loads(data))
        return n, Normalizer.result

    return run


# --- the other framings: botocore's event-stream reader, and lines of JSON ---------------------------


def botocore_frames(chunks: Iterable[bytes]) -> Iterator[tuple[str, bytes]]:
    """(event type, payload) of each frame, from botocore's own incremental event-stream reader (what
    boto3's ``EventStream`` iterates; the service-model shape parsing left out)."""
    from botocore.eventstream import EventStreamBuffer

    frames = EventStreamBuffer()
    for chunk in chunks:
        frames.add_data(chunk)
        for message in frames:
            headers = message.headers
            yield headers.get(":event-type") or headers.get(":exception-type") or "", message.payload


def normalize_converse(n: Normalizer, event: str, payload: Any) -> None:
    index = payload.get("contentBlockIndex")
    if event == "contentBlockStart":
        tool = (payload.get("start") or {}).get("toolUse")
        if tool and tool.get("type") != "server_tool_use":  # run by the provider: not the client's
            n.calls[index] = [tool.get("name") or "", ""]
    elif event == "contentBlockDelta":
        delta = payload.get("delta") or {}
        if delta.get("text"):
            n.text.append(delta["text"])
        elif "toolUse" in delta and index in n.calls:
            n.calls[index][1] += delta["toolUse"].get("input") or ""


def bedrock_pipeline(family: str, chunks: Iterable[bytes]) -> tuple[Any, Callable[[Any], Summary]]:
    """botocore + ``json``: Converse events as they are; Invoke chunks (Anthropic's, the recorded ones)
    through base64 and ``json`` again."""
    n = Normalizer()
    for event, payload in botocore_frames(chunks):
        value = json.loads(payload)
        if event == "chunk":
            normalize_anthropic(n, event, json.loads(base64.b64decode(value["bytes"])))
        else:
            normalize_converse(n, event, value)
    return n, Normalizer.result


def json_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of an NDJSON body as they complete."""
    rest = b""
    for chunk in chunks:
        *lines, rest = (rest + chunk).split(b"\n")
        yield from lines
    yield rest


def normalize_ollama(n: Normalizer, event: str, payload: Any) -> None:
    message = payload.get("message") or {}
    text = message.get("content") or payload.get("response")
    if text:
        n.text.append(text)
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {}
        n.calls[len(n.calls)] = [fn.get("name") or "", json.dumps(fn.get("arguments") or {})]


def ndjson_pipeline(family: str, chunks: Iterable[bytes]) -> tuple[Any, Callable[[Any], Summary]]:
    """``json.loads`` per line: what a client of Ollama's native API writes."""
    n = Normalizer()
    for line in json_lines(chunks):
        if line.strip():
            normalize_ollama(n, "", json.loads(line))
    return n, Normalizer.result


# name -> (pipeline, the slices it covers: families and kinds such as `bedrock-converse`; None = all)
PIPELINES: dict[str, tuple[Pipeline, frozenset[str] | None]] = {
    "openai-sdk": (sdk_pipeline("openai-sdk"), frozenset(SDKS["openai-sdk"])),
    "anthropic-sdk": (sdk_pipeline("anthropic-sdk"), frozenset(SDKS["anthropic-sdk"])),
    "httpx-sse+orjson": (sse_json_pipeline(httpx_sse_events, orjson.loads), frozenset(NORMALIZERS)),
    "sseclient-py+json": (sse_json_pipeline(sseclient_events, json.loads), frozenset(NORMALIZERS)),
    "botocore+json": (bedrock_pipeline, frozenset(("bedrock", "bedrock-converse", "bedrock-invoke"))),
    "lines+json": (ndjson_pipeline, frozenset(("ollama",))),
}
