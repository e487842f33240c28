"""The official `openai` client's Responses stream accumulator as the oracle of tool calls.

For every Responses body of the public corpus, ``client.responses.stream(...)`` (the SDK's own SSE
decoding and ``ResponseStreamState`` accumulation, over an in-memory transport) gives the final
response's output items; each call item must be one ``tool_call`` of ours, on both backends.

Differences by design: a built-in tool's call has no ``name`` on the wire, so ours is the tool's
type (``web_search``, ``apply_patch``, ``local_shell``, ``shell``, ``tool_search``, ``file_search``,
``code_interpreter``, ``image_generation``; an MCP call is named as its MCP tool); the item's input
(``action``, ``operation``, ``arguments``, ``queries``, ``code``) is our ``arguments`` as JSON text
(``code`` as text); a hosted call, which has no ``call_id``, has its item id.

The results of hosted tools (``test_result_items_are_the_sdks``): each hosted call item, and each
``shell_call_output`` / ``tool_search_output`` item, is one ``tool_result`` of ours whose parsed
``result`` is the item's result field (``action``, ``results``, ``outputs``, ``result``,
``output`` or ``error``, ``tools``), and a generated image is a ``file`` holding the bytes of its
base64 ``result``, as is each image output of a code interpreter sent as a base64 data URL.

Citations (``test_citations_are_the_sdks``): each ``url_citation`` annotation of the final message
items is a ``url`` source with its URL and title; each ``file_citation`` / ``container_file_citation``
a ``document`` source with its ``filename``, and its file id, container id and offsets in the
metadata as sent; in the order of the items (ours: as the annotations are added).
"""

from __future__ import annotations

import base64
import binascii
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
    if kind == "file_search_call":
        return item["id"], "file_search", item.get("queries"), True
    if kind == "code_interpreter_call":
        return item["id"], "code_interpreter", item.get("code"), True
    if kind == "image_generation_call":
        return item["id"], "image_generation", None, True
    if kind == "mcp_call":
        return item["id"], item["name"], item.get("arguments"), True
    return None


# A hosted tool item → the field of it that is its result (an MCP call that failed: its `error`).
RESULT_FIELD = {
    "web_search_call": "action",
    "file_search_call": "results",
    "code_interpreter_call": "outputs",
    "image_generation_call": "result",
    "mcp_call": "output",
    "shell_call_output": "output",
    "tool_search_output": "tools",
}


def expected_results(items: list[dict[str, Any]]) -> list[tuple[str, str, Any, bool]]:
    """(call id, name, result value, is_error) of each result item, by the rules above."""
    out = []
    tool_search = ""
    for item in items:
        kind = item["type"]
        if kind == "tool_search_call":
            tool_search = item.get("call_id") or item["id"]
        field = RESULT_FIELD.get(kind)
        if field is None:
            continue
        result = item.get(field)
        if kind == "mcp_call" and result is None:
            result = item.get("error")
        is_error = item.get("status") == "failed" or item.get("error") is not None
        if kind == "shell_call_output":
            out.append((item["call_id"], "shell", result, is_error))
        elif kind == "tool_search_output":
            out.append((item.get("call_id") or tool_search, "tool_search", result, is_error))
        else:
            call = expected_call(item)
            out.append((item["id"], call[1] if call else "", result, is_error))
    return out


def image_bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def sdk_items(body: bytes) -> list[dict[str, Any]]:
    items = final_items(body)
    if items is None:
        pytest.skip("the SDK refuses this stream")
    return items


# The SDK's own models warn when it serializes some of the items it has parsed.
EACH_BODY = (
    pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning"),
    pytest.mark.parametrize(("name", "body"), BODIES, ids=[Path(n).name for n, _ in BODIES]),
)


@EACH_BODY[0]
@EACH_BODY[1]
def test_call_items_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    items = sdk_items(body)
    calls = {e.id: e for e in backend.parse(body, "openai-responses", on_error="emit") if e.type == "tool_call"}
    expected = [c for c in map(expected_call, items) if c is not None]
    for id, tool, arguments, provider_executed in expected:
        got = calls[id]
        assert (got.name, got.provider_executed) == (tool, provider_executed), id
        got_arguments = got.arguments if isinstance(arguments, str) else json.loads(got.arguments)
        assert got_arguments == (arguments if arguments is not None else {}), id
    # No call of ours that the SDK does not have (nor for the items that are no calls: messages, MCP tool lists, ...).
    assert set(calls) == {c[0] for c in expected}


@EACH_BODY[0]
@EACH_BODY[1]
def test_result_items_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    items = sdk_items(body)
    events = backend.parse(body, "openai-responses", on_error="emit")
    results = [(e.id, e.name, json.loads(e.result), e.is_error) for e in events if e.type == "tool_result"]
    # Ours come in the order the items are done, the SDK's in output order.
    assert sorted(results, key=repr) == sorted(expected_results(items), key=repr)
    assert all(e.provider_executed for e in events if e.type == "tool_result")
    # Final images: the bytes of the item's base64 (the SDK keeps the text as sent).
    files = [(e.id, e.data) for e in events if e.type == "file" and not e.partial]
    images = [(i["id"], image_bytes(i["result"])) for i in items if i["type"] == "image_generation_call"]
    # A code interpreter's image outputs sent as base64 data URLs: `{item id}:{n}`.
    for i in items:
        if i["type"] == "code_interpreter_call":
            for n, output in enumerate(i.get("outputs") or []):
                url = output.get("url") or ""
                if output["type"] == "image" and url.startswith("data:") and ";base64," in url:
                    images.append((f"{i['id']}:{n}", image_bytes(url.split(";base64,", 1)[1])))
    assert sorted(files) == sorted((id, data) for id, data in images if data is not None)


CITING = sorted(
    {
        (name, body)
        for tag in ("annotation:url_citation", "annotation:file_citation", "annotation:container_file_citation")
        for name, body in public_bodies("openai-responses", tag=tag)
    }
)
DOCUMENT_CITATIONS = ("file_citation", "container_file_citation")


def expected_source(annotation: dict[str, Any]) -> tuple[Any, ...] | None:
    """(kind, url, title, filename, metadata) of an annotation of the SDK's, by the rules above."""
    if annotation["type"] == "url_citation":
        return ("url", annotation["url"], annotation.get("title"), None, None)
    if annotation["type"] in DOCUMENT_CITATIONS:
        kept = {k: v for k, v in annotation.items() if k not in ("type", "filename") and v is not None}
        return ("document", None, None, annotation.get("filename"), kept)
    return None


@EACH_BODY[0]
@pytest.mark.parametrize(("name", "body"), CITING, ids=[Path(n).name for n, _ in CITING])
def test_citations_are_the_sdks(backend: ModuleType, name: str, body: bytes) -> None:
    annotations = [
        a
        for item in sdk_items(body)
        if item["type"] == "message"
        for part in item.get("content") or []
        for a in part.get("annotations") or []
    ]
    expected = [s for s in map(expected_source, annotations) if s is not None]
    sources = [e for e in backend.parse(body, "openai-responses", on_error="emit") if e.type == "source"]
    assert expected
    assert [e.id for e in sources] == [f"src_{n}" for n in range(len(sources))]
    assert [(e.kind, e.url, e.title, e.filename, e.provider_metadata) for e in sources] == expected
