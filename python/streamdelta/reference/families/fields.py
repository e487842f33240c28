"""Typed reads of parsed payloads that accept and reject what the core's serde structs do.

serde checks every declared field of a struct, whatever the event type, so a decoder validates a
payload's declared fields before it acts on any of them. ``null`` reads as absent (``Option``);
a field of the wrong JSON type is ``wrong_shape()``; undeclared fields are ignored.
"""

from __future__ import annotations

import json
import re
from typing import Any, Union

from . import not_a_u64, parse_json, wrong_shape

__all__ = ["obj", "opt_bool", "opt_list", "opt_obj", "opt_str", "opt_u64", "parse_object", "raw_json"]

_U64_MAX = (1 << 64) - 1


def parse_object(data: str) -> dict[str, Any]:
    """The payload as a JSON object (the core's ``parse_object``)."""
    value = parse_json(data)
    if not isinstance(value, dict):
        raise wrong_shape()
    return value


def obj(value: Any) -> dict[str, Any]:
    """An element that must be an object (a struct inside a ``Vec``)."""
    if not isinstance(value, dict):
        raise wrong_shape()
    return value


def opt_str(d: dict[str, Any], key: str) -> str | None:
    value = d.get(key)
    if value is None or isinstance(value, str):
        return value
    raise wrong_shape()


def opt_u64(d: dict[str, Any], key: str) -> int | None:
    value = d.get(key)
    if value is None:
        return None
    # `type(...) is int`: bool is an int in Python but not a number for serde.
    if type(value) is int and 0 <= value <= _U64_MAX:
        return value
    raise not_a_u64(value)


def opt_bool(d: dict[str, Any], key: str) -> bool | None:
    value = d.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise wrong_shape()


def opt_obj(d: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = d.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise wrong_shape()


def opt_list(d: dict[str, Any], key: str) -> list[Any] | None:
    value = d.get(key)
    if value is None or isinstance(value, list):
        return value
    raise wrong_shape()


def saturating_add(a: int, b: int) -> int:
    """``u64::saturating_add``."""
    return min(a + b, _U64_MAX)


_WS = re.compile(r"[ \t\n\r]*")


def _skip(data: str, pos: int) -> int:
    """``pos`` moved past JSON whitespace."""
    return _WS.match(data, pos).end()  # type: ignore[union-attr]  # `*` always matches


# The json module's own C scanners: `scanstring` reads a string body, `scan_once` one whole value.
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]
_scan_once: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

Step = Union[str, int]


def raw_json(data: str, path: tuple[Step, ...]) -> str:
    """The JSON text of the value at ``path`` exactly as it appears in ``data`` (serde's ``RawValue``).

    ``data`` has already been parsed, so it is valid JSON and the path exists: this walks the text
    with the json module's own scanner, skipping the values off the path.
    """
    pos = _skip(data, 0)
    for step in path:
        pos = _member(data, pos, step) if isinstance(step, str) else _element(data, pos, step)
    _, end = _scan_once(data, pos)
    return data[pos:end]


def _member(data: str, pos: int, key: str) -> int:
    """The start of the value of ``key`` in the object at ``pos`` (the last one, as ``json.loads``)."""
    found = -1
    pos = _skip(data, pos + 1)
    while data[pos] != "}":
        name, pos = _scanstring(data, pos + 1)
        pos = _skip(data, _skip(data, pos) + 1)  # past the `:`
        if name == key:
            found = pos
        _, pos = _scan_once(data, pos)
        pos = _skip(data, pos)
        if data[pos] == ",":
            pos = _skip(data, pos + 1)
    return found


def _element(data: str, pos: int, index: int) -> int:
    """The start of element ``index`` of the array at ``pos``."""
    pos = _skip(data, pos + 1)
    for _ in range(index):
        _, pos = _scan_once(data, pos)
        pos = _skip(data, _skip(data, pos) + 1)  # past the `,`
    return pos
