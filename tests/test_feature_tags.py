"""Every feature tag of the public corpus (``manifest.jsonl``) leads to the events it implies.

The manifest tags each body with what its payloads hold (``refusal``, ``server_tool_result``,
``partial_image``, ...), written by the corpus's own extractor from the wire, not by this package.
``IMPLIES`` says, per tag (or per tag and kind where families differ), what must then be among the
events: a check over ``to_dict()`` output, on both backends, for every body of that tag. A tag that
no decoder maps yet is a strict xfail naming why (``NOT_YET``): it fails the run once mapped, so
that its row is taken off the list.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from .conftest import PUBLIC, require_public_corpus

Events = list[dict[str, Any]]
Check = Callable[[Events], bool]

# Kinds of the manifest that one of our families reads; `other` (MCP, Gemini Interactions) is none.
FAMILY = {
    "openai-chat": "openai-chat",
    "openai-responses": "openai-responses",
    "openai-completions": "openai-completions",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "gemini-json-array": "gemini",
    "bedrock-converse": "bedrock",
    "cohere": "cohere",
    "mistral": "openai-chat",
}


def _entries() -> list[dict[str, Any]]:
    manifest = PUBLIC / "manifest.jsonl"
    if not manifest.is_file():
        return []
    entries = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    return [e for e in entries if e["kind"] in FAMILY]


ENTRIES = _entries()


def _by_tag() -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in ENTRIES:
        for tag in entry["features"]:
            out[tag, entry["kind"]].append(entry)
    return dict(sorted(out.items()))


BY_TAG = _by_tag()


# --- what a check can ask -------------------------------------------------------------------------


def has(event_type: str, /, **want: Any) -> Check:
    """Some event of type ``event_type`` whose fields hold the values given (a callable value: a test)."""

    def match(e: dict[str, Any]) -> bool:
        if e["type"] != event_type:
            return False
        for field, value in want.items():
            got = e.get(field, KeyError)
            if not (value(got) if callable(value) else got == value):
                return False
        return True

    return lambda events: any(match(e) for e in events)


def both(*checks: Check) -> Check:
    return lambda events: all(c(events) for c in checks)


def either(*checks: Check) -> Check:
    return lambda events: any(c(events) for c in checks)


def clean(events: Events) -> bool:
    """Read to its end: `finish` last, not a cut stream (parse errors: `test_parse_errors_are_the_known_ones`)."""
    errors = {e["kind"] for e in events if e["type"] == "error"}
    return bool(events) and events[-1]["type"] == "finish" and "incomplete_stream" not in errors


def answered(events: Events) -> bool:
    """A provider-executed `tool_result`, and none before the call it answers (a result may answer a
    call of an earlier response: a continued turn)."""
    results: set[str] = set()
    for e in events:
        if e["type"] == "tool_result" and e.get("provider_executed"):
            results.add(e["id"])
        elif e["type"] == "tool_call" and e["id"] in results:
            return False
    return bool(results)


def text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def unknown(kind: str) -> Check:
    """Surfaced as `unknown`, never lost (not modeled by design)."""
    return has("unknown", kind=kind)


# A thinking part may be only a signature, or redacted.
REASONING = either(
    has("reasoning_delta", text=text), has("reasoning_end", signature=text), has("reasoning_end", redacted=True)
)
CLIENT_CALL = has("tool_call", provider_executed=False)
SERVER_CALL = has("tool_call", provider_executed=True)
SERVER_RESULT = answered
PROVIDER_ERROR = both(has("error", kind="provider_error", message=text), has("finish", reason="error"))
URL_SOURCE = has("source", kind="url", url=text)
DOCUMENT_SOURCE = has("source", kind="document")

# tag → what its bodies' events hold. A (tag, kind) key overrides the tag's row for that kind.
IMPLIES: dict[str | tuple[str, str], Check] = {
    # Framing and stream endings: read whole, whatever the spelling.
    "event_lines": clean,
    "crlf": clean,
    "sse_comments": clean,
    "unterminated_last_event": clean,
    "done_marker": clean,
    "responses_trailing_done": clean,
    "done_without_finish_reason": both(clean, has("finish", reason="stop")),
    "usage_chunk_empty_choices": has("finish", usage=lambda u: u["input_tokens"] > 0),
    "stop_reason:pause_turn": has("finish", raw_reason="pause_turn"),
    "context_management": clean,
    "azure_content_filter": clean,
    # Errors.
    "http_error": PROVIDER_ERROR,
    "error_object": PROVIDER_ERROR,
    "error_event": both(has("error", message=text), has("finish", reason="error")),
    "response_failed": has("finish", reason="error", raw_reason="failed"),
    "non_json_data": both(has("error", kind="parse_error"), CLIENT_CALL),
    # Text, reasoning, refusals.
    "content_as_list": has("text_delta", text=text),
    "choice_index_gt_0": has("text_start", choice=1),
    "thinking": REASONING,
    "thought": REASONING,
    "delta_reasoning": REASONING,
    "delta_reasoning_content": REASONING,
    "delta_reasoning_details": either(REASONING, has("reasoning_end", signature=text)),
    "reasoning": REASONING,
    "reasoning_summary": REASONING,
    "reasoning_text": REASONING,
    "mistral_thinking_chunks": REASONING,
    "tool_plan": REASONING,
    "redacted_thinking": has("reasoning_end", redacted=True),
    "redacted_reasoning": has("reasoning_end", redacted=True),
    "refusal": has("refusal_delta", text=text),
    ("refusal", "anthropic"): has("finish", reason="content_filter", raw_reason="refusal"),
    "logprobs": either(has("text_delta", logprobs=text), has("refusal_delta", logprobs=text)),
    # Tools the caller runs.
    "tool_calls": CLIENT_CALL,
    "custom_tool_call": CLIENT_CALL,
    "apply_patch_call": CLIENT_CALL,
    "local_shell_call": CLIENT_CALL,
    "shell_call": either(CLIENT_CALL, SERVER_CALL),
    "tool_search_call": either(CLIENT_CALL, SERVER_CALL),
    # Tools the provider ran: the call, then its result.
    "server_tool_use": SERVER_CALL,
    "mcp_tool_use": SERVER_CALL,
    "server_tool_result": SERVER_RESULT,
    "web_search_tool_result": SERVER_RESULT,
    "web_fetch_tool_result": SERVER_RESULT,
    "code_execution_tool_result": SERVER_RESULT,
    "bash_code_execution_tool_result": SERVER_RESULT,
    "text_editor_code_execution_tool_result": SERVER_RESULT,
    "tool_search_tool_result": SERVER_RESULT,
    "mcp_tool_result": SERVER_RESULT,
    "advisor_tool_result": SERVER_RESULT,
    "web_search_call": SERVER_RESULT,
    "file_search_call": SERVER_RESULT,
    "code_interpreter_call": SERVER_RESULT,
    "mcp_call": SERVER_RESULT,
    "shell_call_output": SERVER_RESULT,
    "tool_search_output": SERVER_RESULT,
    "executableCode": SERVER_CALL,
    "codeExecutionResult": SERVER_RESULT,
    "toolCall": SERVER_CALL,
    "toolResponse": SERVER_RESULT,
    "image_generation_call": both(SERVER_RESULT, has("file", partial=False, media_type=text)),
    "partial_image": has("file", partial=True, media_type=text),
    # Citations.
    "annotation:url_citation": URL_SOURCE,
    "citation:web_search_result_location": URL_SOURCE,
    "grounding_metadata": either(URL_SOURCE, DOCUMENT_SOURCE),
    "url_context_metadata": URL_SOURCE,
    "citations_top_level": URL_SOURCE,
    "annotation:file_citation": DOCUMENT_SOURCE,
    "annotation:container_file_citation": DOCUMENT_SOURCE,
    # Not modeled, by design: surfaced as `unknown`.
    "compaction": unknown("compaction"),
    "fallback": unknown("fallback"),
    "mcp_list_tools": unknown("mcp_list_tools"),
    "mcp_approval_request": unknown("mcp_approval_request"),
    "program": unknown("program"),
    "program_output": unknown("program_output"),
}

# (tag, kind) → why its events are not there yet. Take a row off when its mapping lands.
NOT_YET: dict[tuple[str, str], str] = {}


# A body whose project shortened its base64 images (a `...` in the middle): not base64, so no `file`;
# the image text stays in its `tool_result` and the preview is an `unknown` (`test_cut_images`).
CUT_IMAGES = {"vercel+ai__openai.responses.openai-image-generation-tool.1__0.sse"}
CUT_IMAGE_IMPLIES: dict[str, Check] = {
    "image_generation_call": SERVER_RESULT,
    "partial_image": unknown("response.image_generation_call.partial_image"),
}


def _params() -> list[Any]:
    out = []
    for tag, kind in BY_TAG:
        marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[tag, kind])] if (tag, kind) in NOT_YET else []
        out.append(pytest.param(tag, kind, marks=marks, id=f"{tag}-{kind}"))
    return out


def events_of(backend: ModuleType, entry: dict[str, Any]) -> Events:
    body = (PUBLIC / entry["path"]).read_bytes()
    return [e.to_dict() for e in backend.parse(body, FAMILY[entry["kind"]], on_error="emit")]


@pytest.mark.parametrize(("tag", "kind"), _params())
def test_each_tag_leads_to_its_events(backend: ModuleType, tag: str, kind: str) -> None:
    require_public_corpus()
    check = IMPLIES.get((tag, kind)) or IMPLIES[tag]
    # A body known to break off (`KNOWN_PARSE_ERRORS`) is held to what it is tagged with only when
    # that is the break.
    bodies = [e for e in BY_TAG[tag, kind] if tag == "non_json_data" or Path(e["path"]).name not in KNOWN_PARSE_ERRORS]

    def check_of(name: str) -> Check:
        return CUT_IMAGE_IMPLIES[tag] if name in CUT_IMAGES and tag in CUT_IMAGE_IMPLIES else check

    failing = [Path(e["path"]).name for e in bodies if not check_of(Path(e["path"]).name)(events_of(backend, e))]
    assert not failing, f"{tag} ({kind}): the events it implies are missing from {failing}"


def test_every_tag_has_a_row() -> None:
    """A tag the corpus grows is a test failure until it has its row."""
    require_public_corpus()
    tags = {tag for tag, _ in BY_TAG}
    rows = {key if isinstance(key, str) else key[0] for key in IMPLIES}
    assert tags - rows == set()
    assert set(NOT_YET) <= set(BY_TAG)


# Bodies whose parse errors are right, or known and left for later: body → why.
KNOWN_PARSE_ERRORS = {
    "vercel+ai__openai.responses.parallel-tool-call-wrapper.1__0.sse": "non_json_data: broken lines",
    "vercel+ai__anthropic.duplicate-message-start__0.sse": "hand-written: a second message_start",
    "vercel+ai__anthropic.spliced-message-start__0.sse": "hand-written: a message spliced into another",
    "vercel+ai__anthropic.anthropic-programmatic-tool-calling.1__0.sse": "two messages in one body",
    "vercel+ai__anthropic.anthropic-tool-search-bm25.1__0.sse": "two messages in one body",
    "vercel+ai__anthropic.anthropic-tool-search-deferred-bm25__0.sse": "two messages in one body",
    "vercel+ai__anthropic.anthropic-tool-search-deferred-regex__0.sse": "two messages in one body",
    "vercel+ai__anthropic.anthropic-tool-search-regex.1__0.sse": "two messages in one body",
    "vercel+ai__cerebras.cererebras-structured-output-tools.1__0.sse": "two responses in one body",
}


def test_parse_errors_are_the_known_ones(backend: ModuleType) -> None:
    """No body of the corpus has a parse error but the known ones (a fix takes its row off)."""
    require_public_corpus()
    found = {
        Path(e["path"]).name
        for e in ENTRIES
        if any(ev["type"] == "error" and ev["kind"] == "parse_error" for ev in events_of(backend, e))
    }
    assert found == set(KNOWN_PARSE_ERRORS)


def _images(body: bytes) -> list[str]:
    """The base64 images of a Responses body (partial previews and final results), read with `json`."""
    out = []
    for line in body.decode("utf-8").splitlines():
        if not line.startswith("data:") or line[5:].strip() == "[DONE]":
            continue
        payload = json.loads(line[5:])
        item = payload.get("item") or {}
        result = item.get("result") if item.get("type") == "image_generation_call" else None
        out.extend(text for text in (payload.get("partial_image_b64"), result) if isinstance(text, str))
    return out


def test_cut_images() -> None:
    """`CUT_IMAGES` is exactly the bodies of those tags whose images `base64` refuses."""
    require_public_corpus()
    cut = set()
    for tag in CUT_IMAGE_IMPLIES:
        for entry in BY_TAG.get((tag, "openai-responses"), []):
            for text in _images((PUBLIC / entry["path"]).read_bytes()):
                try:
                    base64.b64decode(text, validate=True)
                except binascii.Error:
                    cut.add(Path(entry["path"]).name)
    assert cut == CUT_IMAGES
