"""The drop-in decoder for the openai and anthropic SDKs: the SDK's own streaming calls give the very
same chunk objects with and without it (compared by ``model_dump()``), over a real local server and,
for the whole corpus, in memory under random chunkings. Both backends behind the swap."""

from __future__ import annotations

import asyncio
import random
import re
import tomllib
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anthropic
import openai
import pytest
from anthropic import _streaming as anthropic_streaming
from openai import _streaming as openai_streaming

import streamdelta.httpx as sd_httpx
import streamdelta.integrations.anthropic as sd_anthropic
import streamdelta.integrations.openai as sd_openai
from streamdelta import StreamParseError
from streamdelta.integrations import _sdk

from .conftest import family_bodies, random_splits, require_corpus, sse_bodies
from .sdk_replay import (
    SDKS,
    Sdk,
    client,
    helper_over_http,
    helper_over_http_async,
    in_memory,
    in_memory_async,
    over_http,
    over_http_async,
)


@pytest.fixture
def swap_backend(backend: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The swapped-in decoder, made to use ``backend``."""
    monkeypatch.setattr(_sdk, "_backend", backend)
    return backend


def http_sample() -> list[Any]:
    """Two bodies of each SDK's family, the first and the largest: the HTTP path, kept quick."""
    out = []
    for case, sdk in SDKS.items():
        bodies = family_bodies(sdk.family)
        picked = [bodies[0], max(bodies, key=lambda nb: len(nb[1]))] if bodies else []
        out += [pytest.param(sdk, name, body, id=f"{case}-{name}") for name, body in picked]
    return out


STOCK: dict[tuple[str, str, bool], Any] = {}


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("sdk", "name", "body"), http_sample())
def test_same_chunks_over_http(
    swap_backend: ModuleType, body_server: Any, sdk: Sdk, name: str, body: bytes, is_async: bool
) -> None:
    url = body_server.url(body, seed=zlib.crc32(name.encode()))
    run = over_http_async if is_async else over_http
    key = (sdk.family, name, is_async)
    if key not in STOCK:  # the same for both backends
        STOCK[key] = run(sdk, url, False)
    assert STOCK[key][0], "the SDK made chunks of the body"
    assert run(sdk, url, True) == STOCK[key]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", list(SDKS))
def test_stream_helpers_and_final_objects_over_http(
    swap_backend: ModuleType, body_server: Any, case: str, is_async: bool
) -> None:
    require_corpus()
    sdk = SDKS[case]
    name, body = family_bodies(sdk.family)[0]
    url = body_server.url(body, seed=zlib.crc32(name.encode()))
    run = helper_over_http_async if is_async else helper_over_http
    stock = run(sdk, url, False)
    assert stock[1] is None, stock[1]
    assert len(stock[0]) > 1, "the helper made events and a final object"
    assert run(sdk, url, True) == stock


@pytest.fixture
def http_backend(backend: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``streamdelta.httpx`` (which the SDK stream objects use) made to use ``backend``."""
    monkeypatch.setattr(sd_httpx, "_backend", backend)
    return backend


@pytest.mark.parametrize("swap", [False, True], ids=["stock", "installed"])
@pytest.mark.parametrize("case", list(SDKS))
def test_stream_object_over_an_sdk_stream(http_backend: ModuleType, body_server: Any, case: str, swap: bool) -> None:
    require_corpus()
    sdk = SDKS[case]
    name, body = family_bodies(sdk.family)[-1]
    url = body_server.url(body, seed=zlib.crc32(name.encode()))
    want = http_backend.parse(body)
    message = http_backend.StreamParser()
    message.feed(body)
    message.close()
    with client(sdk, url, swap) as c, sdk.integration.stream(sdk.create(c)) as events:
        assert list(events) == want
        assert events.message == message.message
        assert events.response.is_closed

    async def run() -> tuple[list[Any], Any]:
        async with client(sdk, url, swap, is_async=True) as c:
            events = sdk.integration.astream(await sdk.create(c))
            async with events:
                return [e async for e in events], await events.final_message()

    assert asyncio.run(run()) == (want, message.message)


@pytest.mark.parametrize("case", list(SDKS))
def test_same_chunks_in_memory_whole_corpus(swap_backend: ModuleType, case: str) -> None:
    require_corpus()
    sdk = SDKS[case]
    stock, swapped = client(sdk, "http://127.0.0.1", False), client(sdk, "http://127.0.0.1", True)
    rng = random.Random(case)
    for name, body in family_bodies(sdk.family):
        chunks = list(random_splits(body, rng, 256))
        assert in_memory(sdk, swapped, chunks) == in_memory(sdk, stock, [body]), name


@pytest.mark.parametrize("case", list(SDKS))
def test_same_chunks_in_memory_async(swap_backend: ModuleType, case: str) -> None:
    sdk = SDKS[case]
    stock = client(sdk, "http://127.0.0.1", False, is_async=True)
    swapped = client(sdk, "http://127.0.0.1", True, is_async=True)
    for name, body in family_bodies(sdk.family)[:5]:
        chunks = list(random_splits(body, random.Random(name), 64))
        assert in_memory_async(sdk, swapped, chunks) == in_memory_async(sdk, stock, [body]), name


def sdk_view(event: Any) -> tuple[Any, ...]:
    parsed = event.json() if event.data.startswith("{") else None
    return (type(event), event.event, event.data, event.id, event.retry, parsed)


@pytest.mark.parametrize("streaming", [openai_streaming, anthropic_streaming], ids=["openai", "anthropic"])
def test_same_events_as_the_sdk_decoder_on_every_sse_body(swap_backend: ModuleType, streaming: ModuleType) -> None:
    require_corpus()
    ours = _sdk.SSEBytesDecoder(streaming.ServerSentEvent)
    rng = random.Random(1)
    for name, body in sse_bodies():
        want = [sdk_view(e) for e in streaming.SSEDecoder().iter_bytes(iter([body]))]
        assert [sdk_view(e) for e in ours.iter_bytes(random_splits(body, rng, 128))] == want, name


EDGE_CASES = [
    ("no event type is None", b"data: a\n\n", [(None, "a", None, None)]),
    ("event type kept", b"event: ping\ndata: {}\n\n", [("ping", "{}", None, None)]),
    ("id persists", b"id: 7\ndata: a\n\ndata: b\n\n", [(None, "a", "7", None), (None, "b", "7", None)]),
    ("retry", b"retry: 15\ndata: a\n\n", [(None, "a", None, 15)]),
    ("crlf split", b"data: a\r\n\r\ndata: b\r\r", [(None, "a", None, None), (None, "b", None, None)]),
    ("pending event dropped at the end, as by the SDK", b"data: a\n\ndata: b\n", [(None, "a", None, None)]),
]


@pytest.mark.parametrize(("body", "want"), [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
@pytest.mark.parametrize("streaming", [openai_streaming, anthropic_streaming], ids=["openai", "anthropic"])
def test_edge_cases_match_the_sdk(
    swap_backend: ModuleType, streaming: ModuleType, body: bytes, want: list[tuple[Any, ...]]
) -> None:
    def fields(events: Any) -> list[tuple[Any, ...]]:
        return [(e.event, e.data, e.id, e.retry) for e in events]

    assert fields(streaming.SSEDecoder().iter_bytes(iter([body]))) == want
    bytewise = (body[i : i + 1] for i in range(len(body)))
    assert fields(_sdk.SSEBytesDecoder(streaming.ServerSentEvent).iter_bytes(bytewise)) == want


def test_byte_order_mark_is_skipped_where_the_sdk_loses_the_first_field(swap_backend: ModuleType) -> None:
    body = b"\xef\xbb\xbfdata: a\n\n"
    assert list(openai_streaming.SSEDecoder().iter_bytes(iter([body]))) == []
    (event,) = _sdk.SSEBytesDecoder(openai_streaming.ServerSentEvent).iter_bytes(iter([body]))
    assert (event.event, event.data) == (None, "a")


def test_explicit_message_event_type_reads_as_none(swap_backend: ModuleType) -> None:
    # The one documented difference: the spec does not tell `event: message` from no event type.
    body = b"event: message\ndata: a\n\n"
    assert next(openai_streaming.SSEDecoder().iter_bytes(iter([body]))).event == "message"
    assert next(_sdk.SSEBytesDecoder(openai_streaming.ServerSentEvent).iter_bytes(iter([body]))).event is None


def test_error_payload_raises_the_same_sdk_error(swap_backend: ModuleType) -> None:
    sdk = SDKS["openai-chat"]
    body = [
        b'data: {"id":"1","object":"chat.completion.chunk","created":0,"model":"m","choices":[]}\n\n'
        b'data: {"error": {"message": "over',
        b'loaded"}}\n\n',
    ]
    got = in_memory(sdk, client(sdk, "http://127.0.0.1", True), body)
    assert got == in_memory(sdk, client(sdk, "http://127.0.0.1", False), body)
    assert got[1] == ("APIError", "overloaded")


def test_event_size_limit(swap_backend: ModuleType) -> None:
    decoder = _sdk.SSEBytesDecoder(openai_streaming.ServerSentEvent, max_event_bytes=16)
    with pytest.raises(StreamParseError) as caught:
        list(decoder.iter_bytes(iter([b"data: 0123456789abcdef\n\n"])))
    assert str(caught.value) == (
        "line longer than `max_event_bytes` (16 bytes); raise `max_event_bytes` to accept it at byte 0"
    )


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_events_before_a_fault_are_yielded_first(swap_backend: ModuleType, is_async: bool) -> None:
    # One chunk holds a whole event, then a line over the limit: the event comes out, then the error.
    decoder = _sdk.SSEBytesDecoder(openai_streaming.ServerSentEvent, max_event_bytes=16)
    body = [b"data: a\n\ndata: 0123456789abcdef\n\n"]
    got: list[Any] = []

    async def drain() -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for chunk in body:
                yield chunk

        async for event in decoder.aiter_bytes(chunks()):
            got.append(event)

    def run() -> None:
        if is_async:
            asyncio.run(drain())
        else:
            got.extend(decoder.iter_bytes(iter(body)))

    with pytest.raises(StreamParseError, match=r"^line longer than `max_event_bytes` \(16 bytes\)"):
        run()
    assert [(e.event, e.data) for e in got] == [(None, "a")]


@pytest.mark.parametrize(
    ("integration", "make"),
    [
        (sd_openai, lambda: openai.OpenAI(api_key="test")),
        (sd_openai, lambda: openai.AsyncOpenAI(api_key="test")),
        (sd_openai, lambda: openai.AzureOpenAI(api_key="test", api_version="1", azure_endpoint="http://127.0.0.1")),
        (sd_anthropic, lambda: anthropic.Anthropic(api_key="test")),
        (sd_anthropic, lambda: anthropic.AsyncAnthropic(api_key="test")),
        (sd_anthropic, lambda: anthropic.AnthropicVertex(region="us-east5", project_id="p", access_token="t")),
    ],
    ids=["OpenAI", "AsyncOpenAI", "AzureOpenAI", "Anthropic", "AsyncAnthropic", "AnthropicVertex"],
)
def test_install_uninstall_and_copies(integration: ModuleType, make: Any) -> None:
    c = make()
    stock = type(c._make_sse_decoder())
    assert not integration.installed(c)
    integration.install(c)
    integration.install(c)  # twice is once
    assert integration.installed(c)
    assert isinstance(c._make_sse_decoder(), _sdk.SSEBytesDecoder)
    # What newer SDKs pass (anthropic 2.17: the request options), positionally or by name.
    assert c._make_sse_decoder(None) is c._make_sse_decoder(options=None) is c._make_sse_decoder()
    for copy in (c.copy(), c.with_options(timeout=5)):
        assert type(copy) is type(c)
        assert integration.installed(copy)
    integration.uninstall(c)
    integration.uninstall(c)
    assert not integration.installed(c)
    assert type(c._make_sse_decoder()) is stock
    assert not integration.installed(c.copy())
    assert sorted(k for k in vars(c) if k in ("_make_sse_decoder", "copy", "with_options")) == []


def test_install_refuses_a_client_with_another_decoder() -> None:
    class Bedrock(anthropic.Anthropic):
        def _make_sse_decoder(self) -> Any:
            return object()

    with pytest.raises(TypeError) as caught:
        sd_anthropic.install(Bedrock(api_key="test"))
    assert str(caught.value) == (
        "Bedrock gets its stream decoder from tests.test_integrations."
        "test_install_refuses_a_client_with_another_decoder.<locals>.Bedrock._make_sse_decoder, "
        "not from the anthropic SDK's own SSEDecoder: there is nothing to replace"
    )
    with pytest.raises(TypeError) as caught:
        sd_anthropic.install(openai.OpenAI(api_key="test"))
    assert str(caught.value) == (
        "OpenAI gets its stream decoder from openai._base_client.BaseClient._make_sse_decoder, "
        "not from the anthropic SDK's own SSEDecoder: there is nothing to replace"
    )


def test_anthropic_bedrock_client_is_refused() -> None:
    bedrock = pytest.importorskip("anthropic.lib.bedrock")
    try:
        made = bedrock.AnthropicBedrock(aws_region="us-east-1", aws_access_key="a", aws_secret_key="b")
    except Exception as err:  # its AWS dependencies are optional
        pytest.skip(f"AnthropicBedrock cannot be made here: {err}")
    with pytest.raises(TypeError, match=r"^AnthropicBedrock gets its stream decoder from anthropic\.lib\.bedrock\."):
        sd_anthropic.install(made)
    assert not sd_anthropic.installed(made)


def test_pinned_sdks_are_the_oldest_the_extras_accept() -> None:
    # CI tests the pins (requirements-dev.txt) and `make test-sdk-newest` the newest in range: together
    # the two ends of what `streamdelta[openai]` / `streamdelta[anthropic]` promise.
    root = Path(__file__).resolve().parent.parent
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = dict(
        line.split("==", 1)
        for line in (root / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    for sdk in ("openai", "anthropic"):
        (spec,) = extras[sdk]
        lower = re.search(r">=([\d.]+)", spec)
        assert lower, spec
        assert pins[sdk] == lower[1], sdk
