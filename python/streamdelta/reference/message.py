"""The final response assembled from the normalized events: twin of ``rust/core/src/message.rs``.

Choices: the message's own fields are choice 0's. When an event opens a part of a choice > 0 (n > 1),
``choices`` holds one message per choice, choice 0 included, each folded from its own parts; events
that belong to no part (start, finish, errors, sources, unknown) go to every choice. A stream of one
choice leaves ``choices`` empty.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .events import (
    ErrorEvent,
    File,
    Finish,
    Message,
    Part,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    RefusalDelta,
    RefusalEnd,
    RefusalStart,
    Source,
    StreamStart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolCall,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
    ToolResult,
    Usage,
)

_STARTS = frozenset((TextStart, ReasoningStart, RefusalStart, ToolInputStart))
# Events of a part: they belong to the choice their part was opened in.
_OF_PART = frozenset(
    (
        TextDelta,
        TextEnd,
        ReasoningDelta,
        ReasoningEnd,
        RefusalDelta,
        RefusalEnd,
        ToolInputDelta,
        ToolInputEnd,
        ToolCall,
        ToolResult,
        File,
    )
)
# A part being built: [kind, id, text chunks, signature, redacted, value, logprobs arrays].
_KIND, _ID, _CHUNKS, _SIGNATURE, _REDACTED, _VALUE, _LOGPROBS = range(7)


def _joined_logprobs(deltas: list[str]) -> str | None:
    """The deltas' logprobs (each JSON text as sent) joined: the twin of the core's ``LogprobsJoin``
    (``rust/core/src/logprobs.rs``, whose notes give the rules). The first delta decides the shape."""
    shape = None
    arrays: list[str] = []
    members: dict[str, str] | None = None
    for delta in deltas:
        if delta.startswith("{"):
            if shape == "array":
                continue
            sent = _members(delta)
            if sent is None:
                continue
            shape, members = "object", members or {}
            for key, value in sent:
                held = members.get(key)
                if held is None:
                    members[key] = value
                elif held.startswith("[") and value.startswith("["):
                    if _EMPTY_ARRAY.fullmatch(held):
                        members[key] = value
                    elif not _EMPTY_ARRAY.fullmatch(value):
                        members[key] = held[:-1] + "," + value[1:]
                elif held == "null":
                    members[key] = value
        elif shape != "object":
            shape = "array"
            arrays.append(delta)
    if members is not None:
        return "{" + ",".join(f'"{key}":{value}' for key, value in members.items()) + "}"
    if len(arrays) < 2:
        return arrays[0] if arrays else None
    # One array holding every array's items in order, the items' text untouched (the core's `join_array`).
    return "[" + ",".join(a[1:-1] for a in arrays) + "]"


_EMPTY_ARRAY = re.compile(r"\[[ \t\n\r]*\]")
_WS = re.compile(r"[ \t\n\r]*")
# The json module's own C scanners (see `families.fields`): a string from after its quote, one value.
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]
_scan_once: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _members(text: str) -> list[tuple[str, str]] | None:
    """The members of a JSON object's text, in order: each key as sent (between its quotes) and its value's
    exact text; None when the text is not one object."""
    try:
        pos = _WS.match(text).end()  # type: ignore[union-attr]  # `*` always matches
        if text[pos] != "{":
            return None
        out = []
        pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        if text[pos] != "}":
            while True:
                if text[pos] != '"':
                    return None
                _, end = _scanstring(text, pos + 1)
                key = text[pos + 1 : end - 1]
                pos = _WS.match(text, end).end()  # type: ignore[union-attr]
                if text[pos] != ":":
                    return None
                start = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
                _, end = _scan_once(text, start)
                out.append((key, text[start:end]))
                pos = _WS.match(text, end).end()  # type: ignore[union-attr]
                if text[pos] == "}":
                    break
                if text[pos] != ",":
                    return None
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        return out if _WS.match(text, pos + 1).end() == len(text) else None  # type: ignore[union-attr]
    except (IndexError, ValueError, StopIteration):
        return None


class _Fold:
    """The fields of one message (one choice), folded from its events."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.created: int | None = None
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.reasoning_signatures: list[str] = []
        self.refusal: list[str] = []
        self.tool_calls: list[Any] = []
        self.tool_results: list[Any] = []
        self.files: list[Any] = []
        self.sources: list[Any] = []
        self.finish_reason: str | None = None
        self.raw_finish_reason: str | None = None
        self.usage: Usage | None = None
        self.provider_metadata_json: str | None = None
        self.errors: list[Any] = []
        self.parts: list[list[Any]] = []
        self.logprobs: list[str] = []

    def shared(self) -> _Fold:
        """A message with only what every choice shares: the fields of events that belong to no part."""
        out = _Fold()
        out.id, out.model, out.created = self.id, self.model, self.created
        out.sources = list(self.sources)
        out.finish_reason, out.raw_finish_reason = self.finish_reason, self.raw_finish_reason
        out.usage, out.provider_metadata_json = self.usage, self.provider_metadata_json
        out.errors = list(self.errors)
        return out

    def fold(self, event: Any) -> None:
        cls = type(event)
        if cls is TextDelta:
            self.text.append(event.text)
            self._extend("text", event.id, event.text, event.logprobs)
            if event.logprobs is not None:
                self.logprobs.append(event.logprobs)
        elif cls is ReasoningDelta:
            self.reasoning.append(event.text)
            self._extend("reasoning", event.id, event.text)
        elif cls is TextStart:
            self.parts.append(["text", event.id, [], None, False, None, []])
        elif cls is ReasoningStart:
            self.parts.append(["reasoning", event.id, [], None, False, None, []])
        elif cls is RefusalStart:
            self.parts.append(["refusal", event.id, [], None, False, None, []])
        elif cls is RefusalDelta:
            self.refusal.append(event.text)
            self._extend("refusal", event.id, event.text, event.logprobs)
        elif cls is StreamStart:
            if event.id is not None:
                self.id = event.id
            if event.model is not None:
                self.model = event.model
            if event.created is not None:
                self.created = event.created
        elif cls is ReasoningEnd:
            if event.signature is not None:
                self.reasoning_signatures.append(event.signature)
            if event.signature is not None or event.redacted:
                part = self._part("reasoning", event.id)
                if part is not None:
                    part[_SIGNATURE] = event.signature
                    part[_REDACTED] = event.redacted
        elif cls is ToolCall:
            self.parts.append(["tool_call", event.id, [], None, False, event, []])
            self.tool_calls.append(event)
        elif cls is ToolResult:
            self.parts.append(["tool_result", event.id, [], None, False, event, []])
            self.tool_results.append(event)
        elif cls is File:
            self.parts.append(["file", event.id, [], None, False, event, []])
            self.files.append(event)
        elif cls is Source:
            self.sources.append(event)
        elif cls is ErrorEvent:
            self.errors.append(event)
        elif cls is Finish:
            self.finish_reason = event.reason
            self.raw_finish_reason = event.raw_reason
            self.usage = event.usage
            self.provider_metadata_json = event.provider_metadata_json

    def _part(self, kind: str, id: str) -> list[Any] | None:
        """The latest part of `kind` with id `id`."""
        for part in reversed(self.parts):
            if part[_KIND] == kind and part[_ID] == id:
                found: list[Any] = part
                return found
        return None

    def _extend(self, kind: str, id: str, text: str, logprobs: str | None = None) -> None:
        """Appends a delta's text (and logprobs) to its part: the last part on the usual path, an earlier
        one when parts interleave, a new one when its start was never seen."""
        parts = self.parts
        if parts:
            last = parts[-1]
            part = last if last[_KIND] == kind and last[_ID] == id else self._part(kind, id)
            if part is not None:
                part[_CHUNKS].append(text)
                if logprobs is not None:
                    part[_LOGPROBS].append(logprobs)
                return
        parts.append([kind, id, [text], None, False, None, [] if logprobs is None else [logprobs]])

    def build(self, choices: tuple[Any, ...] = ()) -> Any:
        return Message(
            id=self.id,
            model=self.model,
            text="".join(self.text),
            reasoning="".join(self.reasoning),
            reasoning_signatures=tuple(self.reasoning_signatures),
            tool_calls=tuple(self.tool_calls),
            sources=tuple(self.sources),
            finish_reason=self.finish_reason,
            raw_finish_reason=self.raw_finish_reason,
            usage=self.usage,
            provider_metadata_json=self.provider_metadata_json,
            errors=tuple(self.errors),
            created=self.created,
            refusal="".join(self.refusal),
            tool_results=tuple(self.tool_results),
            files=tuple(self.files),
            parts=tuple(Part(p[0], p[1], "".join(p[2]), p[3], p[4], p[5], _joined_logprobs(p[6])) for p in self.parts),
            choices=choices,
            logprobs=_joined_logprobs(self.logprobs),
        )


class MessageBuilder:
    """Folds events into a ``Message``, routing the parts of choices > 0 to their own message."""

    def __init__(self) -> None:
        self._main = _Fold()
        self._choices: list[_Fold] = []
        # The parts of choices > 0 by id (empty on a single-choice stream).
        self._routes: dict[str, int] = {}

    def apply(self, event: Any) -> None:
        cls = type(event)
        choice: int | None
        if cls in _OF_PART:
            choice = self._routes.get(event.id, 0) if self._routes else 0
        elif cls in _STARTS:
            choice = event.choice
            if choice > 0:
                self._routes.pop(event.id, None)
                self._routes[event.id] = choice
            elif self._routes:
                self._routes.pop(event.id, None)
        else:
            choice = None
        choices = self._choices
        if choice is None:
            self._main.fold(event)
            for message in choices:
                message.fold(event)
        elif choice == 0 and not choices:
            self._main.fold(event)
        else:
            if len(choices) <= choice:
                if not choices:
                    choices.append(copy.deepcopy(self._main))
                blank = self._main.shared()
                while len(choices) <= choice:
                    choices.append(copy.deepcopy(blank))
            if choice == 0:
                self._main.fold(event)
            choices[choice].fold(event)

    def build(self) -> Any:
        return self._main.build(tuple(c.build() for c in self._choices))
