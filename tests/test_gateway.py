"""``docs/examples/gateway.py`` end to end: the official ``openai`` client streams from the gateway,
served by uvicorn, which forwards to a local server replaying recorded Anthropic bodies; the chat
completion the client assembles holds what the Anthropic SDK assembles from the same recording."""

from __future__ import annotations

import importlib.util
import socket
import threading
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import jiter
import openai
import pytest
import uvicorn
from openai.lib.streaming.chat import ChatCompletionStreamState

from .conftest import ROOT, whole_anthropic_bodies

BODIES = whole_anthropic_bodies()
USER: Any = [{"role": "user", "content": "hi"}]
# Anthropic stop reasons as chat finish reasons (a refusal is what chat calls content_filter).
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def _gateway_module() -> Any:
    spec = importlib.util.spec_from_file_location("gateway", ROOT / "docs" / "examples" / "gateway.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Gateways:
    """The example's app, one per upstream, all served by one uvicorn on an ephemeral port:
    ``/<key>/v1/...`` goes to the app for upstream ``key`` (the replay server serves each body
    under its own path prefix), with one shared connection pool."""

    def __init__(self, body_server: Any) -> None:
        self.body_server = body_server
        self.module = _gateway_module()
        self.http: httpx.AsyncClient | None = None  # made and closed in the server's own event loop
        self.apps: dict[str, Any] = {}
        self.server = uvicorn.Server(
            uvicorn.Config(self.dispatch, log_level="warning", lifespan="on", interface="asgi3")
        )
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.01)

    async def dispatch(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            self.http = httpx.AsyncClient(timeout=None)
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await self.http.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        _, key, rest = scope["path"].split("/", 2)
        await self.apps[key]({**scope, "path": "/" + rest}, receive, send)

    def url(self, upstream: str) -> str:
        """The gateway's base URL in front of ``upstream``."""
        key = f"g{len(self.apps)}"
        self.apps[key] = self.module.make_app(upstream, self.http)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/{key}/v1"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def gateways(body_server: Any) -> Iterator[_Gateways]:
    made = _Gateways(body_server)
    try:
        yield made
    finally:
        made.close()


def anthropic_final(client: anthropic.Anthropic, upstream: str) -> Any:
    """What the Anthropic SDK assembles from the recording (the oracle, no code of ours)."""
    with client.with_options(base_url=upstream).messages.stream(model="m", max_tokens=8, messages=USER) as s:
        return s.get_final_message()


def expected_chat(message: Any) -> dict[str, Any]:
    """The chat completion message a faithful translation of an Anthropic message holds."""
    text = "".join(b.text for b in message.content if b.type == "text")
    calls = [(b.id, b.name, b.input) for b in message.content if b.type == "tool_use"]
    return {
        "content": text,
        "tool_calls": calls,
        "finish_reason": FINISH.get(message.stop_reason or "", "stop"),
        "prompt_tokens": message.usage.input_tokens
        + (message.usage.cache_read_input_tokens or 0)
        + (message.usage.cache_creation_input_tokens or 0),
        "completion_tokens": message.usage.output_tokens,
    }


def chat_of(completion: Any) -> dict[str, Any]:
    choice = completion.choices[0]
    # Arguments cut by `max_tokens` are read as the Anthropic SDK reads its input JSON: partially.
    calls = [
        (c.id, c.function.name, jiter.from_json((c.function.arguments or "{}").encode(), partial_mode=True))
        for c in choice.message.tool_calls or ()
    ]
    return {
        "content": choice.message.content or "",
        "tool_calls": calls,
        "finish_reason": choice.finish_reason,
        "prompt_tokens": completion.usage.prompt_tokens,
        "completion_tokens": completion.usage.completion_tokens,
    }


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[b[0] for b in BODIES])
def test_openai_client_through_the_gateway(
    gateways: _Gateways, sdk_clients: tuple[Any, Any], name: str, body: bytes
) -> None:
    upstream = gateways.body_server.url(body, seed=len(body))
    expected = expected_chat(anthropic_final(sdk_clients[1], upstream))
    client = sdk_clients[0].with_options(base_url=gateways.url(upstream))
    # The SDK's own accumulator (its `.stream()` helper raises on a `length` or `content_filter` finish).
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    for chunk in client.chat.completions.create(
        model="claude", messages=USER, stream=True, stream_options={"include_usage": True}
    ):
        state.handle_chunk(chunk)
    assert chat_of(state.current_completion_snapshot) == expected
    assert chat_of(client.chat.completions.create(model="claude", messages=USER)) == expected


def test_an_upstream_error_reaches_the_client(gateways: _Gateways, sdk_clients: tuple[Any, Any]) -> None:
    message = b'"Number of requests has exceeded your rate limit"'
    error = b'{"type":"error","error":{"type":"rate_limit_error","message":' + message + b"}}"
    upstream = gateways.body_server.url(error, "application/json", status=429)
    client = sdk_clients[0].with_options(base_url=gateways.url(upstream))
    with pytest.raises(openai.RateLimitError, match="Number of requests has exceeded your rate limit"):
        client.chat.completions.create(model="claude", messages=USER, stream=True)


def test_a_chat_conversation_becomes_a_messages_request() -> None:
    from anthropic.types.message_create_params import MessageCreateParamsStreaming
    from pydantic import TypeAdapter

    chat = {
        "model": "claude",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather in Florence?"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city":"Florence"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "40 C"},
        ],
        "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
    }
    request = _gateway_module().to_anthropic(chat)
    assert request == {
        "model": "claude",
        "system": "Be brief.",
        "max_tokens": 4096,
        "stream": True,
        "messages": [
            {"role": "user", "content": "Weather in Florence?"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Florence"}}],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "40 C"}]},
        ],
        "tools": [{"name": "weather", "description": "", "input_schema": {"type": "object"}}],
    }
    TypeAdapter(MessageCreateParamsStreaming).validate_python(request)
