"""``Message.to_request`` and ``tool_result_request``: the next request's turns, checked against the
official SDKs' request types (openai and anthropic TypedDicts through pydantic, google-genai's
``Content``, botocore's Converse model), for every corpus message and every target, both backends
equal; and against what the SDKs' own stream helpers assemble from the same recording."""

from __future__ import annotations

import base64
import json
import warnings
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ConfigDict, TypeAdapter

from streamdelta import reference
from streamdelta._request import to_request

from .conftest import family_bodies, public_bodies, rust_backend, whole_anthropic_bodies

TARGETS = ("openai-chat", "openai-responses", "anthropic", "gemini", "bedrock")
# The public corpus's kinds read as these families.
KINDS = {
    "openai-chat": "openai-chat",
    "mistral": "openai-chat",
    "openai-responses": "openai-responses",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "gemini-json-array": "gemini",
    "bedrock-converse": "bedrock",
}


def _bodies() -> list[tuple[str, str, bytes]]:
    out = [(name, family, body) for family in TARGETS for name, body in family_bodies(family)]
    out += [(name, family, body) for kind, family in KINDS.items() for name, body in public_bodies(kind)]
    return out


BODIES = _bodies()


def message_of(backend: Any, family: str, body: bytes) -> Any:
    parser = backend.StreamParser(family, on_error="emit")
    parser.feed(body)
    parser.close()
    return parser.message


@cache
def _adapter(target: str) -> TypeAdapter[Any]:
    # `extra="forbid"`: a key the SDK's type does not declare is an error, not quietly ignored (pydantic
    # takes a config for a list of TypedDicts, not for one, and applies it to the items' own keys).
    forbid = ConfigDict(extra="forbid")
    if target == "openai-chat":
        from openai.types.chat import ChatCompletionAssistantMessageParam

        return TypeAdapter(list[ChatCompletionAssistantMessageParam], config=forbid)
    if target == "openai-responses":
        from openai.types.responses import ResponseInputItemParam

        return TypeAdapter(list[ResponseInputItemParam], config=forbid)  # type: ignore[arg-type]
    from anthropic.types import MessageParam

    return TypeAdapter(list[MessageParam], config=forbid)


def _converse_shape() -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    return model.operation_model("ConverseStream").input_shape


def _signatures_decoded(content: dict[str, Any]) -> dict[str, Any]:
    parts = [
        {
            k: base64.urlsafe_b64decode(v.replace("+", "-").replace("/", "_")) if k == "thoughtSignature" else v
            for k, v in part.items()
        }
        for part in content["parts"]
    ]
    return {**content, "parts": parts}


def validate(target: str, turn: Any) -> None:
    """Raises unless ``turn`` is a valid value of the target SDK's request type for it."""
    if target == "openai-chat":
        # OpenRouter's extension (https://openrouter.ai/docs/use-cases/reasoning-tokens), not in openai's type.
        details = turn.get("reasoning_details", [])
        for d in details:
            assert d["type"] in ("reasoning.text", "reasoning.encrypted")
            assert isinstance(d["index"], int)
        _adapter(target).validate_python([{k: v for k, v in turn.items() if k != "reasoning_details"}])
    elif target == "gemini":
        from google.genai import types

        # JSON in, JSON out: nothing may be dropped on the way. The signature is bytes to the SDK,
        # which writes them back in URL-safe base64.
        content = types.Content.model_validate_json(json.dumps(turn))
        assert _signatures_decoded(content.model_dump(mode="json", by_alias=True, exclude_none=True)) == (
            _signatures_decoded(turn)
        )
    elif target == "bedrock":
        from botocore.validate import ParamValidator

        report = ParamValidator().validate({"modelId": "m", "messages": [turn]}, _converse_shape())
        assert not report.has_errors(), report.generate_report()
    elif target == "anthropic":
        _adapter(target).validate_python([turn])
    else:
        _adapter(target).validate_python(turn)


def _object_arguments(message: Any) -> bool:
    """Whether every tool call's arguments are a JSON object (what Anthropic, Gemini, Bedrock need)."""
    for call in message.tool_calls:
        try:
            value = json.loads(call.arguments or "{}")
        except ValueError:
            return False
        if not isinstance(value, dict):
            return False
    return True


def turn_or_error(message: Any, target: str) -> tuple[str, Any]:
    try:
        return ("turn", message.to_request(target))
    except ValueError as err:
        return ("error", str(err))


@pytest.mark.parametrize(("name", "family", "body"), BODIES, ids=[b[0] for b in BODIES])
def test_every_corpus_message_to_every_target(name: str, family: str, body: bytes) -> None:
    rust = message_of(rust_backend(), family, body)
    ref = message_of(reference, family, body)
    for target in TARGETS:
        made = turn_or_error(rust, target)
        assert made == turn_or_error(ref, target), target
        kind, turn = made
        if kind == "error":
            # Only a call whose arguments are not a JSON object cannot become a parsed input.
            assert target in ("anthropic", "gemini", "bedrock"), turn
            assert not _object_arguments(rust), turn
            continue
        if target == "bedrock" and any(not call.name for call in rust.tool_calls):
            # Converse needs a tool name; Gemini 3's calls streamed with `partialArgs` come without one
            # after the first (a decoder gap, not a request-format rule): nothing to validate there.
            continue
        validate(target, turn)
        if target != "openai-responses":
            assert json.loads(json.dumps(turn)) == turn


def test_the_corpus_is_there() -> None:
    families = {family for _, family, _ in BODIES}
    if BODIES:
        assert families == set(TARGETS)


def test_tool_result_requests_are_valid(backend: Any) -> None:
    from anthropic.types import MessageParam
    from openai.types.chat import ChatCompletionToolMessageParam
    from openai.types.responses import ResponseInputItemParam

    forbid = ConfigDict(extra="forbid")
    made = backend.tool_result_request
    TypeAdapter(list[ChatCompletionToolMessageParam], config=forbid).validate_python(
        [made("openai-chat", "call_1", {"temp": 40})]
    )
    TypeAdapter(list[ResponseInputItemParam], config=forbid).validate_python([made("openai-responses", "call_1", "40")])
    TypeAdapter(list[MessageParam], config=forbid).validate_python(
        [made("anthropic", "toolu_1", "no such city", is_error=True)]
    )
    validate("gemini", made("gemini", "call_0", [1, 2], name="weather"))
    validate("bedrock", made("bedrock", "tooluse_1", {"temp": 40}))
    assert made("openai-chat", "call_1", {"temp": 40}) == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"temp": 40}',
    }
    assert made("gemini", "call_0", [1, 2], name="weather") == {
        "role": "user",
        "parts": [{"functionResponse": {"name": "weather", "response": {"result": [1, 2]}}}],
    }
    with pytest.raises(ValueError, match="a Gemini function response names its function: pass name="):
        made("gemini", "call_0", "x")


def test_unknown_family_is_refused(backend: Any) -> None:
    message = backend.Message(text="hi")
    with pytest.raises(ValueError, match="no request format for family 'cohere': expected one of openai-chat, "):
        message.to_request("cohere")
    with pytest.raises(ValueError, match="no request format for family 'ollama'"):
        backend.tool_result_request("ollama", "c", "x")


def test_a_call_whose_arguments_are_cut_cannot_be_a_parsed_input(backend: Any) -> None:
    call = backend.ToolCall("toolu_1", "weather", '{"city": "Flor')
    message = backend.Message(tool_calls=(call,))
    assert message.to_request("openai-chat")["tool_calls"][0]["function"]["arguments"] == '{"city": "Flor'
    with pytest.raises(ValueError, match="the arguments of tool call 'toolu_1' are not valid JSON"):
        message.to_request("anthropic")


# The content blocks a request takes back, with the fields each carries (the Anthropic docs: send
# `response.content` back as the assistant turn).
ANTHROPIC_BLOCKS = {
    "text": ("text",),
    "thinking": ("thinking", "signature"),
    "redacted_thinking": ("data",),
    "tool_use": ("id", "name", "input"),
    "server_tool_use": ("id", "name", "input"),
}


@pytest.mark.parametrize(("name", "body"), whole_anthropic_bodies(), ids=[b[0] for b in whole_anthropic_bodies()])
def test_anthropic_turn_is_what_the_sdk_assembles(
    backend: Any, body_server: Any, sdk_clients: tuple[Any, Any], name: str, body: bytes
) -> None:
    upstream = body_server.url(body, seed=len(body))
    user = [{"role": "user", "content": "hi"}]
    with sdk_clients[1].with_options(base_url=upstream).messages.stream(model="m", max_tokens=8, messages=user) as s:
        final = s.get_final_message()
    content = [
        {"type": b.type, **{field: getattr(b, field) for field in ANTHROPIC_BLOCKS[b.type]}}
        for b in final.content
        if b.type in ANTHROPIC_BLOCKS and not (b.type == "text" and not b.text)
    ]
    message = message_of(backend, "anthropic", body)
    if not _object_arguments(message):
        # A call cut by `max_tokens`: the SDK repairs its input (partial JSON), to_request does not.
        with pytest.raises(ValueError, match=r"the arguments of tool call .* are not valid JSON"):
            message.to_request("anthropic")
        return
    turn = message.to_request("anthropic")
    kinds = {b.type for b in final.content}
    if "mcp_tool_use" in kinds:
        # The events do not say a provider-run call was an MCP one: it goes back as `server_tool_use`
        # (and the SDK's `mcp_tool_use` is not among the blocks compared).
        turn = {**turn, "content": [b for b in turn["content"] if b["type"] != "server_tool_use"]}
    if hasattr(message, "parts") or _fields_carry(final.content):
        assert turn == {"role": "assistant", "content": content}
    else:
        # Built from the Message's fields (an event model without `Message.parts`): the calls to answer
        # and the signed thinking still go back whole.
        def of(kinds: tuple[str, ...], blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [b for b in blocks if b["type"] in kinds]

        assert of(("tool_use",), turn["content"]) == of(("tool_use",), content)
        assert [b["signature"] for b in of(("thinking",), turn["content"])] == [
            b.get("signature", b.get("data")) for b in of(("thinking", "redacted_thinking"), content)
        ]


def _fields_carry(blocks: list[Any]) -> bool:
    """Whether a turn's blocks have the shape the Message fields can give back exactly: at most one
    thinking block, at most one text block after it, then client tool calls (no redacted thinking,
    no server tools and their results, no text split by citations)."""
    kinds = [b.type for b in blocks if not (b.type == "text" and not b.text)]
    rank = {"thinking": 0, "text": 1, "tool_use": 2}
    return (
        all(k in rank for k in kinds)
        and kinds == sorted(kinds, key=rank.__getitem__)
        and kinds.count("thinking") <= 1
        and kinds.count("text") <= 1
    )


# Bodies where openai's accumulator is wrong by design: it concatenates every `id` and `name` fragment,
# and this provider repeats them in each chunk of a call.
SDK_DIFFERS = {"cererebras-structured-output-tools.1__0.sse": "id and name repeated per chunk"}


def chat_bodies() -> list[tuple[str, bytes]]:
    return family_bodies("openai-chat") + public_bodies("openai-chat", "sse")


@pytest.mark.parametrize(("name", "body"), chat_bodies(), ids=[b[0] for b in chat_bodies()])
def test_chat_turn_is_what_the_sdk_assembles(
    backend: Any, body_server: Any, sdk_clients: tuple[Any, Any], name: str, body: bytes
) -> None:
    import openai
    from openai.lib.streaming.chat import ChatCompletionStreamState

    client = sdk_clients[0].with_options(base_url=body_server.url(body, seed=len(body)))
    message = message_of(backend, "openai-chat", body)
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    try:
        for chunk in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        ):
            state.handle_chunk(chunk)
    except openai.APIError:
        assert message.errors  # the SDK raises on an error payload; the parser reports it
        return
    except (KeyError, IndexError, TypeError, RuntimeError):
        return  # the accumulator cannot read the body (annotations, chunks without `index`): no oracle
    if name.endswith(tuple(SDK_DIFFERS)):
        return
    choices = state.current_completion_snapshot.choices
    if len(choices) != 1:
        return  # n > 1: the Message's fields are choice 0's, the turn is one choice's
    sdk = choices[0].message
    expected: dict[str, Any] = {"role": "assistant", "content": sdk.content or None}
    if sdk.refusal and getattr(message, "refusal", ""):
        # Reading `delta.refusal` is the decoder's part (issue 17); once the message holds it, it goes back.
        expected["refusal"] = sdk.refusal
    if sdk.tool_calls:
        expected["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
            for c in sdk.tool_calls
        ]
    turn = message.to_request("openai-chat")
    turn.pop("reasoning_details", None)  # OpenRouter's, which openai's accumulator does not keep
    assert turn == expected


def responses_bodies() -> list[tuple[str, bytes]]:
    return family_bodies("openai-responses") + public_bodies("openai-responses", "sse")


# The calls the client runs, by Responses item type, and the field holding each one's input: what
# `to_request` must give back in the item's own shape (a `local_shell_call` is left out by rule: its
# input item needs the item id, which the Message does not hold).
CALL_INPUTS = {
    "function_call": "arguments",
    "custom_tool_call": "input",
    "apply_patch_call": "operation",
    "shell_call": "action",
    "tool_search_call": "arguments",
}


def _client_calls(items: list[Any]) -> list[tuple[str, str, Any]]:
    """(type, call_id, input) of the call items a client answers, from dicts or the SDK's models."""
    out = []
    for item in items:
        if not isinstance(item, dict) and item.type not in CALL_INPUTS:
            continue
        d = item if isinstance(item, dict) else item.model_dump(mode="json", exclude_unset=True, warnings=False)
        field = CALL_INPUTS.get(d["type"])
        if field is None or d.get("environment") is not None or d.get("execution", "client") != "client":
            continue
        out.append((d["type"], d["call_id"], d[field]))
    return out


@pytest.mark.parametrize(("name", "body"), responses_bodies(), ids=[b[0] for b in responses_bodies()])
def test_responses_items_are_what_the_sdk_assembles(
    backend: Any, body_server: Any, sdk_clients: tuple[Any, Any], name: str, body: bytes
) -> None:
    import openai

    client = sdk_clients[0].with_options(base_url=body_server.url(body, seed=len(body)))
    message = message_of(backend, "openai-responses", body)
    try:
        # openai's parsed objects trip pydantic serializer warnings about the SDK's own types.
        with warnings.catch_warnings(), client.responses.stream(model="m", input="hi") as stream:
            warnings.simplefilter("ignore", UserWarning)
            output = stream.get_final_response().output
    except (openai.APIError, ValueError, KeyError, TypeError, RuntimeError):
        return  # an error payload, or a stream the helper cannot finish (no `response.completed`): no oracle
    # The documented way to continue is `input += response.output`: the calls to answer, each as the
    # item it came as, and the text must be those (reasoning items need their ids, which the Message
    # fields do not hold yet).
    text = "".join(c.text for i in output if i.type == "message" for c in i.content if c.type == "output_text")
    items = message.to_request("openai-responses")
    assert _client_calls(items) == _client_calls(output)
    if not name.endswith(DELTAS_TRIMMED):
        assert "".join(i["content"] for i in items if i["type"] == "message") == text


# Recordings whose text deltas were cut short by hand while `response.completed` kept the whole
# text: the Message holds what was streamed, the SDK's final response what the last event says.
DELTAS_TRIMMED = ("openai.responses.openai-phase.1__0.sse", "openai.responses.openai-shell-container.1__0.sse")


def _wire_message(*parts: tuple[Any, ...]) -> Any:
    """A message with ``parts`` in wire order, in the shape of ``Message.parts`` (kind, id, text,
    signature, redacted, value)."""
    names = ("kind", "id", "text", "signature", "redacted", "value")
    return SimpleNamespace(parts=tuple(SimpleNamespace(**dict(zip(names, p, strict=True))) for p in parts))


def test_parts_keep_wire_order() -> None:
    call = reference.ToolCall("toolu_1", "weather", '{"city": "Florence"}')
    turn = _wire_message(
        ("reasoning", "0", "Think.", "sig-a", False, None),
        ("text", "1", "Let me look.", None, False, None),
        ("reasoning", "2", "", "data-b", True, None),
        ("reasoning", "3", "More.", "sig-c", False, None),
        ("tool_call", "toolu_1", "", None, False, call),
        ("tool_result", "srvtoolu_1", "", None, False, None),
    )
    assert to_request(turn, "anthropic") == {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Think.", "signature": "sig-a"},
            {"type": "text", "text": "Let me look."},
            {"type": "redacted_thinking", "data": "data-b"},
            {"type": "thinking", "thinking": "More.", "signature": "sig-c"},
            {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Florence"}},
        ],
    }
    validate("anthropic", to_request(turn, "anthropic"))


def test_responses_reasoning_items_from_part_ids() -> None:
    call = reference.ToolCall("call_1", "f", "{}")
    items = to_request(
        _wire_message(
            ("reasoning", "rs_1:0", "First.", None, False, None),
            ("reasoning", "rs_1:1", "Second.", "enc", False, None),
            ("text", "msg_1:0", "Hel", None, False, None),
            ("text", "msg_1:1", "lo", None, False, None),
            ("tool_call", "call_1", "", None, False, call),
        ),
        "openai-responses",
    )
    assert items == [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "First."}, {"type": "summary_text", "text": "Second."}],
            "encrypted_content": "enc",
        },
        {"type": "message", "role": "assistant", "content": "Hello"},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
    ]
    validate("openai-responses", items)


def test_gemini_signature_goes_on_the_part_it_came_with() -> None:
    call = reference.ToolCall("call_0", "weather", '{"city": "Florence"}')
    turn = to_request(
        _wire_message(
            ("reasoning", "0", "Thinking.", None, False, None),
            ("reasoning", "1", "", "c2lnbmF0dXJl", False, None),
            ("tool_call", "call_0", "", None, False, call),
        ),
        "gemini",
    )
    assert turn == {
        "role": "model",
        "parts": [
            {"text": "Thinking.", "thought": True},
            {"functionCall": {"name": "weather", "args": {"city": "Florence"}}, "thoughtSignature": "c2lnbmF0dXJl"},
        ],
    }
    validate("gemini", turn)
