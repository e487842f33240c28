"""Typed reads of parsed payloads that accept and reject what the core's serde structs do.

serde checks every declared field of a struct, whatever the event type, so a decoder validates a
payload's declared fields before it acts on any of them. ``null`` reads as absent (``Option``);
a field sent with a value of another JSON type reads as absent too, and an item of a list of
structs that is not an object is left out of the list (tolerant reader: the core's ``lenient_str``,
``lenient_obj``, ``lenient_list``, ``lenient_u64``, ``lenient_bool``); for a ``u64`` field a
negative integer, a float or an integer beyond 64 bits is of another type too (``json.loads`` reads
``-0`` as the integer 0, as the core's relaxed reading does); undeclared fields are ignored. serde
reads a number it meets in a declared field, whatever the field's kind (to skip it where it passes a
value over), so there a number beyond a double's range is not valid JSON (``not_a_u64``).

Two ways to be held to that, one per kind of decoder. One that reads a struct whole into a record
of its own (gemini, openai-responses) reads each field with its ``opt_*`` helper. One that reads a
few fields of a struct deep inside its logic (openai-chat, anthropic) declares each wire struct once,
as the core does (``struct(content=STR, function=FUNCTION, tool_calls=list_of(TOOL_CALL))``), has
``check`` vouch for all of it, then reads with plain ``dict.get``. ``check`` walks the fields in the
order they are declared and raises the first fault it meets, so a declaration keeps the order of the
checks it replaced.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Union

from ..error import invalid_json
from . import PayloadError, beyond_double, not_a_u64, parse_json

__all__ = [
    "BOOL",
    "RAW",
    "STR",
    "U64",
    "Kind",
    "Step",
    "Struct",
    "check",
    "has_surrogate",
    "lenient_list",
    "list_of",
    "obj",
    "objects",
    "opt_bool",
    "opt_list",
    "opt_obj",
    "opt_str",
    "opt_u64",
    "parse_object",
    "raw_json",
    "saturating_add",
    "str_or_list",
    "struct",
]

_U64_MAX = (1 << 64) - 1
_SURROGATE = re.compile("[\ud800-\udfff]")

# A kind checks a field's value that is present (not ``null``), raising what serde would; ``U64``
# and ``BOOL`` say whether the value is of their type (``check`` passes it over when not).
Kind = Callable[[Any], Any]
# A struct: its fields and their kinds, in the order they are checked. A field whose kind is a
# struct holds one (the core's ``Obj<T>``), one whose kind is a ``ListOf`` a list of them.
Struct = tuple[tuple[str, Union[Kind, "Struct", "ListOf"]], ...]


def has_surrogate(text: str) -> bool:
    """Whether decoded text holds a lone surrogate (``json.loads`` makes a ``\\u`` pair one character)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _str(value: Any) -> None:
    # serde refuses a lone surrogate in every string it decodes. Payloads read with `parse_json` cannot
    # hold one (it refuses one anywhere, as the core's `parse_json` does); Bedrock's exception frames,
    # which the core reads with plain serde, can.
    if type(value) is not str:
        raise not_a_u64(value)
    if has_surrogate(value):
        raise PayloadError(invalid_json("not valid JSON"))


def _u64(value: Any) -> bool:
    # `type(...) is int`: bool is an int in Python but not a number for serde.
    return type(value) is int and 0 <= value <= _U64_MAX


def _bool(value: Any) -> bool:
    return type(value) is bool


def _raw(value: Any) -> None:
    """serde's ``RawValue``: any JSON, read later where it is used."""


STR: Kind = _str
U64: Kind = _u64
BOOL: Kind = _bool
RAW: Kind = _raw


def struct(**fields: Kind | Struct | ListOf) -> Struct:
    """A wire struct declared once, its fields in order (a JSON name that is no Python name goes in
    with ``**{"name": kind}``). ``RAW`` fields are declared for the reader; there is nothing to check."""
    return tuple((name, kind) for name, kind in fields.items() if kind is not RAW)


def check(d: dict[str, Any], fields: Struct) -> dict[str, Any]:
    """``d`` itself, once every field the struct declares is of its kind."""
    get = d.get
    for key, kind in fields:
        value = get(key)
        if value is None:
            continue
        # The usual kinds are checked here rather than in a call, over pairs rather than a dict: with
        # a call per field over `dict.items()` the anthropic reference took 2-3 % longer (corpus, measured).
        if kind is STR:
            if type(value) is str and (value.isascii() or not _SURROGATE.search(value)):
                continue
            if type(value) is not str:
                if beyond_double(value):
                    raise not_a_u64(value)
                # Passed over: the decoder reads `d` with `dict.get` after this check.
                d[key] = None
                continue
        elif type(kind) is tuple:
            if type(value) is dict:
                check(value, kind)
            else:
                # Passed over (the core's `lenient_obj`), as a string field of another type.
                _pass_over(value)
                d[key] = None
            continue
        elif type(kind) is ListOf:
            if kind.strings and type(value) is str:
                _str(value)
            else:
                d[key] = lenient_list(value, kind.fields)
            continue
        elif kind is U64 or kind is BOOL:
            if not kind(value):
                # Passed over, as a string field of another type.
                _pass_over(value)
                d[key] = None
            continue
        kind(value)  # type: ignore[operator]  # a struct is not callable, but was handled above
    return d


def _pass_over(value: Any) -> None:
    """A value of another JSON type, passed over: serde reads a number it meets there, so one beyond
    a double's range is not valid JSON."""
    if beyond_double(value):
        raise not_a_u64(value)


class ListOf:
    """The kind of a list of structs (the core's ``list(T)``), read as ``lenient_list`` reads one;
    ``strings``: a string is taken too (the core's ``str_or_list``)."""

    __slots__ = ("fields", "strings")

    def __init__(self, fields: Struct, strings: bool = False) -> None:
        self.fields = fields
        self.strings = strings

    def __call__(self, value: Any) -> list[dict[str, Any]] | None:
        return lenient_list(value, self.fields)


def list_of(fields: Struct) -> ListOf:
    """A list of structs (the core's ``List<T>``), read leniently (see ``lenient_list``)."""
    return ListOf(fields)


def lenient_list(value: Any, fields: Struct) -> list[dict[str, Any]] | None:
    """A list of structs read leniently (the core's ``lenient_list``): an item that is not an object
    is passed over, and a value that is not a list reads as absent. serde reads a number it meets
    there, so one beyond a double is refused."""
    if type(value) is not list:
        _pass_over(value)
        return None
    # The usual list holds objects alone: it is checked in place, not copied.
    for item in value:
        if type(item) is not dict:
            return [check(item, fields) for item in objects(value)]
        check(item, fields)
    return value


def objects(value: list[Any]) -> list[dict[str, Any]]:
    """The object items of a list, in order; the others are passed over (the core's ``lenient_list``).
    An index into the list is an index among its objects, as ``raw_json`` counts them."""
    out = []
    for item in value:
        if type(item) is dict:
            out.append(item)
        else:
            _pass_over(item)
    return out


def str_or_list(fields: Struct) -> ListOf:
    """A string or a list of structs (the core's ``str_or_list``, Mistral's content); any other value
    is passed over, as for ``STR``."""
    return ListOf(fields, strings=True)


def parse_object(data: str) -> dict[str, Any]:
    """The payload as a JSON object (the core's ``parse_object``)."""
    value = parse_json(data)
    if type(value) is not dict:
        # serde reads a bare number to name it in its error: one beyond a double is not JSON to it.
        raise not_a_u64(value)
    return value


def obj(value: Any) -> dict[str, Any]:
    """An element that must be an object (a struct inside a ``Vec``)."""
    if type(value) is not dict:
        raise not_a_u64(value)
    return value


def opt_str(d: dict[str, Any], key: str) -> str | None:
    """``Option<Cow<str>>``."""
    value = d.get(key)
    # The usual case first, without a call: nearly every field read is absent or an ASCII string.
    if value is not None and not (type(value) is str and value.isascii()):
        if type(value) is not str:
            if beyond_double(value):
                raise not_a_u64(value)
            return None
        _str(value)
    return value


def opt_u64(d: dict[str, Any], key: str) -> int | None:
    """``u64``: a value of another type (a negative integer, a float, one beyond 64 bits too) reads
    as absent (the core's ``lenient_u64``)."""
    value = d.get(key)
    if value is None or (type(value) is int and 0 <= value <= _U64_MAX):
        return value
    _pass_over(value)
    return None


def opt_bool(d: dict[str, Any], key: str) -> bool | None:
    """``bool``: a value of another type reads as absent (the core's ``lenient_bool``)."""
    value = d.get(key)
    if value is None or type(value) is bool:
        return value
    _pass_over(value)
    return None


def opt_obj(d: dict[str, Any], key: str) -> dict[str, Any] | None:
    """``obj(T)``: a value of another JSON type reads as absent (the core's ``lenient_obj``)."""
    value = d.get(key)
    if value is None or type(value) is dict:
        return value
    _pass_over(value)
    return None


def opt_list(d: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
    """``list(T)``: its object items (see ``objects``); a value that is not a list reads as absent."""
    value = d.get(key)
    if value is None:
        return None
    if type(value) is not list:
        _pass_over(value)
        return None
    for item in value:
        if type(item) is not dict:
            return objects(value)
    return value


def saturating_add(a: int, b: int) -> int:
    """``u64::saturating_add``."""
    return min(a + b, _U64_MAX)


_WS = re.compile(r"[ \t\n\r]*")


def _skip(data: str, pos: int) -> int:
    """``pos`` moved past JSON whitespace."""
    return _WS.match(data, pos).end()  # type: ignore[union-attr]  # `*` always matches


# The json module's own C scanners (not in its typed API): `scanstring` reads a string from after its
# quote, `scan_once` one whole value from its first character; each returns the value and the index after it.
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
    """The start of object ``index`` of the array at ``pos``: the lists a path steps into are lists of
    structs, whose items of another JSON type the readers pass over (``objects``)."""
    pos = _skip(data, pos + 1)
    while data[pos] != "{" or index:
        if data[pos] == "{":
            index -= 1
        _, pos = _scan_once(data, pos)
        pos = _skip(data, _skip(data, pos) + 1)  # past the `,`
    return pos
