"""The httpx and aiohttp adapters against a real local HTTP server replaying corpus bodies.

What an adapter yields is compared with ``parse()`` / ``SSEDecoder`` on the same whole body: the two
are equal whatever the wire-family decoders make of the body, since output may not depend on how the
body is cut. Both backends; sync and async httpx; aiohttp.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest

import streamdelta.aiohttp as sd_aiohttp
import streamdelta.httpx as sd_httpx
from streamdelta import StreamParseError, cassettes

from .conftest import corpus_interactions, family_of, require_corpus

# (events, error message, events left on the exception: an iterator yields them before raising)
Outcome = tuple[list[Any], "str | None", list[Any]]


def sample() -> list[tuple[str, cassettes.Interaction]]:
    """The first two bodies of each family and the largest SSE body: every framing and family, kept quick."""
    seen: dict[str, int] = {}
    out = []
    for name, item in corpus_interactions():
        family = family_of(item)
        if seen.get(family, 0) < 2:
            seen[family] = seen.get(family, 0) + 1
            out.append((name, item))
    streams = [pair for pair in corpus_interactions() if pair[1].is_event_stream]
    if streams:
        out.append(max(streams, key=lambda pair: len(pair[1].body)))
    return out


SAMPLE = sample()
SSE_SAMPLE = [pair for pair in SAMPLE if pair[1].is_event_stream]
MODES = [pytest.param({"on_error": "raise"}, id="raise"), pytest.param({"on_error": "emit"}, id="emit")]


@pytest.fixture(autouse=True)
def _corpus() -> None:
    require_corpus()


@pytest.fixture
def adapters(backend: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The adapters, made to use ``backend`` (they use the package's default one otherwise)."""
    monkeypatch.setattr(sd_httpx, "_backend", backend)
    monkeypatch.setattr(sd_aiohttp, "_backend", backend)
    return backend


def seed_of(name: str, client: str) -> int:
    return zlib.crc32(f"{name}|{client}".encode())


def expected(backend: ModuleType, item: cassettes.Interaction, options: dict[str, Any]) -> Outcome:
    family = "bedrock" if item.is_aws_event_stream else "auto"
    try:
        return backend.parse(item.body, family, **options), None, []
    except StreamParseError as err:
        return err.events, str(err), []


def collect(events: Iterator[Any]) -> Outcome:
    out: list[Any] = []
    try:
        for event in events:
            out.append(event)
    except StreamParseError as err:
        return out, str(err), err.events
    return out, None, []


async def acollect(events: AsyncIterator[Any]) -> Outcome:
    out: list[Any] = []
    try:
        async for event in events:
            out.append(event)
    except StreamParseError as err:
        return out, str(err), err.events
    return out, None, []


def whole_sse(backend: ModuleType, body: bytes) -> list[Any]:
    dec = backend.SSEDecoder()
    return dec.feed(body) + dec.close()


def by_httpx(url: str, options: dict[str, Any]) -> Outcome:
    with httpx.Client() as client, client.stream("POST", url + "/v1/x", json={"stream": True}) as response:
        return collect(sd_httpx.iter_events(response, **options))


def by_httpx_async(url: str, options: dict[str, Any]) -> Outcome:
    async def run() -> Outcome:
        async with httpx.AsyncClient() as client, client.stream("POST", url) as response:
            return await acollect(sd_httpx.aiter_events(response, **options))

    return asyncio.run(run())


def by_aiohttp(url: str, options: dict[str, Any]) -> Outcome:
    async def run() -> Outcome:
        async with aiohttp.ClientSession() as session, session.post(url, json={"stream": True}) as response:
            return await acollect(sd_aiohttp.aiter_events(response, **options))

    return asyncio.run(run())


CLIENTS = {"httpx": by_httpx, "httpx-async": by_httpx_async, "aiohttp": by_aiohttp}


@pytest.mark.parametrize("client", list(CLIENTS))
@pytest.mark.parametrize("options", MODES)
@pytest.mark.parametrize(("name", "item"), SAMPLE, ids=[name for name, _ in SAMPLE])
def test_events_over_http(
    adapters: ModuleType, body_server: Any, name: str, item: cassettes.Interaction, options: dict[str, Any], client: str
) -> None:
    url = body_server.url(item.body, item.content_type, seed_of(name, client))
    assert CLIENTS[client](url, options) == expected(adapters, item, options)


@pytest.mark.parametrize(("name", "item"), SSE_SAMPLE, ids=[name for name, _ in SSE_SAMPLE])
def test_sse_adapters(adapters: ModuleType, body_server: Any, name: str, item: cassettes.Interaction) -> None:
    want = whole_sse(adapters, item.body)
    assert want, "a corpus stream has events"
    with httpx.stream("GET", body_server.url(item.body, seed=seed_of(name, "sse"))) as response:
        assert list(sd_httpx.iter_sse(response)) == want
        assert response.is_closed

    async def run() -> tuple[list[Any], list[Any]]:
        async with httpx.AsyncClient() as client, client.stream("GET", body_server.url(item.body)) as response:
            by_httpx = [e async for e in sd_httpx.aiter_sse(response)]
        async with aiohttp.ClientSession() as session, session.get(body_server.url(item.body, seed=1)) as response:
            by_aiohttp = [e async for e in sd_aiohttp.aiter_sse(response)]
        return by_httpx, by_aiohttp

    assert asyncio.run(run()) == (want, want)


def test_options_reach_the_decoder(adapters: ModuleType, body_server: Any) -> None:
    body = b"data: " + b"x" * 100 + b"\n\ndata: y\n\n"
    with httpx.stream("GET", body_server.url(body)) as response:
        events = sd_httpx.iter_sse(response, max_event_bytes=64)
        with pytest.raises(StreamParseError) as caught:
            next(events)
    assert str(caught.value) == (
        "line longer than `max_event_bytes` (64 bytes); raise `max_event_bytes` to accept it at byte 0"
    )


def test_event_stream_content_type_means_bedrock(adapters: ModuleType) -> None:
    class Fake:
        headers = httpx.Headers({"Content-Type": "application/vnd.amazon.eventstream; charset=x"})

        def iter_bytes(self) -> Iterator[bytes]:
            return iter([])

    assert sd_httpx.family_for(Fake(), "auto") == "bedrock"
    assert sd_httpx.family_for(Fake(), "anthropic") == "anthropic"
    Fake.headers = httpx.Headers({"content-type": "text/event-stream"})
    assert sd_httpx.family_for(Fake(), "auto") == "auto"


def test_importing_streamdelta_imports_no_http_library() -> None:
    code = (
        "import sys, streamdelta, streamdelta.httpx, streamdelta.aiohttp, streamdelta.integrations;"
        "print(sorted(m for m in ('httpx', 'aiohttp', 'openai', 'anthropic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
