"""JsonAccumulator on both backends: jiter's partial snapshots on every prefix, json.loads on complete
documents, deltas, exact errors, and rust == reference.

Where the snapshot departs from ``jiter.from_json(prefix, partial_mode="trailing-strings")``, by design:
- jiter raises on a prefix holding no value yet (empty, whitespace) or an unfinished top-level scalar
  (``-``, ``1.``, ``tr``): the snapshot is None, as it is for such a value inside a container (left out).
- jiter refuses nesting deeper than 200 levels (its recursion limit); the accumulator's limit is
  ``max_depth`` (512 by default), so the differential documents stay within 200.
- Lone surrogate escapes (``"\\ud800"``) are rejected by both jiter and the accumulator but accepted by
  ``json.loads``; so are ``NaN`` and ``Infinity``, which jiter accepts by default: the accumulator is
  strict RFC 8259 there. Neither occurs in the generated documents.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
import struct
import subprocess
import sys
import tracemalloc
from functools import cache
from types import ModuleType
from typing import Any, Iterator

import jiter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdelta import JsonIncompleteError, StreamParseError, reference

from .conftest import corpus_interactions, random_splits, require_corpus, rust_backend

# -- helpers -------------------------------------------------------------------------------------


def typed(value: Any) -> Any:
    """``value`` with types made explicit, so that 1 != 1.0 != True and member order counts."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def jiter_partial(prefix: bytes) -> Any:
    """jiter's partial value, or None where it raises on a merely incomplete prefix (see above)."""
    try:
        return jiter.from_json(prefix, partial_mode="trailing-strings")
    except ValueError:
        return None


def merged(deltas: list[Any]) -> list[tuple[Any, ...]]:
    """Deltas as tuples, with consecutive appends to one path joined (fragmentation moves their cuts)."""
    out: list[tuple[Any, ...]] = []
    for d in deltas:
        if out and d.kind == "string_append" and out[-1][:2] == (d.path, "string_append"):
            out[-1] = (d.path, d.kind, out[-1][2] + d.value)
        else:
            out.append((d.path, d.kind, d.value))
    return out


def feed_all(acc: Any, chunks: list[Any]) -> list[Any]:
    return [d for chunk in chunks for d in acc.feed(chunk)]


def cut(data: bytes, rng: random.Random, max_size: int) -> list[bytes]:
    return list(random_splits(data, rng, max_size))


def rebuild(deltas: list[tuple[Any, ...]]) -> Any:
    """The document rebuilt from its deltas alone: checks that the paths say where things go."""
    root: list[Any] = [None]

    def put(path: tuple[Any, ...], value: Any) -> None:
        target: Any = root
        key: Any = 0
        for segment in path:
            target, key = target[key], segment
        if isinstance(target, list) and key == len(target):
            target.append(value)
        else:
            target[key] = value

    for path, kind, value in deltas:
        if kind == "begin_object":
            put(path, {})
        elif kind == "begin_array":
            put(path, [])
        elif kind == "value":
            put(path, value)
    return root[0]


def outcome(backend: ModuleType, chunks: list[Any], **kwargs: Any) -> dict[str, Any]:
    """Everything observable after feeding ``chunks``: deltas, the error, snapshot and value."""
    acc = backend.JsonAccumulator(**kwargs)
    deltas: list[Any] = []
    error = None
    for chunk in chunks:
        try:
            deltas.extend(acc.feed(chunk))
        except StreamParseError as exc:
            deltas.extend(exc.events)
            error = (type(exc).__name__, str(exc), exc.offset)
            break
    try:
        final: Any = typed(acc.value())
    except ValueError as exc:
        final = (type(exc).__name__, str(exc))
    return {
        "deltas": merged(deltas),
        "error": error,
        "snapshot": typed(acc.snapshot()),
        "complete": acc.is_complete,
        "value": final,
    }


# -- documents -----------------------------------------------------------------------------------

_special_text = st.text(st.sampled_from(list('"\\/\b\f\n\r\t\x00\x1f\x7f é€😀\u2028\ufeff')), max_size=8)
_text = st.one_of(st.text(max_size=12), _special_text)
_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e300, 5e-324, 1e22, 0.1, 123456789.123456789]),
)
_leaves = st.one_of(st.none(), st.booleans(), _numbers, _text)
json_values = st.recursive(
    _leaves,
    lambda kids: st.one_of(st.lists(kids, max_size=5), st.dictionaries(_text, kids, max_size=5)),
    max_leaves=30,
)


@st.composite
def deep_values(draw: st.DrawFn) -> Any:
    value = draw(_leaves)
    for _ in range(draw(st.integers(min_value=1, max_value=200))):
        value = [value] if draw(st.booleans()) else {draw(_text): value}
    return value


@st.composite
def json_texts(draw: st.DrawFn, values: st.SearchStrategy[Any] = json_values) -> bytes:
    value = draw(values)
    indent = draw(st.sampled_from([None, 0, 2]))
    separators = draw(st.sampled_from([None, (",", ":"), (" , ", " : ")]))
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=indent, separators=separators)
    if draw(st.booleans()):
        text = " \n" + text + "\t\r\n"
    return text.encode()


@st.composite
def fragmentations(draw: st.DrawFn, data: bytes) -> list[bytes]:
    points = sorted(draw(st.lists(st.integers(min_value=0, max_value=len(data)), max_size=12)))
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


# -- tool-call arguments from the corpus ---------------------------------------------------------


def _sse_payloads(body: bytes) -> Iterator[Any]:
    dec = reference.SSEDecoder(flush_at_eof=True)
    for event in dec.feed(body) + dec.close():
        try:
            yield json.loads(event.data)
        except ValueError:  # [DONE] and other non-JSON data
            continue


def _aws_payloads(body: bytes) -> Iterator[Any]:
    """Bedrock: AWS event-stream frames whose payload is {"bytes": base64 of an Anthropic event}."""
    pos = 0
    while pos + 12 <= len(body):
        total, headers = struct.unpack_from(">II", body, pos)
        payload = body[pos + 12 + headers : pos + total - 4]
        pos += total
        try:
            yield json.loads(base64.b64decode(json.loads(payload)["bytes"]))
        except (ValueError, KeyError, TypeError):
            continue


@cache
def tool_argument_streams() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every tool call's argument fragments, as each wire family streams them."""
    streams: dict[tuple[Any, ...], list[str]] = {}
    for name, item in corpus_interactions():
        payloads = _aws_payloads(item.body) if item.is_aws_event_stream else _sse_payloads(item.body)
        for n, p in enumerate(payloads):
            if not isinstance(p, dict):
                continue
            for choice in p.get("choices") or []:
                for call in (choice.get("delta") or {}).get("tool_calls") or []:
                    fragment = (call.get("function") or {}).get("arguments")
                    if fragment is not None:
                        key = (name, "chat", choice.get("index"), call.get("index"))
                        streams.setdefault(key, []).append(fragment)
            delta = p.get("delta") or {}
            if p.get("type") == "content_block_delta" and delta.get("type") == "input_json_delta":
                streams.setdefault((name, "anthropic", p.get("index")), []).append(delta["partial_json"])
            if p.get("type") == "response.function_call_arguments.delta":
                streams.setdefault((name, "responses", p.get("item_id")), []).append(p["delta"])
            for candidate in p.get("candidates") or []:
                for i, part in enumerate((candidate.get("content") or {}).get("parts") or []):
                    if "functionCall" in part:
                        args = json.dumps(part["functionCall"].get("args", {}), ensure_ascii=False)
                        streams[(name, "gemini", n, i)] = [args]
    return tuple((" ".join(map(str, key)), tuple(fragments)) for key, fragments in streams.items())


def test_corpus_has_tool_argument_streams_of_every_family() -> None:
    require_corpus()
    families = {name.split(" ")[1] for name, _ in tool_argument_streams()}
    assert families == {"chat", "anthropic", "responses", "gemini"}
    assert len(tool_argument_streams()) > 100


def test_corpus_tool_arguments_match_jiter_on_every_prefix(backend: ModuleType) -> None:
    require_corpus()
    for name, fragments in tool_argument_streams():
        data = "".join(fragments).encode()
        acc = backend.JsonAccumulator()
        for i in range(len(data)):
            acc.feed(data[i : i + 1])
            assert typed(acc.snapshot()) == typed(jiter_partial(data[: i + 1])), (name, data[: i + 1])
        assert typed(acc.value()) == typed(json.loads(data)), name
        # As the wire cut it: same deltas (up to append cuts), and they rebuild the document.
        wire = backend.JsonAccumulator()
        deltas = [d for fragment in fragments for d in wire.feed(fragment)]
        one_shot = backend.JsonAccumulator().feed(data)
        assert merged(deltas) == merged(one_shot), name
        assert typed(rebuild(merged(deltas))) == typed(json.loads(data)), name


def test_corpus_tool_arguments_rust_equals_reference() -> None:
    require_corpus()
    rng = random.Random(6)
    for name, fragments in tool_argument_streams():
        data = "".join(fragments).encode()
        for chunks in (list(fragments), cut(data, rng, 7), cut(data, rng, 3)):
            assert outcome(rust_backend(), chunks) == outcome(reference, chunks), name


# -- generated documents -------------------------------------------------------------------------

# The backend fixture is a module, the same for every example: nothing to reset between them.
_settings = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@_settings
@given(data=st.data())
def test_generated_documents_match_jiter_after_every_fragment(backend: ModuleType, data: st.DataObject) -> None:
    text = data.draw(json_texts(st.one_of(json_values, deep_values())))
    chunks = data.draw(fragmentations(text))
    acc = backend.JsonAccumulator()
    fed = b""
    for chunk in chunks:
        acc.feed(chunk)
        fed += chunk
        assert typed(acc.snapshot()) == typed(jiter_partial(fed))
    assert acc.is_complete
    assert typed(acc.value()) == typed(json.loads(text))


@_settings
@given(value=json_values, data=st.data())
def test_str_fragments_equal_bytes_fragments(backend: ModuleType, value: Any, data: st.DataObject) -> None:
    text = json.dumps(value, ensure_ascii=False)
    points = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=len(text)), max_size=8)))
    bounds = [0, *points, len(text)]
    acc = backend.JsonAccumulator()
    deltas = [d for a, b in itertools.pairwise(bounds) for d in acc.feed(text[a:b])]
    assert merged(deltas) == merged(backend.JsonAccumulator().feed(text.encode()))
    assert typed(acc.value()) == typed(json.loads(text))


@_settings
@given(data=st.data())
def test_deltas_are_the_same_for_any_fragmentation(backend: ModuleType, data: st.DataObject) -> None:
    text = data.draw(json_texts())
    chunks = data.draw(fragmentations(text))
    acc = backend.JsonAccumulator()
    deltas = [d for chunk in chunks for d in acc.feed(chunk)]
    whole = merged(backend.JsonAccumulator().feed(text))
    assert merged(deltas) == whole
    # Appends of a string, joined, are the string; each is followed by the value at that path.
    pending: dict[Any, str] = {}
    opened: list[Any] = []
    for d in deltas:
        assert d.kind in ("begin_object", "begin_array", "value", "string_append", "end")
        if d.kind == "string_append":
            assert d.value
            pending[d.path] = pending.get(d.path, "") + d.value
        elif d.kind == "value" and isinstance(d.value, str):
            assert pending.pop(d.path, "") == d.value
        elif d.kind.startswith("begin"):
            opened.append(d.path)
        elif d.kind == "end":
            assert opened.pop() == d.path
        if d.kind != "string_append":
            assert d.value is None or d.kind == "value"
    assert opened == []
    assert pending == {}
    if type(json.loads(text)) in (int, float) and not text[-1:].isspace():
        assert whole == []  # a bare top-level number ends only with the input: value() has it
    else:
        assert typed(rebuild(whole)) == typed(json.loads(text))


@_settings
@given(data=st.data())
def test_rust_equals_reference_on_damaged_documents(data: st.DataObject) -> None:
    text = bytearray(data.draw(json_texts()))
    for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
        pos = data.draw(st.integers(min_value=0, max_value=len(text)))
        byte = data.draw(st.sampled_from(list(b'{}[]",:\\u0-.eE tfn\x00\xc3\xa9\xed\xa0\xff')))
        action = data.draw(st.sampled_from(["insert", "replace", "delete"]))
        if action == "insert" or pos == len(text):
            text.insert(pos, byte)
        elif action == "replace":
            text[pos] = byte
        else:
            del text[pos]
    chunks = data.draw(fragmentations(bytes(text)))
    assert outcome(rust_backend(), chunks) == outcome(reference, chunks)
    assert outcome(reference, chunks) == outcome(reference, [bytes(text)])


# -- behaviour -----------------------------------------------------------------------------------


def test_feed_returns_what_the_fragment_changed(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    D = backend.JsonDelta
    assert acc.feed('{"loca') == [D((), "begin_object")]
    assert acc.snapshot() == {}
    assert acc.feed('tion": "Flor') == [D(("location",), "string_append", "Flor")]
    assert acc.snapshot() == {"location": "Flor"}
    assert not acc.is_complete
    assert acc.feed('ence", "days": [1, 2') == [
        D(("location",), "string_append", "ence"),
        D(("location",), "value", "Florence"),
        D(("days",), "begin_array"),
        D(("days", 0), "value", 1),
    ]
    assert acc.snapshot() == {"location": "Florence", "days": [1, 2]}
    assert acc.feed("]}") == [D(("days", 1), "value", 2), D(("days",), "end"), D((), "end")]
    assert acc.is_complete
    assert acc.value() == {"location": "Florence", "days": [1, 2]}
    assert acc.feed(" \n") == []


def test_splits_inside_escapes_numbers_literals_and_utf8(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    steps = [
        (b'["\\u00', ["", ""]),
        (b"e9\\ud83d", ["é"]),
        (b"\\ude00\xc3", ["é😀"]),
        (b'\xa9", 1.', ["é😀é"]),
        (b"5e-", ["é😀é"]),
        (b"3, tru", ["é😀é", 1.5e-3]),
        (b"e]", ["é😀é", 1.5e-3, True]),
    ]
    for fragment, _ in steps[:1]:
        acc.feed(fragment)
    assert acc.snapshot() == [""]
    for fragment, expected in steps[1:]:
        acc.feed(fragment)
        assert acc.snapshot() == expected
    assert acc.is_complete


def test_big_ints_and_floats_like_json_loads(backend: ModuleType) -> None:
    text = "[123456789012345678901234567890, -9223372036854775809, 1e400, -0, -0.0, 0.1, 1E+2, 5e-324]"
    acc = backend.JsonAccumulator()
    acc.feed(text)
    assert typed(acc.value()) == typed(json.loads(text))


def test_snapshots_are_fresh_objects(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    acc.feed('{"a": [1, {"b": "x"}], "c": "yz')
    first = acc.snapshot()
    first["a"][1]["b"] = "mutated"
    first["a"].append(9)
    assert acc.snapshot() == {"a": [1, {"b": "x"}], "c": "yz"}
    acc.feed('"}')
    acc.value()["a"].clear()
    assert acc.value() == {"a": [1, {"b": "x"}], "c": "yz"}


def test_growing_string_snapshot_after_each_fragment(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    acc.feed('{"a": "x", "b": "')
    expected = ""
    for part in ["ab", "", "é\\n", "😀", "\\u0041"]:
        acc.feed(part)
        expected += json.loads(f'"{part}"')
        assert acc.snapshot() == {"a": "x", "b": expected}
    acc.feed('", "c": "')
    assert acc.snapshot() == {"a": "x", "b": expected, "c": ""}


def test_top_level_number_ends_with_the_input(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    assert acc.feed("12") == []
    assert acc.is_complete
    assert acc.value() == 12
    assert acc.feed("3 ") == [backend.JsonDelta((), "value", 123)]
    assert acc.value() == 123


def test_duplicate_keys_last_wins(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    acc.feed('{"a": 1, "b": 2, "a": "x')
    assert acc.snapshot() == {"a": "x", "b": 2}
    acc.feed('"}')
    assert typed(acc.value()) == typed(json.loads('{"a": 1, "b": 2, "a": "x"}'))


INVALID = [
    ("x", "expected value at byte 0"),
    ("[1,]", "trailing comma at byte 3"),
    ('{"a":1,}', "trailing comma at byte 7"),
    ("{1:2}", "key must be a string at byte 1"),
    ('{"a" 1}', "expected `:` at byte 5"),
    ("[1 2]", "expected `,` or `]` at byte 3"),
    ('{"a":1]', "expected `,` or `}` at byte 6"),
    ("[01]", "invalid number at byte 2"),
    ("[1.e5]", "invalid number at byte 3"),
    ("[-]", "invalid number at byte 2"),
    ("[NaN]", "expected value at byte 1"),
    ("[nan]", "expected `null` at byte 2"),
    ("[trUe]", "expected `true` at byte 3"),
    ('"\\x"', "invalid escape at byte 2"),
    ('"\\u12G4"', "invalid `\\u` escape at byte 5"),
    ('"\\ud800"', "lone surrogate in `\\u` escape at byte 7"),
    ('"\\ud800\\u0041"', "lone surrogate in `\\u` escape at byte 12"),
    ('"\\udc00"', "lone surrogate in `\\u` escape at byte 6"),
    ('"a\tb"', "control character (U+0000 to U+001F) in a string at byte 2"),
    (b'"a\xffb"', "invalid UTF-8 at byte 2"),
    (b'"a\xe2\x82"', "invalid UTF-8 at byte 2"),
    ('"\ud800"', "invalid UTF-8 at byte 1"),
    ("{} x", "trailing characters at byte 3"),
    ("1 2", "trailing characters at byte 2"),
]


@pytest.mark.parametrize(("text", "message"), INVALID, ids=[str(t) for t, _ in INVALID])
def test_invalid_json_names_the_offset(backend: ModuleType, text: str | bytes, message: str) -> None:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    full = f"invalid JSON payload: {message}"
    offset = int(message.rsplit(" ", 1)[1])
    for chunks in ([text], [data[i : i + 1] for i in range(len(data))]):
        acc = backend.JsonAccumulator()
        with pytest.raises(StreamParseError, match=f"^{re.escape(full)}$") as info:
            feed_all(acc, chunks)
        assert str(info.value) == full
        assert info.value.offset == offset
        # The fault sticks until reset().
        with pytest.raises(StreamParseError) as again:
            acc.feed("1")
        assert str(again.value) == full
        with pytest.raises(StreamParseError) as final:
            acc.value()
        assert str(final.value) == full
        assert not acc.is_complete
        acc.reset()
        acc.feed("[]")
        assert acc.value() == []


def test_error_keeps_the_deltas_before_the_fault(backend: ModuleType) -> None:
    acc = backend.JsonAccumulator()
    acc.feed("[")
    with pytest.raises(StreamParseError) as info:
        acc.feed('"ab\x01')
    assert info.value.events == [backend.JsonDelta((0,), "string_append", "ab")]
    assert acc.snapshot() == ["ab"]


INCOMPLETE = [
    ("", "a value"),
    ("  ", "a value"),
    ("{", "an object"),
    ('{"a":', "an object"),
    ("[1,", "an array"),
    ('["a', "a string"),
    ('{"a', "a string"),
    ("[1.", "a number"),
    ("-", "a number"),
    ("[nu", "a literal"),
]


@pytest.mark.parametrize(("text", "what"), INCOMPLETE, ids=[t for t, _ in INCOMPLETE])
def test_incomplete_document(backend: ModuleType, text: str, what: str) -> None:
    acc = backend.JsonAccumulator()
    acc.feed(text)
    assert not acc.is_complete
    message = f"incomplete JSON document: EOF while parsing {what} at byte {len(text)}"
    with pytest.raises(JsonIncompleteError, match=f"^{re.escape(message)}$"):
        acc.value()


def test_max_depth(backend: ModuleType) -> None:
    assert backend.JsonAccumulator().max_depth == 512 == backend.DEFAULT_MAX_DEPTH
    acc = backend.JsonAccumulator(max_depth=3)
    acc.feed("[[[1]]]")
    assert acc.value() == [[[1]]]
    acc = backend.JsonAccumulator(3)
    message = "more than 3 nesting levels; raise `max_depth` to accept it at byte 7"
    with pytest.raises(StreamParseError, match=f"^{re.escape(message)}$"):
        acc.feed('[[{"a":[')
    acc = backend.JsonAccumulator()
    message = "more than 512 nesting levels; raise `max_depth` to accept it at byte 512"
    with pytest.raises(StreamParseError, match=f"^{re.escape(message)}$"):
        acc.feed("[" * 100_000)
    deep = "[" * 600 + "]" * 600
    acc = backend.JsonAccumulator(max_depth=600)
    acc.feed(deep)
    assert acc.value() == json.loads(deep)
    with pytest.raises(ValueError, match=r"^max_depth must be >= 0, got -1$"):
        backend.JsonAccumulator(max_depth=-1)


DEEP_PROGRAM = """
import importlib, sys
mod = importlib.import_module(sys.argv[1])
n = int(sys.argv[2])

def depth(value):
    # Walks the first child down, without recursion: the innermost container is empty.
    levels = 0
    while isinstance(value, (list, dict)):
        levels += 1
        value = next(iter(value.values() if isinstance(value, dict) else value), None)
    return levels

acc = mod.JsonAccumulator(max_depth=n + 3)
acc.feed("[" * n)
got = [depth(acc.snapshot())]
acc.feed("]" * n)
got += [depth(acc.value()), depth(acc.snapshot())]
acc.reset()
acc.feed('{"a":[' + '{"a":' * n + "{}" + "}" * n)  # a deep complete member of an open array
got.append(depth(acc.snapshot()))
del acc
print(*got)
"""
# A child's stack: 1/32 of the usual 8 MiB. A recursive conversion or drop takes on the order of
# 100 to 250 bytes a level, so 4,000 levels overflowed it (as 32,000 levels overflowed 8 MiB)...
STACK_BYTES = 256 << 10
# ...and more levels would cost the test more than they prove: every `feed` delta carries its whole
# path, so the deltas of n opening brackets hold n * n / 2 path items (4 GB at 32,000 levels).
LEVELS = 4000


def test_any_depth_converts_without_recursion(backend: ModuleType) -> None:
    # Regression (issue 19): the Rust conversion to Python recursed on the C stack, and
    # `JsonAccumulator(max_depth=32_000)` fed 32,000 `[` then `]` died of SIGSEGV in value() and
    # snapshot(). In a child process with a small stack, so that a crash fails this test, not the run.
    import resource

    def small_stack() -> None:
        resource.setrlimit(resource.RLIMIT_STACK, (STACK_BYTES, resource.getrlimit(resource.RLIMIT_STACK)[1]))

    cmd = [sys.executable, "-c", DEEP_PROGRAM, backend.__name__, str(LEVELS)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, preexec_fn=small_stack)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.split() == [str(LEVELS)] * 3 + [str(LEVELS + 3)]


def test_input_types(backend: ModuleType) -> None:
    text = '{"a": "é"}'
    for fragment in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        acc = backend.JsonAccumulator()
        acc.feed(fragment)
        assert acc.value() == {"a": "é"}
    with pytest.raises(TypeError, match=r"^expected bytes, bytearray, memoryview or str, got int$"):
        backend.JsonAccumulator().feed(3)


def test_json_delta_is_a_frozen_value(backend: ModuleType) -> None:
    D = backend.JsonDelta
    d = D(("a", 0), "string_append", "xy")
    assert d == D(("a", 0), "string_append", "xy")
    assert d != D(("a", 0), "string_append", "x")
    assert d != ("a", 0)
    assert hash(d) == hash(D(("a", 0), "string_append", "xy"))
    assert repr(d) == "JsonDelta(path=('a', 0), kind='string_append', value='xy')"
    assert repr(D((), "end")) == "JsonDelta(path=(), kind='end', value=None)"
    assert D.__match_args__ == ("path", "kind", "value")
    assert d.to_dict() == {"path": ["a", 0], "kind": "string_append", "value": "xy"}
    match d:
        case D(("a", index), "string_append", text):
            assert (index, text) == (0, "xy")
        case _:
            pytest.fail("no match")
    with pytest.raises(AttributeError):
        d.kind = "end"  # type: ignore[misc]


def test_deep_values_each_carry_their_path(backend: ModuleType) -> None:
    """The README's known limit: under `'[' * 511`, each value's delta holds its own 511-element path,
    over 4 KiB of Python objects per value (so 200 KB of `0,` cost over 400 MB)."""
    acc = backend.JsonAccumulator()
    acc.feed("[" * 511)
    tracemalloc.start()
    try:
        deltas = acc.feed("0," * 1000)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(len(d.path), d.kind) for d in deltas] == [(511, "value")] * 1000
    assert held > 1000 * 4096, held
