"""The normalized event classes, ``Usage`` and ``Message``: the twin of ``rust/python/src/events.rs``.

Frozen, ``==`` by value, hashable, usable in ``match`` and with the same ``repr`` and ``to_dict()``
as the Rust classes.
"""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar

__all__ = [
    "ErrorEvent",
    "Event",
    "File",
    "Finish",
    "Message",
    "Part",
    "Raw",
    "ReasoningDelta",
    "ReasoningEnd",
    "ReasoningStart",
    "RefusalDelta",
    "RefusalEnd",
    "RefusalStart",
    "Source",
    "StreamStart",
    "TextDelta",
    "TextEnd",
    "TextStart",
    "ToolCall",
    "ToolInputDelta",
    "ToolInputEnd",
    "ToolInputStart",
    "ToolResult",
    "Unknown",
    "Usage",
]

_MISSING: Any = object()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        # File data: JSON-ready text.
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, (_Value, Usage)):
        return value.to_dict()
    return value


def _parsed_or_none(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


class _Value:
    """Base of the frozen value classes: subclasses name their fields and defaults."""

    __slots__ = ()
    type: ClassVar[str | None] = None
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    # Fields left out of `to_dict()` and `repr` while None: a rare detail that most values of the
    # class never have, so their dicts need no key for it.
    _sparse: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes at most {len(fields)} arguments ({len(args)} given)")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__}() got multiple values for argument {name!r}")
            values[name] = value
        for name in fields:
            value = values.get(name, _MISSING)
            if value is _MISSING or value is None:
                # None stands for the default, as in the Rust classes' signatures.
                value = self._defaults.get(name, value)
                if value is _MISSING:
                    raise TypeError(f"{type(self).__name__}() missing required argument: {name!r}")
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which the constructor takes back in order."""
        return type(self), self._values()

    def to_dict(self) -> dict[str, Any]:
        """The object as a plain dict (nested values too), the same from both backends."""
        out: dict[str, Any] = {} if self.type is None else {"type": self.type}
        for name in self._shown():
            out[name] = _plain(getattr(self, name))
        return out

    def _shown(self) -> tuple[str, ...]:
        if not self._sparse:
            return self._fields
        return tuple(n for n in self._fields if n not in self._sparse or getattr(self, n) is not None)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown())
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Value)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())


class Usage:
    """Token usage, one meaning for every provider: cached tokens are inside `input_tokens`,
    reasoning tokens inside `output_tokens`."""

    __slots__ = (
        "cache_read_tokens",
        "cache_write_tokens",
        "cost",
        "input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "total_tokens",
    )
    __match_args__ = (
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "reasoning_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cost",
    )
    input_tokens: int
    output_tokens: int
    total_tokens: int
    reasoning_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost: float | None

    def __init__(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        total_tokens: int = 0,
        reasoning_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        cost: float | None = None,
    ) -> None:
        for name, value in zip(
            self.__match_args__,
            (input_tokens, output_tokens, total_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens, cost),
            strict=True,
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Usage is frozen: cannot set {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which the constructor takes back in order."""
        return Usage, self._values()

    def to_dict(self) -> dict[str, Any]:
        """The usage as a plain dict, the same from both backends."""
        return dict(zip(self.__match_args__, self._values(), strict=True))

    def __repr__(self) -> str:
        return "Usage(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__match_args__) + ")"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Usage):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())


def _event(
    name: str,
    type_name: str | None,
    fields: tuple[str, ...],
    defaults: dict[str, Any],
    doc: str,
    sparse: tuple[str, ...] = (),
    **methods: Any,
) -> Any:
    return type(
        name,
        (_Value,),
        {
            "__doc__": doc,
            "__slots__": fields,
            "__match_args__": fields,
            "type": type_name,
            "_fields": fields,
            "_defaults": defaults,
            "_sparse": sparse,
            "__module__": __name__,
            **methods,
        },
    )


StreamStart = _event(
    "StreamStart",
    "stream_start",
    ("id", "model", "created"),
    {"id": None, "model": None, "created": None},
    "The response id, model and creation time (unix seconds), when the wire reports them.",
)
TextStart = _event(
    "TextStart", "text_start", ("id", "choice"), {"choice": 0}, "A text part of choice `choice` (0 unless n > 1) opens."
)
TextDelta = _event(
    "TextDelta",
    "text_delta",
    ("id", "text", "logprobs"),
    {"logprobs": None},
    "Text of an open text part; `logprobs`: its tokens' log probabilities as sent (a JSON array's text, "
    "the legacy completions' object's), when sent.",
    ("logprobs",),
)
TextEnd = _event("TextEnd", "text_end", ("id",), {}, "A text part closes.")
ReasoningStart = _event(
    "ReasoningStart", "reasoning_start", ("id", "choice"), {"choice": 0}, "A reasoning (thinking) part opens."
)
ReasoningDelta = _event("ReasoningDelta", "reasoning_delta", ("id", "text"), {}, "Text of an open reasoning part.")
ReasoningEnd = _event(
    "ReasoningEnd",
    "reasoning_end",
    ("id", "signature", "redacted"),
    {"signature": None, "redacted": False},
    "A reasoning part closes, with its signature (to send back) and whether it was redacted.",
)
RefusalStart = _event(
    "RefusalStart",
    "refusal_start",
    ("id", "choice"),
    {"choice": 0},
    "A refusal part opens: the model declines, kept apart from text.",
)
RefusalDelta = _event(
    "RefusalDelta",
    "refusal_delta",
    ("id", "text", "logprobs"),
    {"logprobs": None},
    "Text of an open refusal part; `logprobs` as on `TextDelta`.",
    ("logprobs",),
)
RefusalEnd = _event("RefusalEnd", "refusal_end", ("id",), {}, "A refusal part closes.")
ToolInputStart = _event(
    "ToolInputStart",
    "tool_input_start",
    ("id", "name", "choice", "provider_executed"),
    {"choice": 0, "provider_executed": False},
    "A tool call begins to stream its arguments.",
)
ToolInputDelta = _event(
    "ToolInputDelta",
    "tool_input_delta",
    ("id", "delta"),
    {},
    "A raw fragment of a tool call's arguments, exactly as sent.",
)
ToolInputEnd = _event(
    "ToolInputEnd",
    "tool_input_end",
    ("id",),
    {},
    "A streamed tool call's arguments are complete; its `ToolCall` follows at once.",
)
Raw = _event(
    "Raw",
    "raw",
    ("data",),
    {},
    "One payload exactly as sent, ahead of the events it produced (`StreamParser(include_raw=True)`).",
)
ErrorEvent = _event(
    "ErrorEvent",
    "error",
    ("message", "kind", "raw"),
    {"raw": None},
    "An error the provider sent, or one the parser reports (`incomplete_stream`, `parse_error`).",
)
Unknown = _event(
    "Unknown",
    "unknown",
    ("kind", "raw"),
    {},
    "A payload, item or content block the decoder does not model:\n"
    "its type as `kind`, and its JSON text `raw` as sent.",
)
_MESSAGE_FIELDS = (
    "id",
    "model",
    "text",
    "reasoning",
    "reasoning_signatures",
    "tool_calls",
    "sources",
    "finish_reason",
    "raw_finish_reason",
    "usage",
    "provider_metadata_json",
    "errors",
    "created",
    "refusal",
    "tool_results",
    "files",
    "parts",
    "choices",
    "logprobs",
)


def _to_request(self: Any, family: str) -> Any:
    """The assistant turn for the next request to `family`, in that provider's request format."""
    from .._request import to_request

    return to_request(self, family)


# The defaults are what a parser's message holds before any event: empty text and tuples.
Message = _event(
    "Message",
    None,
    _MESSAGE_FIELDS,
    {
        **dict.fromkeys(_MESSAGE_FIELDS),
        "text": "",
        "reasoning": "",
        "reasoning_signatures": (),
        "tool_calls": (),
        "sources": (),
        "errors": (),
        "refusal": "",
        "tool_results": (),
        "files": (),
        "parts": (),
        "choices": (),
    },
    "The response assembled from the events so far; fields left out take what a new parser's message holds.",
    ("logprobs",),
    to_request=_to_request,
)


class ToolCall(_Value):
    """A complete tool call, ready to run: `id` is what its result carries back; `input` parses `arguments`."""

    __slots__ = ("arguments", "call_type", "id", "name", "provider_executed")
    __match_args__ = ("id", "name", "arguments", "provider_executed", "call_type")
    type = "tool_call"
    _fields = ("id", "name", "arguments", "provider_executed", "call_type")
    _defaults: ClassVar[dict[str, Any]] = {"provider_executed": False, "call_type": None}
    _sparse = ("call_type",)
    id: str
    name: str
    arguments: str
    provider_executed: bool
    # The wire's own type for a call that is not the family's plain function call (Responses
    # `custom_tool_call`, `apply_patch_call`, ...): what a request writes it back as.
    call_type: str | None

    @property
    def input(self) -> Any:
        """The arguments parsed strictly as JSON (on each access): invalid or truncated arguments
        raise, with the byte offset; they are never repaired."""
        from .json_accumulator import JsonAccumulator

        acc = JsonAccumulator()
        acc.feed(self.arguments)
        return acc.value()


class Finish(_Value):
    """The response ended: `reason` is one of `stop`, `length`, `tool_calls`, `content_filter`, `error`, `other`;
    `raw_reason` is the provider's own; with `usage` and provider extras."""

    __slots__ = ("provider_metadata_json", "raw_reason", "reason", "usage")
    __match_args__ = ("reason", "raw_reason", "usage", "provider_metadata_json")
    type = "finish"
    _fields = ("reason", "raw_reason", "usage", "provider_metadata_json")
    _defaults: ClassVar[dict[str, Any]] = {"raw_reason": None, "usage": None, "provider_metadata_json": None}
    reason: str
    raw_reason: str | None
    usage: Usage | None
    provider_metadata_json: str | None

    @property
    def provider_metadata(self) -> Any:
        """``provider_metadata_json`` parsed (None when absent)."""
        return _parsed_or_none(self.provider_metadata_json)


class ToolResult(_Value):
    """The result of a tool the provider ran (web search, code execution, MCP, ...): `id` is the id of
    the call it answers, `result` its raw JSON text; `output` parses it."""

    __slots__ = ("id", "is_error", "name", "provider_executed", "result")
    __match_args__ = ("id", "name", "result", "is_error", "provider_executed")
    type = "tool_result"
    _fields = ("id", "name", "result", "is_error", "provider_executed")
    _defaults: ClassVar[dict[str, Any]] = {"is_error": False, "provider_executed": True}
    id: str
    name: str
    result: str
    is_error: bool
    provider_executed: bool

    @property
    def output(self) -> Any:
        """The result parsed strictly as JSON (on each access), as ``ToolCall.input`` parses arguments."""
        from .json_accumulator import JsonAccumulator

        acc = JsonAccumulator()
        acc.feed(self.result)
        return acc.value()


class File(_Value):
    """Generated media (an image, audio): `data` is the decoded bytes; `partial` marks a preview
    (a partial image). `to_dict()` gives `data` as base64 text."""

    __slots__ = ("data", "id", "media_type", "partial")
    __match_args__ = ("id", "media_type", "data", "partial")
    type = "file"
    _fields = ("id", "media_type", "data", "partial")
    _defaults: ClassVar[dict[str, Any]] = {"partial": False}
    id: str
    media_type: str
    data: bytes
    partial: bool


class Source(_Value):
    """A citation or search source: `kind` is `url` (with its `url`) or `document`; offsets, cited
    text and file ids stay in `provider_metadata_json`."""

    __slots__ = ("filename", "id", "kind", "media_type", "provider_metadata_json", "title", "url")
    __match_args__ = ("id", "url", "title", "kind", "media_type", "filename", "provider_metadata_json")
    type = "source"
    _fields = ("id", "url", "title", "kind", "media_type", "filename", "provider_metadata_json")
    _defaults: ClassVar[dict[str, Any]] = {
        "url": None,
        "title": None,
        "kind": "url",
        "media_type": None,
        "filename": None,
        "provider_metadata_json": None,
    }
    id: str
    url: str | None
    title: str | None
    kind: str
    media_type: str | None
    filename: str | None
    provider_metadata_json: str | None

    @property
    def provider_metadata(self) -> Any:
        """``provider_metadata_json`` parsed (None when absent)."""
        return _parsed_or_none(self.provider_metadata_json)


class Part(_Value):
    """One content part of a `Message`, in wire order: what a next request sends back. `kind` is
    `text`, `reasoning`, `refusal` (with their `text`; reasoning with its `signature` and `redacted`),
    or `tool_call`, `tool_result`, `file` (with that event as `value`); `id` is the part's id; `logprobs`
    (text and refusal parts) its deltas' `logprobs` joined (one array of their entries; the legacy completions'
    objects: one object of their lists joined), when sent."""

    __slots__ = ("id", "kind", "logprobs", "redacted", "signature", "text", "value")
    __match_args__ = ("kind", "id", "text", "signature", "redacted", "value", "logprobs")
    type = None
    _fields = ("kind", "id", "text", "signature", "redacted", "value", "logprobs")
    _defaults: ClassVar[dict[str, Any]] = {
        "text": "",
        "signature": None,
        "redacted": False,
        "value": None,
        "logprobs": None,
    }
    _sparse = ("logprobs",)
    kind: str
    id: str
    text: str
    signature: str | None
    redacted: bool
    value: Any
    logprobs: str | None


Event = Any  # any of the classes above; the Rust backend has its own classes of the same names
