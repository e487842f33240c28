"""The way back for a turn: a ``Message`` as the assistant turn of the next request, and the
tool-result message that answers a call, in each provider's request format.

Written once over the ``Message`` fields both backends share (``Message.to_request`` of the Rust
class calls ``to_request`` here), so that the two cannot disagree. What a format cannot carry is
dropped by a fixed rule, each named where it applies:
- reasoning without a signature is not sent back to Anthropic (a ``thinking`` block needs one) nor
  to chat (DeepSeek-style ``reasoning_content`` must not be returned); chat carries signed
  reasoning as OpenRouter's ``reasoning_details``;
- Gemini's ``thoughtSignature`` is bytes (base64 in JSON): a signature that is not base64 (some
  other provider's opaque text) is not sent to Gemini;
- a tool the provider ran (``provider_executed``) is not a call for the client to answer: it is
  sent back only where the format has a block for it (Anthropic ``server_tool_use``);
- a Responses built-in tool's call goes back as the item it came as (``ToolCall.call_type``):
  ``custom_tool_call`` with its free-text ``input``, ``apply_patch_call``, ``shell_call`` and
  ``tool_search_call`` with their JSON object as sent; a ``local_shell_call`` is left out (its
  input item needs the item id, which the Message does not hold). Other families take them as
  plain function calls.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Literal

from ._types import RequestFamily

__all__ = ["to_request", "tool_result_request"]

_FAMILIES: tuple[str, ...] = RequestFamily.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Part:
    """One content part of the turn, in wire order."""

    kind: Literal["reasoning", "text", "refusal", "tool_call"]
    text: str = ""
    signature: str | None = None
    redacted: bool = False
    id: str = ""  # the reasoning item id (Responses) or the call id
    name: str = ""
    arguments: str = ""
    provider_executed: bool = False
    call_type: str | None = None  # the wire's type for a call other than a plain function call


def _parts(message: Any) -> list[_Part]:
    """The turn's parts: ``Message.parts`` (wire order, a signature on its reasoning part) where the
    message has them; else from the fields: reasoning (one part per signature, the text on the first,
    since the joined text cannot be cut back into blocks), then text, then the tool calls."""
    wire = getattr(message, "parts", None)
    if wire:
        return [p for p in map(_of_part, wire) if p is not None]
    parts: list[_Part] = []
    signatures: tuple[str, ...] = tuple(message.reasoning_signatures) or (None,)  # type: ignore[assignment]
    if message.reasoning or message.reasoning_signatures:
        for n, signature in enumerate(signatures):
            parts.append(_Part("reasoning", message.reasoning if n == 0 else "", signature))
    if message.text:
        parts.append(_Part("text", message.text))
    parts.extend(map(_of_call, message.tool_calls))
    return parts


def _of_call(call: Any) -> _Part:
    call_type = getattr(call, "call_type", None)
    return _Part("tool_call", "", None, False, call.id, call.name, call.arguments, call.provider_executed, call_type)


def _of_part(part: Any) -> _Part | None:
    """One ``Message.parts`` item (``kind``, ``id``, ``text``, ``signature``, ``redacted``, ``value``).
    Tool results and files have no place in an assistant turn we write yet: left out."""
    if part.kind in ("text", "reasoning", "refusal"):
        return _Part(part.kind, part.text, part.signature, part.redacted, part.id)
    if part.kind == "tool_call":
        return _of_call(part.value)
    return None


def _check_family(family: str) -> None:
    if family not in _FAMILIES:
        raise ValueError(f"no request format for family {family!r}: expected one of {', '.join(_FAMILIES)}")


def _input(part: _Part) -> Any:
    """A call's arguments as the JSON object the formats that take a parsed input need."""
    arguments = part.arguments or "{}"
    try:
        value = json.loads(arguments)
    except ValueError as err:
        excerpt = arguments[:60]
        raise ValueError(f"the arguments of tool call {part.id!r} are not valid JSON ({err}): {excerpt!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"the arguments of tool call {part.id!r} are not a JSON object: {arguments[:60]!r}")
    return value


def _chat(parts: list[_Part]) -> dict[str, Any]:
    text = "".join(p.text for p in parts if p.kind == "text")
    refusal = "".join(p.text for p in parts if p.kind == "refusal")
    calls = [p for p in parts if p.kind == "tool_call" and not p.provider_executed]
    out: dict[str, Any] = {"role": "assistant", "content": text or None}
    if refusal:
        out["refusal"] = refusal
    if calls:
        out["tool_calls"] = [
            {"id": p.id, "type": "function", "function": {"name": p.name, "arguments": p.arguments or "{}"}}
            for p in calls
        ]
    signed = [p for p in parts if p.kind == "reasoning" and p.signature is not None]
    if signed:
        # OpenRouter's `reasoning_details`: a redacted part is its encrypted data, else text + signature.
        out["reasoning_details"] = [
            {"type": "reasoning.encrypted", "data": p.signature, "index": n}
            if p.redacted
            else {"type": "reasoning.text", "text": p.text, "signature": p.signature, "index": n}
            for n, p in enumerate(signed)
        ]
    return out


def _anthropic(parts: list[_Part]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for p in parts:
        if p.kind == "reasoning":
            if p.redacted and p.signature is not None:
                content.append({"type": "redacted_thinking", "data": p.signature})
            elif p.signature is not None:
                content.append({"type": "thinking", "thinking": p.text, "signature": p.signature})
        elif p.kind in ("text", "refusal") and p.text:
            content.append({"type": "text", "text": p.text})
        elif p.kind == "tool_call":
            kind = "server_tool_use" if p.provider_executed else "tool_use"
            content.append({"type": kind, "id": p.id, "name": p.name, "input": _input(p)})
    return {"role": "assistant", "content": content}


def _responses(parts: list[_Part]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for p in parts:
        last = items[-1] if items else {}
        if p.kind == "reasoning":
            # A reasoning item goes back only with the id it came with (the API requires it): a
            # Responses part id is `{item_id}:{summary_index}`; the summary parts of one item join.
            item_id = p.id.rpartition(":")[0]
            if not item_id:
                continue
            if last.get("type") != "reasoning" or last.get("id") != item_id:
                last = {"type": "reasoning", "id": item_id, "summary": []}
                items.append(last)
            if p.text:
                last["summary"].append({"type": "summary_text", "text": p.text})
            if p.signature is not None:
                last["encrypted_content"] = p.signature
        elif p.kind in ("text", "refusal") and p.text:
            if last.get("type") == "message":
                last["content"] += p.text
            else:
                items.append({"type": "message", "role": "assistant", "content": p.text})
        elif p.kind == "tool_call" and not p.provider_executed:
            item = _responses_call(p)
            if item is not None:
                items.append(item)
    return items


# The built-in tools' call items whose input is the JSON object the call came with, by item type:
# the field that holds it, and the fixed fields the input item requires.
_OBJECT_CALLS: dict[str, tuple[str, dict[str, str]]] = {
    "apply_patch_call": ("operation", {"status": "completed"}),
    "shell_call": ("action", {"status": "completed"}),
    "tool_search_call": ("arguments", {"execution": "client", "status": "completed"}),
}


def _responses_call(p: _Part) -> dict[str, Any] | None:
    """The input item of a call the client runs, in the shape it came as (see the module's rules)."""
    if p.call_type == "custom_tool_call":
        return {"type": "custom_tool_call", "call_id": p.id, "name": p.name, "input": p.arguments}
    if p.call_type == "local_shell_call":
        return None
    shape = _OBJECT_CALLS.get(p.call_type or "")
    if shape is not None:
        field, fixed = shape
        return {"type": p.call_type, "call_id": p.id, field: _input(p), **fixed}
    return {"type": "function_call", "call_id": p.id, "name": p.name, "arguments": p.arguments or "{}"}


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def _gemini(parts: list[_Part]) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    # A signature that came alone (an empty reasoning part) belongs on the part that follows it.
    pending: str | None = None
    for p in parts:
        part: dict[str, Any]
        if p.kind == "reasoning":
            if not p.text:
                pending = p.signature if p.signature is not None and _is_base64(p.signature) else pending
                continue
            part = {"text": p.text, "thought": True}
        elif p.kind in ("text", "refusal") and p.text:
            part = {"text": p.text}
        elif p.kind == "tool_call" and not p.provider_executed:
            call: dict[str, Any] = {"name": p.name, "args": _input(p)}
            # Ids Gemini did not send are synthesized (`call_0`, ...): only a real one goes back.
            if p.id and not (p.id.startswith("call_") and p.id[5:].isdigit()):
                call["id"] = p.id
            part = {"functionCall": call}
        else:
            continue
        signature = p.signature if p.kind == "reasoning" and p.signature is not None else pending
        if signature is not None and not _is_base64(signature):
            signature = None
        if signature is not None:
            part["thoughtSignature"] = signature
        pending = None
        out.append(part)
    if pending is not None:
        out.append({"text": "", "thoughtSignature": pending})
    return {"role": "model", "parts": out}


def _bedrock(parts: list[_Part]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for p in parts:
        if p.kind == "reasoning":
            if p.redacted and p.signature is not None:
                content.append({"reasoningContent": {"redactedContent": p.signature}})
            elif p.signature is not None:
                content.append({"reasoningContent": {"reasoningText": {"text": p.text, "signature": p.signature}}})
        elif p.kind in ("text", "refusal") and p.text:
            content.append({"text": p.text})
        elif p.kind == "tool_call" and not p.provider_executed:
            content.append({"toolUse": {"toolUseId": p.id, "name": p.name, "input": _input(p)}})
    return {"role": "assistant", "content": content}


_RENDER = {
    "openai-chat": _chat,
    "openai-responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
    "bedrock": _bedrock,
}


def to_request(message: Any, family: str) -> Any:
    """The assistant turn of ``message`` for the next request to ``family``: one message dict, or
    for ``openai-responses`` the list of input items."""
    _check_family(family)
    return _RENDER[family](_parts(message))


def tool_result_request(
    family: RequestFamily, call_id: str, output: Any, *, name: str | None = None, is_error: bool = False
) -> dict[str, Any]:
    """The message that answers tool call ``call_id`` with ``output`` (a str is sent as is, anything
    else as its JSON text; Gemini and Bedrock take a JSON object, so a str or list is wrapped as
    ``{"result": output}``). Gemini matches a result by function ``name``: give it."""
    _check_family(family)
    text = output if isinstance(output, str) else json.dumps(output)
    if family == "openai-chat":
        return {"role": "tool", "tool_call_id": call_id, "content": text}
    if family == "openai-responses":
        return {"type": "function_call_output", "call_id": call_id, "output": text}
    if family == "anthropic":
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id, "content": text}
        if is_error:
            block["is_error"] = True
        return {"role": "user", "content": [block]}
    value = output if isinstance(output, dict) else {"error" if is_error else "result": output}
    if family == "gemini":
        if name is None:
            raise ValueError("a Gemini function response names its function: pass name=")
        response: dict[str, Any] = {"name": name, "response": value}
        if not (call_id.startswith("call_") and call_id[5:].isdigit()):
            response["id"] = call_id
        return {"role": "user", "parts": [{"functionResponse": response}]}
    result: dict[str, Any] = {"toolUseId": call_id, "content": [{"json": value}]}
    if is_error:
        result["status"] = "error"
    return {"role": "user", "content": [{"toolResult": result}]}
