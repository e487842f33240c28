"""The official `openai` client's Responses stream accumulator as the oracle of tool calls.

For every Responses body of the public corpus, ``client.responses.stream(...)`` (the SDK's own SSE
decoding and ``ResponseStreamState`` accumulation, over an in-memory transport) gives the final
response's output items; each call item must be one ``tool_call`` of ours, on both backends.

Differences by design: a built-in tool's call has no ``name`` on the wire, so ours is the tool's
type (``web_search``, ``apply_patch``, ``local_shell``, ``shell``, ``tool_search``); the item's
input object (``action``, ``operation``, ``arguments``) is our ``arguments`` as JSON text; a web
search call, which has no ``call_id``, has its item id.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import public_bodies

httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")

BODIES = [(name, body) for name, body in public_bodies("openai-responses") if b'_call"' in body]


def final_items(body: bytes) -> list[dict[str, Any]] | None:
    """The SDK's final response's output items as dicts, or ``None`` where the SDK refuses the
    stream (a `response.queued` first, a response id that changes, no `response.completed`, a
    payload that is not JSON)."""

    def handler(request: Any) -> Any:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = openai.OpenAI(api_key="test", base_url="http://test/v1", http_client=http, max_retries=0)
    try:
        with client.responses.stream(model="m", input="x") as stream:
            for _ in stream:
                pass
            response = stream.get_final_response()
    except (RuntimeError, ValueError):  # a lifecycle it refuses; a payload that is not JSON
        return None
    return [item.to_dict(warnings=False) for item in response.output]


def expected_call(item: dict[str, Any]) -> tuple[str, str, Any, bool] | None:
    """(id, name, arguments, provider_executed) of a call item by the rules above; arguments are
    text where the wire sends text, else the JSON value."""
    kind, call_id = item["type"], item.get("call_id") or item.get("id")
    if kind == "function_call":
        return call_id, item["name"], item["arguments"], False
    if kind == "custom_tool_call":
        return call_id, item["name"], item["input"], False
    if kind == "web_search_call":
        return item["id"], "web_search", item.get("action"), True
    if kind == "apply_patch_call":
        return call_id, "apply_patch", item["operation"], False
    if kind == "local_shell_call":
        return call_id, "local_shell", item["action"], False
    if kind == "shell_call":
        return call_id, "shell", item["action"], item.get("environment") is not None
    if kind == "tool_search_call":
        return call_id, "tool_search", item["arguments"], item.get("execution") != "client"
    return None


# The SDK's own models warn when it serializes some of the items it has parsed.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize(("name", "body"), BODIES, ids=[Path(n).name for n, _ in BODIES])
def test_call_items_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    items = final_items(body)
    if items is None:
        pytest.skip("the SDK refuses this stream")
    calls = {e.id: e for e in backend.parse(body, "openai-responses", on_error="emit") if e.type == "tool_call"}
    expected = [c for c in map(expected_call, items) if c is not None]
    for id, tool, arguments, provider_executed in expected:
        got = calls[id]
        assert (got.name, got.provider_executed) == (tool, provider_executed), id
        got_arguments = got.arguments if isinstance(arguments, str) else json.loads(got.arguments)
        assert got_arguments == (arguments if arguments is not None else {}), id
    # No call of ours that the SDK does not have (nor for the other items: MCP, code interpreter, ...).
    assert set(calls) == {c[0] for c in expected}
