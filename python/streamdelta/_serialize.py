"""``from_dict`` (the inverse of ``to_dict()``) and ``read_jsonl``, written once over either backend's
classes (pickling and copying are the classes' own ``__reduce__``)."""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from types import ModuleType
from typing import Any, Callable

# The keys the CLI's output lines carry to tell streams apart (which file, which interaction of a
# cassette): not fields.
_TAGS = ("file", "interaction")


class _Classes:
    """What ``to_dict()`` output is made back into, told apart by ``type`` or by the set of keys."""

    def __init__(self, module: ModuleType) -> None:
        self.events: dict[str, Any] = {}
        for name in module.__all__:
            cls = getattr(module, name)
            kind = getattr(cls, "type", None)
            if isinstance(cls, type) and isinstance(kind, str):
                self.events[kind] = cls
        self.message = module.Message
        self.part = module.Part
        self.usage = module.Usage
        self.sse = module.ServerSentEvent
        self.message_keys = frozenset(module.Message.__match_args__)
        self.part_keys = frozenset(module.Part.__match_args__)
        # `to_dict()` leaves `logprobs` out while it is None.
        self.part_required = self.part_keys - {"logprobs"}
        self.usage_keys = frozenset(module.Usage.__match_args__)
        self.sse_keys = frozenset(module.ServerSentEvent.__match_args__)


def _make(cls: Any, what: str, fields: dict[str, Any]) -> Any:
    unknown = set(fields) - set(cls.__match_args__)
    if unknown:
        raise ValueError(f"not a {what}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**fields)
    except TypeError:
        raise ValueError(f"not a {what}: fields {', '.join(sorted(fields)) or '(none)'}") from None


def make_serializers(module_name: str) -> tuple[Callable[[Mapping[str, Any]], Any], Callable[..., Iterator[Any]]]:
    """``from_dict`` and ``read_jsonl`` making instances of the classes of ``module_name`` (a backend,
    looked up on first use: the backends define these while they are being imported)."""

    @cache
    def classes() -> _Classes:
        return _Classes(importlib.import_module(module_name))

    def value(v: Any) -> Any:
        if isinstance(v, list):
            return tuple(value(item) for item in v)
        if isinstance(v, Mapping):
            return from_dict(v)
        return v

    def from_dict(d: Mapping[str, Any]) -> Any:
        """The object whose ``to_dict()`` is ``d``: an event (by its ``type``), a ``Message``, a
        ``Usage`` or a ``ServerSentEvent`` (by their keys); nested values are made back too.

        Raises ``ValueError`` for a dict that is none of these.
        """
        if not isinstance(d, Mapping):
            raise TypeError(f"from_dict() takes a dict, not {type(d).__name__}")
        known = classes()
        kind = d.get("type")
        if kind is not None:
            cls = known.events.get(kind) if isinstance(kind, str) else None
            if cls is None:
                raise ValueError(f"unknown event type {kind!r}")
            fields = {k: value(v) for k, v in d.items() if k != "type"}
            if kind == "file" and isinstance(fields.get("data"), str):
                fields["data"] = _bytes(fields["data"])
            return _make(cls, f"{kind} event", fields)
        keys = set(d)
        if keys == known.usage_keys:
            return _make(known.usage, "Usage", dict(d))
        if keys == known.sse_keys:
            return _make(known.sse, "ServerSentEvent", dict(d))
        if known.part_required <= keys <= known.part_keys:
            return _make(known.part, "Part", {k: value(v) for k, v in d.items()})
        if keys <= known.message_keys:
            return _make(known.message, "Message", {k: value(v) for k, v in d.items()})
        raise ValueError(f"not the dict of an event, Message, Usage or ServerSentEvent: keys {', '.join(sorted(keys))}")

    def read_jsonl(source: str | os.PathLike[str] | Iterable[str]) -> Iterator[Any]:
        """The objects of JSON lines (``streamdelta events`` / ``sse`` / ``message`` output): a path, or
        lines (an open text file). Blank lines are skipped; the ``file`` and ``interaction`` keys that
        output from several files or a cassette carries are dropped. Raises ``ValueError`` naming the
        line of a bad one."""
        if isinstance(source, (str, os.PathLike)):
            with open(source, encoding="utf-8") as lines:
                yield from _read(lines, from_dict)
        else:
            yield from _read(source, from_dict)

    return from_dict, read_jsonl


def _bytes(text: str) -> bytes:
    """A file's data from the base64 text ``to_dict()`` gives."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not a file event: data is not base64") from None


def _read(lines: Iterable[str], from_dict: Callable[[Mapping[str, Any]], Any]) -> Iterator[Any]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            if isinstance(d, dict):
                for tag in _TAGS:
                    d.pop(tag, None)
            yield from_dict(d)
        except (ValueError, TypeError) as err:
            raise ValueError(f"line {number}: {err}") from None
