"""The stream objects (``streamdelta.httpx.stream`` / ``astream``, ``streamdelta.aiohttp.stream``, the
SDK integrations' ``stream``) against a real local HTTP server: whole bodies, bodies whose connection
is dropped midway, a stalled body read under a timeout, and error statuses. Both backends.

What a stream yields is checked against ``parse()`` / a ``StreamParser`` fed the same bytes whole,
which is independent of how the body arrives.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest

import streamdelta.aiohttp as sd_aiohttp
import streamdelta.httpx as sd_httpx
from streamdelta import (
    AsyncEventStream,
    EventStream,
    IncompleteStreamError,
    ResponseStatusError,
    StreamParseError,
    cassettes,
)
from streamdelta._http import provider_error_message

from .conftest import family_bodies, require_corpus
from .test_http import MODES, SAMPLE, Outcome, expected

# What reading a stream gave: the events, the text deltas joined, the final message (or the exception).
Read = tuple[list[Any], Any, BaseException | None]


@pytest.fixture
def adapters(backend: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sd_httpx, "_backend", backend)
    monkeypatch.setattr(sd_aiohttp, "_backend", backend)
    return backend


def read_sync(stream: EventStream) -> Read:
    events: list[Any] = []
    try:
        with stream:
            events.extend(stream)
    except (StreamParseError, IncompleteStreamError) as err:
        return events, stream.message, err
    return events, stream.message, None


async def read_async(stream: AsyncEventStream) -> Read:
    events: list[Any] = []
    try:
        async with stream:
            async for event in stream:
                events.append(event)
    except (StreamParseError, IncompleteStreamError) as err:
        return events, stream.message, err
    return events, stream.message, None


def by_httpx(url: str, options: dict[str, Any]) -> Read:
    with httpx.Client() as client, client.stream("POST", url) as response:
        got = read_sync(sd_httpx.stream(response, **options))
        assert response.is_closed
        return got


def by_httpx_async(url: str, options: dict[str, Any]) -> Read:
    async def run() -> Read:
        async with httpx.AsyncClient() as client, client.stream("POST", url) as response:
            got = await read_async(sd_httpx.astream(response, **options))
            assert response.is_closed
            return got

    return asyncio.run(run())


def by_aiohttp(url: str, options: dict[str, Any]) -> Read:
    async def run() -> Read:
        async with aiohttp.ClientSession() as session, session.post(url) as response:
            got = await read_async(sd_aiohttp.stream(response, **options))
            assert response.closed
            return got

    return asyncio.run(run())


CLIENTS: dict[str, Callable[[str, dict[str, Any]], Read]] = {
    "httpx": by_httpx,
    "httpx-async": by_httpx_async,
    "aiohttp": by_aiohttp,
}


def outcome(read: Read) -> Outcome:
    events, _, err = read
    return events, None if err is None else str(err), [] if err is None else getattr(err, "events", [])


def whole_message(backend: ModuleType, body: bytes, family: str, options: dict[str, Any]) -> Any:
    parser = backend.StreamParser(family, **options)
    try:
        parser.feed(body)
        parser.close()
    except StreamParseError:
        pass
    return parser.message


@pytest.mark.parametrize("client", list(CLIENTS))
@pytest.mark.parametrize("options", MODES)
@pytest.mark.parametrize(("name", "item"), SAMPLE, ids=[name for name, _ in SAMPLE])
def test_whole_bodies(
    adapters: ModuleType, body_server: Any, name: str, item: cassettes.Interaction, options: dict[str, Any], client: str
) -> None:
    require_corpus()
    url = body_server.url(item.body, item.content_type, zlib.crc32(f"{name}|stream|{client}".encode()))
    read = CLIENTS[client](url, options)
    assert outcome(read) == expected(adapters, item, options)
    family = "bedrock" if item.is_aws_event_stream else "auto"
    assert read[1] == whole_message(adapters, item.body, family, options)


def anthropic_with_tools() -> bytes:
    for _, body in family_bodies("anthropic"):
        if b'"tool_use"' in body:
            return body
    pytest.skip("no anthropic tool-use body in the corpus")


def test_text_stream_tool_input_and_final_message(adapters: ModuleType, body_server: Any) -> None:
    require_corpus()
    body = anthropic_with_tools()
    want = adapters.parse(body)
    message = whole_message(adapters, body, "auto", {})
    assert message.tool_calls, "the body has tool calls"
    with httpx.stream("GET", body_server.url(body, seed=3)) as response, sd_httpx.stream(response) as stream:
        texts = list(stream.text_stream)
        assert texts == [e.text for e in want if e.type == "text_delta"]
        assert stream.final_message() == message
        for call in message.tool_calls:
            assert stream.tool_input(call.id).value() == call.input
        stream.until_done()  # at the end: nothing more
        assert list(stream) == []

    async def run() -> tuple[list[str], Any]:
        async with httpx.AsyncClient() as client, client.stream("GET", body_server.url(body, seed=4)) as response:
            stream = sd_httpx.astream(response)
            async with stream:
                texts = [text async for text in stream.text_stream]
                return texts, await stream.final_message()

    assert asyncio.run(run()) == ([e.text for e in want if e.type == "text_delta"], message)


def test_live_message_grows(adapters: ModuleType, body_server: Any) -> None:
    require_corpus()
    body = anthropic_with_tools()
    with httpx.stream("GET", body_server.url(body, seed=5)) as response, sd_httpx.stream(response) as stream:
        seen = []
        for event in stream:
            if event.type == "text_delta":
                seen.append(stream.message.text)
    assert seen == sorted(seen, key=len)
    assert all(stream.message.text.startswith(text) for text in seen)


CUT_CAUSES = {
    "httpx": httpx.RemoteProtocolError,
    "httpx-async": httpx.RemoteProtocolError,
    "aiohttp": aiohttp.ClientPayloadError,
}


@pytest.mark.parametrize("client", list(CLIENTS))
@pytest.mark.parametrize("where", [0.3, 0.7])
def test_connection_dropped_midway(adapters: ModuleType, body_server: Any, client: str, where: float) -> None:
    require_corpus()
    body = anthropic_with_tools()
    cut = int(len(body) * where)
    events, message, err = CLIENTS[client](body_server.url(body, cut=cut, seed=cut), {})
    # Everything the delivered bytes hold comes out first, as a parser fed them says.
    delivered = adapters.StreamParser("auto").feed(body[:cut])
    assert events[: len(delivered)] == delivered
    assert isinstance(err, IncompleteStreamError)
    assert isinstance(err.__cause__, CUT_CAUSES[client])
    assert str(err).startswith("the response body stopped before its end (")
    last_errors = [e for e in events[len(delivered) :] if e.type == "error"]
    assert [e.kind for e in last_errors] == ["incomplete_stream"]
    assert err.message == message
    assert message.errors[-1].kind == "incomplete_stream"
    full = whole_message(adapters, body, "auto", {})
    assert full.text.startswith(message.text)
    assert message.finish_reason in (None, "error")


def test_connection_dropped_before_the_first_byte(adapters: ModuleType, body_server: Any) -> None:
    events, message, err = by_httpx(body_server.url(b"data: {}\n\n", cut=0), {})
    assert isinstance(err, IncompleteStreamError)
    assert [e.type for e in events if e.type == "error"] == ["error"]
    assert events[0].kind == "incomplete_stream"
    assert message.errors[0] == events[0]


def test_timeout_around_a_stalled_read_then_the_rest(adapters: ModuleType, body_server: Any) -> None:
    require_corpus()
    body = anthropic_with_tools()
    cut = len(body) // 2
    # The server writes the first half at once, then stalls: only the stall outlasts the 1 s timeout.
    url = body_server.url(body, cut=cut, stall=True)

    async def run() -> tuple[list[Any], Any, BaseException | None]:
        events: list[Any] = []
        async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
            stream = sd_httpx.astream(response)

            async def until_stalled() -> None:
                while True:
                    events.append(await asyncio.wait_for(stream.__anext__(), 1.0))

            async def rest() -> None:
                async for event in stream:
                    events.append(event)

            with pytest.raises(TimeoutError):
                await until_stalled()
            # Not a silent end: the rest of what arrived, the report of the cut, the exception.
            with pytest.raises(IncompleteStreamError) as caught:
                await rest()
            return events, stream.message, caught.value

    events, message, err = asyncio.run(run())
    delivered = adapters.StreamParser("auto").feed(body[:cut])
    assert events[: len(delivered)] == delivered
    assert events[-1].type == "finish" or events[-1].kind == "incomplete_stream"
    assert [e.kind for e in events if e.type == "error"] == ["incomplete_stream"]
    assert err.message == message


ERROR_BODIES = [
    ("openai", b'{"error": {"message": "Rate limit reached", "type": "requests", "code": null}}', "Rate limit reached"),
    (
        "anthropic",
        b'{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}',
        "Overloaded",
    ),
    (
        "gemini",
        b'[{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}]',
        "Quota exceeded",
    ),
    ("bedrock", b'{"message": "The security token included in the request is invalid."}', "The security token"),
    ("a string", b'{"error": "bad key"}', "bad key"),
    ("text", b"upstream connect error\n", "upstream connect error"),
    ("empty", b"", "(empty body)"),
    ("long text", b"x" * 600, "x" * 500 + "…"),
]


@pytest.mark.parametrize(("body", "want"), [c[1:] for c in ERROR_BODIES], ids=[c[0] for c in ERROR_BODIES])
def test_provider_error_message(body: bytes, want: str) -> None:
    assert provider_error_message(body).startswith(want)


@pytest.mark.parametrize("client", list(CLIENTS))
def test_error_status_raises_with_the_provider_message(adapters: ModuleType, body_server: Any, client: str) -> None:
    body = ERROR_BODIES[1][1]
    url = body_server.url(body, "application/json", status=529)
    with pytest.raises(ResponseStatusError) as caught:
        CLIENTS[client](url, {})
    assert (caught.value.status_code, caught.value.error, caught.value.body) == (529, "Overloaded", body)
    assert str(caught.value) == "HTTP 529: Overloaded"


def test_closing_early_closes_the_response(adapters: ModuleType, body_server: Any) -> None:
    require_corpus()
    body = anthropic_with_tools()
    with httpx.stream("GET", body_server.url(body)) as response:
        stream = sd_httpx.stream(response)
        with stream:
            first = next(stream)
            assert not response.is_closed
        assert response.is_closed
    assert first == adapters.parse(body)[0]
    assert list(stream) == []


def test_interrupted_read_is_reported_as_a_cut(adapters: ModuleType) -> None:
    def chunks() -> Any:
        yield b'data: {"id":"1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
        raise KeyboardInterrupt

    closed = []
    stream = EventStream(adapters.StreamParser("openai-chat"), chunks(), lambda: closed.append(1), adapters)
    got: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        got.extend(stream)
    rest: list[Any] = []
    with pytest.raises(
        IncompleteStreamError, match=r"^the response body stopped before its end \(KeyboardInterrupt\)$"
    ):
        rest.extend(stream)
    assert [e.type for e in got] == ["stream_start", "text_start", "text_delta"]
    assert [e.type for e in rest][-1] in ("error", "finish")
    assert [e.kind for e in rest if e.type == "error"] == ["incomplete_stream"]
    assert closed


def test_aiter_events_reads_on_after_a_timeout(adapters: ModuleType, body_server: Any) -> None:
    # Not the stream object: the plain event iterator, which ended quietly when it was an async generator.
    require_corpus()
    body = anthropic_with_tools()
    cut = len(body) // 2
    url = body_server.url(body, cut=cut, stall=True, seed=9)

    async def run() -> tuple[list[Any], list[Any]]:
        before: list[Any] = []
        async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
            events = sd_httpx.aiter_events(response)

            async def until_stalled() -> None:
                while True:
                    before.append(await asyncio.wait_for(anext(events), 1.0))

            with pytest.raises(TimeoutError):
                await until_stalled()
            return before, [event async for event in events]

    before, after = asyncio.run(run())
    parser = adapters.StreamParser("auto")
    delivered = parser.feed(body[:cut])
    assert before == delivered
    # Reading on ends the stream as the parser sees a body that stops there: the cut is reported.
    assert after == parser.close()
    assert [e.kind for e in after if e.type == "error"] == ["incomplete_stream"]
