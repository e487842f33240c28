"""An independent reading of a response body: the facts its events must contain.

Deliberately small and deliberately naive, and sharing no code with either backend: its own SSE line
splitting, its own AWS event-stream frame walk, ``json`` from the standard library, and each
provider's wire format read from the provider's documentation, not from our decoders. It derives,
per body: stream id and model, the content parts in order (text, reasoning with its signature,
refusal, tool calls with id, name and arguments), the raw finish reason and the usage numbers in the
meaning DESIGN.md gives them. ``facts_of_events`` derives the same facts from our events, so a golden
file (or a backend's output) can be compared with what the wire says.

Simplifications, each named where a test relies on it: Gemini tool-call ids that the wire does not
send are synthesized by us, so they are not compared; Gemini arguments are compared as JSON values
(the wire sends an object, we send its text).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from typing import Any

Part = tuple[Any, ...]
Facts = dict[str, Any]

_LINE_END = re.compile(r"\r\n|\r|\n")


def sse_data(body: bytes) -> list[str]:
    """The data of every SSE event, by the WHATWG rules this needs: `data:` lines joined by LF, one
    space after the colon dropped, a blank line dispatches, the last event counts without one."""
    out: list[str] = []
    data: list[str] | None = None
    for line in _LINE_END.split(body.decode("utf-8").removeprefix("\ufeff")):
        if not line:
            if data is not None:
                out.append("\n".join(data))
            data = None
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data = (data or []) + [value.removeprefix(" ")]
    if data is not None:
        out.append("\n".join(data))
    return out


def event_stream_payloads(body: bytes) -> list[bytes]:
    """The payload of every AWS event-stream frame: total length and header length lead the frame,
    then the prelude CRC, the headers, the payload and the message CRC (4 bytes each)."""
    out, pos = [], 0
    while pos + 16 <= len(body):
        total, headers = struct.unpack_from(">II", body, pos)
        out.append(body[pos + 12 + headers : pos + total - 4])
        pos += total
    return out


def _usage(input: int = 0, output: int = 0, reasoning: int = 0, read: int = 0, write: int = 0) -> dict[str, int]:
    return {"input": input, "output": output, "reasoning": reasoning, "cache_read": read, "cache_write": write}


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def anthropic(payloads: list[dict[str, Any]]) -> Facts:
    facts: Facts = {"id": None, "model": None, "parts": [], "raw_reason": None}
    usage: dict[str, Any] = {}
    blocks: dict[int, list[Any]] = {}
    for p in payloads:
        kind = p.get("type")
        if kind == "message_start":
            facts["id"], facts["model"] = p["message"].get("id"), p["message"].get("model")
            usage.update(p["message"].get("usage") or {})
        elif kind == "content_block_start":
            part = _block_part(p["content_block"])
            if part is not None:
                blocks[p["index"]] = part
                facts["parts"].append(part)
        elif kind == "content_block_delta" and p["index"] in blocks:
            part, d = blocks[p["index"]], p["delta"]
            if d["type"] in ("text_delta", "thinking_delta"):
                part[1] += d.get("text", d.get("thinking", ""))
            elif d["type"] == "signature_delta":
                part[2] = d["signature"]
            elif d["type"] == "input_json_delta":
                part[3] += d["partial_json"]
        elif kind == "message_delta":
            facts["raw_reason"] = p["delta"].get("stop_reason")
            usage.update({k: v for k, v in (p.get("usage") or {}).items() if v is not None})
    read, write = _int(usage.get("cache_read_input_tokens")), _int(usage.get("cache_creation_input_tokens"))
    total_input = _int(usage.get("input_tokens")) + read + write
    facts["usage"] = _usage(total_input, _int(usage.get("output_tokens")), 0, read, write)
    facts["parts"] = [_empty_args_as_object(tuple(p)) for p in facts["parts"]]
    return facts


def _block_part(b: dict[str, Any]) -> list[Any] | None:
    if b["type"] == "text":
        return ["text", b.get("text", "")]
    if b["type"] == "thinking":
        return ["reasoning", b["thinking"], b.get("signature") or None]
    if b["type"] == "redacted_thinking":
        return ["reasoning", "", b["data"]]
    if b["type"] in ("tool_use", "server_tool_use"):
        return ["tool", b["id"], b["name"], "", b["type"] == "server_tool_use"]
    return None  # results, citations and the like: not among the facts compared


def _empty_args_as_object(part: Part) -> Part:
    return (*part[:3], part[3] or "{}", *part[4:]) if part[0] == "tool" else part


def bedrock(body: bytes) -> Facts:
    """Bedrock's InvokeModelWithResponseStream: each frame's payload is `{"bytes": base64}` of one
    Anthropic event."""
    inner = [json.loads(base64.b64decode(json.loads(p)["bytes"])) for p in event_stream_payloads(body)]
    return anthropic(inner)


def openai_responses(payloads: list[dict[str, Any]]) -> Facts:
    """Each output item whole from its `response.output_item.done` (the final response object lists
    them too, but re-encrypts `encrypted_content`: what streamed is what the caller holds)."""
    facts: Facts = {"id": None, "model": None, "parts": [], "raw_reason": None, "usage": _usage()}
    for p in payloads:
        if p.get("type") == "response.created":
            facts["id"], facts["model"] = p["response"]["id"], p["response"]["model"]
        if p.get("type") == "response.output_item.done":
            facts["parts"] += _responses_item(p["item"])
        if p.get("type") not in ("response.completed", "response.incomplete", "response.failed"):
            continue
        r = p["response"]
        facts["raw_reason"] = (r.get("incomplete_details") or {}).get("reason") or r["status"]
        u = r.get("usage") or {}
        facts["usage"] = _usage(
            u.get("input_tokens", 0),
            u.get("output_tokens", 0),
            (u.get("output_tokens_details") or {}).get("reasoning_tokens", 0),
            (u.get("input_tokens_details") or {}).get("cached_tokens", 0),
        )
    return facts


def _responses_item(item: dict[str, Any]) -> list[Part]:
    if item["type"] == "message":
        return [("text", c["text"]) if "text" in c else ("refusal", c["refusal"]) for c in item["content"]]
    if item["type"] == "reasoning":
        signature = item.get("encrypted_content")
        texts = [s["text"] for s in item.get("summary") or []] or ([""] if signature else [])
        return [("reasoning", t, signature if i == len(texts) - 1 else None) for i, t in enumerate(texts)]
    if item["type"] == "function_call":
        return [("tool", item["call_id"], item["name"], item["arguments"] or "{}", False)]
    if item["type"] == "web_search_call":  # run by OpenAI: the action is its arguments
        return [("tool", item["id"], "web_search", json.dumps(item["action"], separators=(",", ":")), True)]
    return []


def gemini(payloads: list[dict[str, Any]]) -> Facts:
    facts: Facts = {"id": None, "model": None, "parts": [], "raw_reason": None, "usage": _usage()}
    parts: list[list[Any]] = facts["parts"]
    for p in payloads:
        facts["id"] = facts["id"] or p.get("responseId")
        facts["model"] = facts["model"] or p.get("modelVersion")
        for candidate in p.get("candidates") or []:
            facts["raw_reason"] = candidate.get("finishReason") or facts["raw_reason"]
            for wire in (candidate.get("content") or {}).get("parts") or []:
                thought = bool(wire.get("thought"))
                if "thoughtSignature" in wire and not thought:  # it signs the reasoning before, or none
                    if not parts or parts[-1][0] != "reasoning" or parts[-1][2] is not None:
                        parts.append(["reasoning", "", None])
                    parts[-1][2] = wire["thoughtSignature"]
                if wire.get("text"):
                    kind = "reasoning" if thought else "text"
                    if not parts or parts[-1][0] != kind:
                        parts.append([kind, ""] + ([None] if thought else []))
                    parts[-1][1] += wire["text"]
                if "thoughtSignature" in wire and thought:
                    parts[-1][2] = wire["thoughtSignature"]
                if "functionCall" in wire:
                    call = wire["functionCall"]
                    parts.append(["tool", call.get("id"), call["name"], call.get("args", {}), False])
        u = p.get("usageMetadata") or {}
        if u:
            thoughts = u.get("thoughtsTokenCount", 0)
            facts["usage"] = _usage(
                u.get("promptTokenCount", 0),
                u.get("candidatesTokenCount", 0) + thoughts,
                thoughts,
                u.get("cachedContentTokenCount", 0),
            )
    facts["parts"] = [tuple(p) for p in parts]
    return facts


def openai_chat(payloads: list[dict[str, Any]]) -> Facts:
    """Choice 0 only. Consecutive deltas of one kind make one part; tool calls are keyed by index."""
    facts: Facts = {"id": None, "model": None, "parts": [], "raw_reason": None, "usage": _usage()}
    parts: list[list[Any]] = facts["parts"]
    tools: dict[int, list[Any]] = {}

    def extend(kind: str, text: str) -> None:
        # text and refusal are one part per choice; reasoning starts a new part after anything else
        part = next((p for p in parts if p[0] == kind), None) if kind != "reasoning" else None
        if part is None and (kind != "reasoning" or not parts or parts[-1][0] != kind):
            parts.append([kind, ""] + ([None] if kind == "reasoning" else []))
        (part or parts[-1])[1] += text

    for p in payloads:
        facts["id"] = facts["id"] or p.get("id")
        facts["model"] = facts["model"] or p.get("model")
        for choice in p.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if reasoning:
                extend("reasoning", reasoning)
            for detail in delta.get("reasoning_details") or []:
                if detail.get("signature") or detail.get("data"):
                    if not parts or parts[-1][0] != "reasoning":
                        parts.append(["reasoning", "", None])
                    parts[-1][2] = detail.get("signature") or detail.get("data")
            for kind in ("content", "refusal"):
                if delta.get(kind):
                    extend("text" if kind == "content" else kind, delta[kind])
            for call in delta.get("tool_calls") or []:
                if call["index"] not in tools:
                    tools[call["index"]] = ["tool", call.get("id"), "", "", False]
                    parts.append(tools[call["index"]])
                function = call.get("function") or {}
                tools[call["index"]][2] += function.get("name") or ""
                tools[call["index"]][3] += function.get("arguments") or ""
            facts["raw_reason"] = choice.get("finish_reason") or facts["raw_reason"]
        for u in (p.get("usage"), (p.get("x_groq") or {}).get("usage")):
            if u:
                facts["usage"] = _chat_usage(u)
    facts["parts"] = [_empty_args_as_object(tuple(p)) for p in parts]
    return facts


def _chat_usage(u: dict[str, Any]) -> dict[str, int]:
    prompt, completion = u.get("prompt_tokens", 0), u.get("completion_tokens", 0)
    reasoning = (u.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    # xAI and Gemini behind gateways leave reasoning out of `completion_tokens`: it is either more
    # than the completion or makes up the rest of `total_tokens`
    outside = reasoning > completion or u.get("total_tokens") == prompt + completion + reasoning > prompt + completion
    output = completion + reasoning if outside else completion
    return _usage(prompt, output, reasoning, (u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)


# Finish reasons as each provider documents them; a reason absent here is one the corpus never sends.
REASONS = {
    **{"end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls", "max_tokens": "length"},  # Anthropic
    **{"stop": "stop", "tool_calls": "tool_calls", "length": "length", "content_filter": "content_filter"},  # chat
    **{"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter"},  # Gemini
    **{"completed": "stop", "max_output_tokens": "length"},  # Responses
}


def extract(family: str, body: bytes) -> Facts:
    if family == "bedrock":
        facts = bedrock(body)
    else:
        payloads = [json.loads(d) for d in sse_data(body) if d.startswith("{")]
        decoders = {"anthropic": anthropic, "gemini": gemini, "openai-chat": openai_chat}
        facts = decoders.get(family, openai_responses)(payloads)
    # Gemini and Responses say STOP / completed when the model calls a tool: the calls tell
    calls = any(p[0] == "tool" and not p[4] for p in facts["parts"])
    reason = REASONS[facts["raw_reason"]]
    facts["reason"] = "tool_calls" if reason == "stop" and calls else reason
    return facts


def facts_of_events(events: list[dict[str, Any]]) -> Facts:
    """The same facts from our events (`to_dict()` form): parts in the order they start."""
    facts: Facts = {"id": None, "model": None, "parts": [], "raw_reason": None, "usage": _usage()}
    open_parts: dict[tuple[str, str], list[Any]] = {}
    for e in events:
        kind, _, phase = e["type"].rpartition("_")
        if e["type"] == "stream_start":
            facts["id"], facts["model"] = e["id"], e["model"]
        elif e["type"] == "tool_input_start":
            open_parts["tool", e["id"]] = ["tool", e["id"], e["name"], None, None]
            facts["parts"].append(open_parts["tool", e["id"]])
        elif e["type"] == "tool_call":
            if ("tool", e["id"]) not in open_parts:
                open_parts["tool", e["id"]] = ["tool", e["id"], e["name"], None, None]
                facts["parts"].append(open_parts["tool", e["id"]])
            open_parts["tool", e["id"]][3:] = [e["arguments"], e["provider_executed"]]
        elif kind in ("text", "reasoning", "refusal") and phase == "start":
            open_parts[kind, e["id"]] = [kind, ""] + ([None] if kind == "reasoning" else [])
            facts["parts"].append(open_parts[kind, e["id"]])
        elif kind in ("text", "reasoning", "refusal") and phase == "delta":
            open_parts[kind, e["id"]][1] += e["text"]
        elif e["type"] == "reasoning_end":
            open_parts[kind, e["id"]][2] = e["signature"]
        elif e["type"] == "finish":
            u = e["usage"]
            facts["raw_reason"], facts["reason"] = e["raw_reason"], e["reason"]
            numbers = ("input_tokens", "output_tokens", "reasoning_tokens", "cache_read_tokens", "cache_write_tokens")
            facts["usage"] = _usage(*(u[n] for n in numbers))
    facts["parts"] = [tuple(p) for p in facts["parts"]]
    return facts
