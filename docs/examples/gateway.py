"""An OpenAI-compatible ``/v1/chat/completions`` in front of an Anthropic-compatible upstream: the
request is rewritten into a Messages request, and the upstream's stream is translated into chat
completion chunks as it arrives (``sd.Translator``: parse and encode in Rust, bytes to bytes).

    pip install streamdelta httpx uvicorn
    ANTHROPIC_BASE_URL=https://api.anthropic.com uvicorn gateway:app --port 8000

then point any OpenAI client at ``http://127.0.0.1:8000/v1`` with an Anthropic key as its API key.
A plain ASGI app (no framework): one route, streaming and non-streaming.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

import streamdelta as sd

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls", "content_filter": "content_filter"}


def to_anthropic(request: dict[str, Any]) -> dict[str, Any]:
    """A chat completions request as a Messages request (text, tool calls and results, tools)."""
    system = []
    messages: list[dict[str, Any]] = []
    for m in request["messages"]:
        content = m.get("content")
        if isinstance(content, list):  # chat content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if p.get("type") == "text")
        if m["role"] in ("system", "developer"):
            system.append(content or "")
        elif m["role"] == "tool":
            messages.append(sd.tool_result_request("anthropic", m["tool_call_id"], content or ""))
        elif m["role"] == "assistant":
            # The turn as a Message, written back in Anthropic's format (text, then tool_use blocks).
            calls = [
                sd.ToolCall(c["id"], c["function"]["name"], c["function"]["arguments"])
                for c in m.get("tool_calls") or ()
            ]
            messages.append(sd.Message(text=content or "", tool_calls=tuple(calls)).to_request("anthropic"))
        else:
            messages.append({"role": "user", "content": content or ""})
    out: dict[str, Any] = {
        "model": request["model"],
        "messages": messages,
        "max_tokens": request.get("max_completion_tokens") or request.get("max_tokens") or 4096,
        "stream": True,
    }
    if system:
        out["system"] = "\n\n".join(system)
    if request.get("tools"):
        out["tools"] = [
            {
                "name": t["function"]["name"],
                "description": t["function"].get("description", ""),
                "input_schema": t["function"].get("parameters") or {"type": "object"},
            }
            for t in request["tools"]
        ]
    return out


def completion(message: Any, model: str) -> dict[str, Any]:
    """A whole chat completion (for ``stream: false``) from the assembled message."""
    turn = message.to_request("openai-chat")
    turn.pop("reasoning_details", None)
    usage = message.usage or sd.Usage()
    return {
        "id": message.id or "chatcmpl-gateway",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": message.model or model,
        "choices": [{"index": 0, "message": turn, "finish_reason": FINISH.get(message.finish_reason or "", "stop")}],
        "usage": {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
        },
    }


def make_app(
    upstream: str, client: httpx.AsyncClient | None = None
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app forwarding to the Anthropic-compatible API at ``upstream``, through ``client``
    (one connection pool for every request) or one of its own."""
    http = client or httpx.AsyncClient(timeout=None)

    async def body_of(receive: Receive) -> bytes:
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        return body

    async def reply(send: Send, status: int, body: bytes, content_type: bytes = b"application/json") -> None:
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            if client is None:
                await http.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] != "/v1/chat/completions" or scope["method"] != "POST":
            await reply(send, 404, b'{"error": {"message": "not found"}}')
            return
        request = json.loads(await body_of(receive))
        headers = dict(scope["headers"])
        key = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
        upstream_headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
        body = to_anthropic(request)
        async with http.stream("POST", f"{upstream}/v1/messages", json=body, headers=upstream_headers) as r:
            if r.status_code != 200:  # the provider's error body, as is
                await reply(send, r.status_code, await r.aread())
                return
            await relay(r.aiter_bytes(), request, send)

    async def relay(chunks: AsyncIterator[bytes], request: dict[str, Any], send: Send) -> None:
        if not request.get("stream"):
            parser = sd.StreamParser("anthropic", on_error="emit")
            async for chunk in chunks:
                parser.feed(chunk)
            parser.close()
            await reply(send, 200, json.dumps(completion(parser.message, request["model"])).encode())
            return
        # Bytes in, bytes out, in Rust: no Python object per event. A fault upstream becomes an
        # error chunk, which the OpenAI client raises as an APIError.
        translator = sd.Translator(to="openai-chat", family="anthropic", on_error="emit")
        start = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]}
        await send(start)
        async for chunk in chunks:
            out = translator.feed(chunk)
            if out:
                await send({"type": "http.response.body", "body": out, "more_body": True})
        await send({"type": "http.response.body", "body": translator.close()})

    return app


app = make_app(os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com").rstrip("/"))

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, port=int(os.environ.get("PORT", "8000")))
