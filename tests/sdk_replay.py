"""Driving the official SDKs' streaming over replayed bodies, with or without streamdelta's decoder.

Shared by ``tests/test_integrations.py`` and ``benches/bench_sdk_dropin.py``. Over HTTP the SDK's
public call is used (``client.chat.completions.create(..., stream=True)``); in memory the SDK's own
``Stream`` is driven over a response made from the body's chunks, which is the same decoding path
without a socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Callable

import anthropic
import openai
from anthropic.types import RawMessageStreamEvent
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseStreamEvent

import streamdelta.integrations.anthropic as sd_anthropic
import streamdelta.integrations.openai as sd_openai

USER = [{"role": "user", "content": "hi"}]

# What a run produced: every chunk's model_dump(), then the exception the SDK raised (type, text).
Result = tuple[list[dict[str, Any]], "tuple[str, str] | None"]


@dataclass(frozen=True)
class Sdk:
    family: str  # the corpus family it reads
    sdk: Any  # the openai or anthropic package
    integration: Any  # the streamdelta.integrations module
    cast_to: Any  # what the SDK's Stream is made of
    create: Callable[[Any], Any]  # the streaming call on a client (sync or async)
    sync_client: Any
    async_client: Any
    helper: Callable[[Any], Any]  # the `.stream()` helper on a client: a context manager
    final: str  # the helper stream's method that gives the final object


SDKS = {
    "openai-chat": Sdk(
        "openai-chat",
        openai,
        sd_openai,
        ChatCompletionChunk,
        lambda c: c.chat.completions.create(model="m", messages=USER, stream=True),
        openai.OpenAI,
        openai.AsyncOpenAI,
        lambda c: c.chat.completions.stream(model="m", messages=USER),
        "get_final_completion",
    ),
    "openai-responses": Sdk(
        "openai-responses",
        openai,
        sd_openai,
        ResponseStreamEvent,
        lambda c: c.responses.create(model="m", input="hi", stream=True),
        openai.OpenAI,
        openai.AsyncOpenAI,
        lambda c: c.responses.stream(model="m", input="hi"),
        "get_final_response",
    ),
    "anthropic": Sdk(
        "anthropic",
        anthropic,
        sd_anthropic,
        RawMessageStreamEvent,
        lambda c: c.messages.create(model="m", max_tokens=8, messages=USER, stream=True),
        anthropic.Anthropic,
        anthropic.AsyncAnthropic,
        lambda c: c.messages.stream(model="m", max_tokens=8, messages=USER),
        "get_final_message",
    ),
}


def client(sdk: Sdk, base_url: str, swap: bool, is_async: bool = False) -> Any:
    made = (sdk.async_client if is_async else sdk.sync_client)(base_url=base_url, api_key="test", max_retries=0)
    if swap:
        sdk.integration.install(made)
    return made


def _failure(err: Exception) -> tuple[str, str]:
    return (type(err).__name__, str(err))


def over_http(sdk: Sdk, base_url: str, swap: bool) -> Result:
    """The SDK's streaming call against a server replaying a body (sync client)."""
    out: list[dict[str, Any]] = []
    try:
        with client(sdk, base_url, swap) as c:
            out.extend(chunk.model_dump() for chunk in sdk.create(c))
    except Exception as err:
        return out, _failure(err)
    return out, None


def over_http_async(sdk: Sdk, base_url: str, swap: bool) -> Result:
    """``over_http`` with the async client."""

    async def run() -> Result:
        out: list[dict[str, Any]] = []
        try:
            async with client(sdk, base_url, swap, is_async=True) as c:
                async for chunk in await sdk.create(c):
                    out.append(chunk.model_dump())
        except Exception as err:
            return out, _failure(err)
        return out, None

    return asyncio.run(run())


def helper_over_http(sdk: Sdk, base_url: str, swap: bool) -> Result:
    """The SDK's ``.stream()`` helper against a server replaying a body: its events, then its final object."""
    out: list[dict[str, Any]] = []
    try:
        with client(sdk, base_url, swap) as c, sdk.helper(c) as helper:
            # openai's parsed objects (events and final) trip pydantic serializer warnings about their own types.
            out.extend(event.model_dump(warnings=False) for event in helper)
            out.append(getattr(helper, sdk.final)().model_dump(warnings=False))
    except Exception as err:
        return out, _failure(err)
    return out, None


def helper_over_http_async(sdk: Sdk, base_url: str, swap: bool) -> Result:
    """``helper_over_http`` with the async client."""

    async def run() -> Result:
        out: list[dict[str, Any]] = []
        try:
            async with client(sdk, base_url, swap, is_async=True) as c, sdk.helper(c) as helper:
                async for event in helper:
                    out.append(event.model_dump(warnings=False))
                out.append((await getattr(helper, sdk.final)()).model_dump(warnings=False))
        except Exception as err:
            return out, _failure(err)
        return out, None

    return asyncio.run(run())


def _response(sdk: Sdk, chunks: Iterable[bytes] | AsyncIterator[bytes]) -> Any:
    http = sdk.sdk._base_client.httpx2
    request = http.Request("POST", "http://127.0.0.1/v1/stream")
    return http.Response(200, headers={"content-type": "text/event-stream"}, content=chunks, request=request)


def stream(sdk: Sdk, sdk_client: Any, chunks: Iterable[bytes]) -> Any:
    """The SDK's ``Stream`` over a response whose body is ``chunks``, made as the SDK makes it."""
    return sdk.sdk.Stream(cast_to=sdk.cast_to, response=_response(sdk, chunks), client=sdk_client)


def in_memory(sdk: Sdk, sdk_client: Any, chunks: Iterable[bytes]) -> Result:
    """Every chunk the SDK's ``Stream`` makes of a body given as chunks, decoded by ``sdk_client``'s decoder."""
    out: list[dict[str, Any]] = []
    try:
        out.extend(chunk.model_dump() for chunk in stream(sdk, sdk_client, chunks))
    except Exception as err:
        return out, _failure(err)
    return out, None


def in_memory_async(sdk: Sdk, sdk_client: Any, chunks: list[bytes]) -> Result:
    """``in_memory`` through the SDK's ``AsyncStream``."""

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def run() -> Result:
        out: list[dict[str, Any]] = []
        try:
            made = sdk.sdk.AsyncStream(cast_to=sdk.cast_to, response=_response(sdk, body()), client=sdk_client)
            async for chunk in made:
                out.append(chunk.model_dump())
        except Exception as err:
            return out, _failure(err)
        return out, None

    return asyncio.run(run())
