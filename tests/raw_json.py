"""JSON as text, for hypothesis: what `json.dumps` of a dict never writes and a server may send.

Duplicate keys, `-0`, exponents (`1E+2`, `0e0`), integers longer than any machine word, keys and
strings spelled with escapes (`"\\u0074ype"` is `"type"`), whitespace between tokens. ``objects``
makes payloads from the wire's field names; ``respelled`` writes a real payload back in other
spellings of the same JSON, so that the decoders read every oddity it holds. Each oddity is a kind
that a test may ask for or leave out.
"""

from __future__ import annotations

import json
from typing import Callable

from hypothesis import strategies as st

KINDS = frozenset({"numbers", "minus_zero", "escapes", "whitespace", "duplicates"})
NUMBERS = [
    "0", "0.0", "-0.0", "1E+2", "1e2", "1E-2", "2.5e0", "0e0", "10", "1.0", "-1", "1" + "0" * 30,
    "-" + "9" * 25, "18446744073709551615", "18446744073709551616", "9223372036854775808",
    "0.1000000000000000000000000001", "1e400", "-1e400",
]  # fmt: skip
Member = tuple[str, str, str]  # key, whitespace, value


def _space(kinds: frozenset[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(["", "", "", " ", "\n", "\t", " \r\n "] if "whitespace" in kinds else [""])


@st.composite
def spelled(draw: st.DrawFn, text: str, kinds: frozenset[str] = KINDS) -> str:
    """``text`` as a JSON string, each character written plainly or as a `\\u` escape."""
    if "escapes" not in kinds:
        return json.dumps(text)
    out = []
    for ch in text:
        escape = ord(ch) < 0x10000 and draw(st.booleans())
        out.append(f"\\u{ord(ch):04x}" if escape else json.dumps(ch)[1:-1])
    return '"' + "".join(out) + '"'


def _number(n: float, kinds: frozenset[str]) -> list[str]:
    """Spellings of one number that a JSON reader takes as the same value."""
    out = [json.dumps(n)]
    if "numbers" in kinds and isinstance(n, int):
        out += [f"{n}E+0", f"{n}e0"] + ([f"{n // 100}E+2", f"{n // 100}e2"] if n and n % 100 == 0 else [])
    return out + (["-0"] if "minus_zero" in kinds and n == 0 and isinstance(n, int) else [])


@st.composite
def _object(draw: st.DrawFn, members: list[Member], kinds: frozenset[str], others: list[str]) -> str:
    """The members as an object; with "duplicates", now and then one key given twice (the first
    time with the same value or another one)."""
    if members and "duplicates" in kinds and draw(st.integers(0, 3)) == 0:
        key, space, value = members[draw(st.integers(0, len(members) - 1))]
        members.insert(draw(st.integers(0, len(members))), (key, space, draw(st.sampled_from([value, *others]))))
    return "{" + ",".join(f"{key}{space}:{space}{value}" for key, space, value in members) + "}"


@st.composite
def respelled(draw: st.DrawFn, value: object, kinds: frozenset[str] = KINDS) -> str:
    """``value`` (from `json.loads`) written back in other spellings of the ``kinds`` asked for."""
    space = draw(_space(kinds))
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return draw(st.sampled_from(_number(value, kinds)))
    if isinstance(value, str):
        return draw(spelled(value, kinds))
    if isinstance(value, list):
        return "[" + ",".join(draw(respelled(v, kinds)) for v in value) + space + "]"
    assert isinstance(value, dict)
    members = [(draw(spelled(k, kinds)), space, draw(respelled(v, kinds))) for k, v in value.items()]
    return draw(_object(members, kinds, ["null", "0", '""', "{}", "[]"]))


def _unique(kinds: frozenset[str]) -> Callable[[Member], object]:
    """Keys drawn at random repeat now and then: a duplicate only when asked for."""
    return (lambda m: object()) if "duplicates" in kinds else (lambda m: json.loads(m[0]))


@st.composite
def objects(draw: st.DrawFn, keys: list[str], words: list[str], kinds: frozenset[str] = KINDS) -> str:
    """Payloads: JSON objects as text, keys drawn from ``keys``, strings from ``words`` or anything
    (a composite, so that hypothesis names it in a line rather than by the whole strategy tree)."""
    numbers = [n for n in NUMBERS if "numbers" in kinds] + (["-0"] if "minus_zero" in kinds else ["0"])
    strings = (st.sampled_from(words) | st.text(max_size=6)).flatmap(lambda s: spelled(s, kinds))
    leaves = st.sampled_from(["null", "true", "false", *numbers]) | st.integers(-(2**70), 2**70).map(str) | strings

    def containers(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        key = st.sampled_from(keys).flatmap(lambda k: spelled(k, kinds))
        members = st.lists(st.tuples(key, _space(kinds), inner), max_size=5, unique_by=_unique(kinds))
        arrays = st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
        return arrays | members.flatmap(lambda ms: _object(ms, kinds, ["null", "0"]))

    values = st.recursive(leaves, containers, max_leaves=10)
    key = st.sampled_from(keys).flatmap(lambda k: spelled(k, kinds))
    top = st.lists(st.tuples(key, _space(kinds), values), min_size=1, max_size=5, unique_by=_unique(kinds))
    return draw(top.flatmap(lambda ms: _object(ms, kinds, ["null", "0"])))
