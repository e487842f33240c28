"""The official SDKs' own streaming calls over a recorded body, in memory: what they make of it is the
oracle the new families' tests compare with (the SDK's SSE decoding and its chunk models, no code of ours)."""

from __future__ import annotations

from typing import Any

import httpx


def _http(body: bytes) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def openai_completions(body: bytes) -> list[Any]:
    """The ``openai.types.Completion`` chunks ``client.completions.create(..., stream=True)`` yields."""
    import openai

    client = openai.OpenAI(api_key="test", base_url="http://test/v1", http_client=_http(body), max_retries=0)
    return list(client.completions.create(model="m", prompt="p", stream=True))


def cohere_events(body: bytes) -> list[Any]:
    """The events ``cohere.ClientV2.chat_stream`` yields."""
    import cohere

    client = cohere.ClientV2(api_key="test", base_url="http://test", httpx_client=_http(body))
    return list(client.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]))
