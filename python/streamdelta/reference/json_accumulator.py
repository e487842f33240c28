"""Incremental JSON accumulator, the pure-Python twin of ``rust/core/src/json/``.

A JSON document arriving in fragments split anywhere (tool-call arguments) is parsed once: each
``feed`` does work proportional to the new bytes and returns what they changed as ``JsonDelta``
items. ``snapshot()`` gives the document so far with the meaning of
``jiter.from_json(prefix, partial_mode="trailing-strings")``: a string being written shows the
characters decoded so far (an unfinished escape or UTF-8 sequence waits until complete); a number
shows once its text is a valid number (``1``, ``1.5``, not ``1.`` or ``1e``); an unfinished literal
(``tru``), an unfinished key and a member whose value has not begun are left out. Where jiter raises
on a prefix that is only incomplete (an empty document, a lone ``-`` or ``tr``) the snapshot is None.

Object keys are not streamed: a member appears in delta paths once its key is complete. Strings are
strict: control characters, invalid UTF-8 and lone surrogates (``"\\ud800"``, which ``json.loads``
lets through) are errors, as are ``NaN`` and ``Infinity``.

After a fault (invalid JSON, nesting deeper than ``max_depth``) the accumulator keeps what it had
before the faulty byte and raises the same error on every later ``feed`` or ``value`` until
``reset()``. The state machine is the Rust one, byte for byte, so error offsets agree.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Union

from ..errors import JsonIncompleteError
from .error import CoreError, incomplete_json, invalid_json, limit_exceeded
from .events import _Value
from .guard import Guard
from .sse import chunk_bytes

__all__ = ["DEFAULT_MAX_DEPTH", "JsonAccumulator", "JsonDelta"]

DEFAULT_MAX_DEPTH = 512

PathSegment = Union[str, int]

# String content up to the next quote, backslash or control character.
_STRING_RUN = re.compile(rb'[^"\\\x00-\x1f]*')
_DIGITS = re.compile(rb"[0-9]*")
_WHITESPACE = b" \t\n\r"
_ESCAPES = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b", ord("f"): "\f"}
_ESCAPES.update({ord("n"): "\n", ord("r"): "\r", ord("t"): "\t"})
_HEX = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}
_LITERALS = {ord("t"): (b"true", True), ord("f"): (b"false", False), ord("n"): (b"null", None)}
_VALUE_START = frozenset(b'{["-0123456789tfn')

_CONTROL_CHARACTER = "control character (U+0000 to U+001F) in a string"
_LONE_SURROGATE = "lone surrogate in `\\u` escape"

# States. Strings and escapes carry whether they are a key (never streamed) or a value.
_VALUE, _ARRAY_FIRST, _ARRAY_NEXT, _OBJECT_FIRST, _OBJECT_NEXT, _COLON, _AFTER_VALUE, _DONE = range(8)
_STR, _ESCAPE, _HEX_DIGITS, _LOW_BACKSLASH, _LOW_U, _NUMBER, _LITERAL = range(8, 15)
_STRUCTURAL = frozenset(range(8))
_STRING_STATES = frozenset((_STR, _ESCAPE, _HEX_DIGITS, _LOW_BACKSLASH, _LOW_U))
# Number parts read so far.
_MINUS, _ZERO, _INT, _DOT, _FRAC, _EXP, _EXP_SIGN, _EXP_INT = range(8)
_NUMBER_VALID = frozenset((_ZERO, _INT, _FRAC, _EXP_INT))
_NUMBER_FLOAT = frozenset((_FRAC, _EXP_INT))
_DIGIT = frozenset(b"0123456789")


class JsonDelta(_Value):
    """What a fragment changed: at ``path`` (keys and indexes from the root), ``kind`` is one of
    ``begin_object``, ``begin_array``, ``value`` (a complete scalar, strings included),
    ``string_append`` (characters added to the string value being written) or ``end``."""

    __slots__ = ("kind", "path", "value")
    __match_args__ = ("path", "kind", "value")
    _fields = ("path", "kind", "value")
    _defaults: ClassVar[dict[str, Any]] = {"value": None}

    path: tuple[PathSegment, ...]
    kind: str
    value: Any


def _copy(value: Any) -> Any:
    """A fresh copy of the containers in ``value`` (scalars are immutable and shared). Iterative:
    nesting up to ``max_depth`` must not meet Python's recursion limit."""
    if not isinstance(value, (dict, list)):
        return value
    out: Any = type(value)()
    pending = [(value, out)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                child: Any = type(item)()
                pending.append((item, child))
                item = child
            if isinstance(target, list):
                target.append(item)
            else:
                target[key] = item
    return out


def _invalid(detail: str, offset: int) -> CoreError:
    return CoreError(invalid_json(detail), offset)


class JsonAccumulator:
    """Accumulates one JSON document fed in fragments split anywhere (``str`` or ``bytes``)."""

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if max_depth < 0:
            raise ValueError(f"max_depth must be >= 0, got {max_depth}")
        self._max_depth = max_depth
        self._guard = Guard()
        self._reset()

    @property
    def max_depth(self) -> int:
        return self._max_depth

    def reset(self) -> None:
        """Forgets everything fed so far (a fault too); ``max_depth`` stays."""
        with self._guard:
            self._reset()

    def _reset(self) -> None:
        self._state = _VALUE
        self._ctx_key = False  # the string being read is an object key
        self._num = _MINUS
        self._digits = 0
        self._unit = 0
        self._high: int | None = None
        self._word = b""
        self._word_value: Any = None
        self._matched = 0
        # Open containers (list or dict) with their complete children, outermost first.
        self._stack: list[Any] = []
        self._path: list[PathSegment] = []
        self._has_root = False
        self._root: Any = None
        self._text: list[str] = []
        self._fresh: list[str] = []  # parts of ``_text`` not yet reported by a string_append
        self._carry = b""
        self._number: list[bytes] = []
        self._consumed = 0
        self._fault: CoreError | None = None

    @property
    def is_complete(self) -> bool:
        """The text fed so far is a whole JSON document (more digits may still extend a top-level
        number: the end of the input is what ends it)."""
        return self._fault is None and (self._has_root or (not self._stack and self._number_valid()))

    def feed(self, fragment: str | bytes) -> list[JsonDelta]:
        """Feeds a fragment; returns what it changed. Invalid JSON raises ``StreamParseError``
        naming the byte offset, with the deltas before the fault in ``.events``."""
        with self._guard:
            return self._feed(chunk_bytes(fragment))

    def _feed(self, data: bytes) -> list[JsonDelta]:
        if self._fault is not None:
            raise self._fault.to_exception([])
        deltas: list[JsonDelta] = []
        try:
            self._run(data, deltas)
        except CoreError as err:
            self._flush_append(deltas)
            self._fault = err
            raise err.to_exception(deltas) from None
        finally:
            self._consumed += len(data)
        self._flush_append(deltas)
        return deltas

    def snapshot(self) -> Any:
        """The best current value of the incomplete document (None before any value shows)."""
        if self._has_root:
            return _copy(self._root)
        if self._state in _STRING_STATES and not self._ctx_key:
            child: Any = "".join(self._text)
            self._text = [child]
            has_child = True
        else:
            has_child = self._number_valid()
            child = self._number_value() if has_child else None
        for depth in range(len(self._stack) - 1, -1, -1):
            frame = _copy(self._stack[depth])
            if has_child:
                if isinstance(frame, list):
                    frame.append(child)
                elif depth < len(self._path):
                    frame[self._path[depth]] = child
            child, has_child = frame, True
        return child

    def value(self) -> Any:
        """The complete document, taking the end of the input as its end. Raises
        ``JsonIncompleteError`` if it is not finished, ``StreamParseError`` if it is invalid."""
        if self._fault is not None:
            raise self._fault.to_exception([])
        if self._has_root:
            return _copy(self._root)
        if not self._stack and self._number_valid():
            return self._number_value()
        if self._state in _STRING_STATES:
            what = "a string"
        elif self._state == _NUMBER:
            what = "a number"
        elif self._state == _LITERAL:
            what = "a literal"
        elif self._stack:
            what = "an array" if isinstance(self._stack[-1], list) else "an object"
        else:
            what = "a value"
        raise JsonIncompleteError(f"{incomplete_json(what)} at byte {self._consumed}")

    # -- the state machine ---------------------------------------------------------------------

    def _number_valid(self) -> bool:
        return self._state == _NUMBER and self._num in _NUMBER_VALID

    def _number_value(self) -> Any:
        text = b"".join(self._number)
        return float(text) if self._num in _NUMBER_FLOAT else int(text)

    def _run(self, data: bytes, deltas: list[JsonDelta]) -> None:
        pos = 0
        end = len(data)
        base = self._consumed
        while pos < end:
            state = self._state
            if state == _STR:
                pos = self._string_run(data, pos, deltas)
                continue
            if state == _NUMBER:
                pos = self._number_byte(data, pos, deltas)
                continue
            byte = data[pos]
            at = base + pos
            pos += 1
            if state in _STRUCTURAL and byte in _WHITESPACE:
                continue
            if state == _VALUE:
                self._value_start(byte, at, deltas)
            elif state in (_ARRAY_FIRST, _ARRAY_NEXT):
                if byte == ord("]"):
                    if state == _ARRAY_NEXT:
                        raise _invalid("trailing comma", at)
                    self._close_container(deltas)
                else:
                    self._value_start(byte, at, deltas)
            elif state in (_OBJECT_FIRST, _OBJECT_NEXT):
                if byte == ord('"'):
                    self._begin_string(True)
                elif byte == ord("}") and state == _OBJECT_FIRST:
                    self._close_container(deltas)
                elif byte == ord("}"):
                    raise _invalid("trailing comma", at)
                else:
                    raise _invalid("key must be a string", at)
            elif state == _COLON:
                if byte != ord(":"):
                    raise _invalid("expected `:`", at)
                self._state = _VALUE
            elif state == _AFTER_VALUE:
                self._after_value(byte, at, deltas)
            elif state == _DONE:
                raise _invalid("trailing characters", at)
            elif state == _LITERAL:
                self._literal_byte(byte, at, deltas)
            else:
                self._escape_byte(byte, at)

    def _value_start(self, byte: int, at: int, deltas: list[JsonDelta]) -> None:
        opens = byte in b"{["
        if opens and len(self._stack) >= self._max_depth:
            raise CoreError(limit_exceeded("nesting levels", self._max_depth, "max_depth"), at)
        if byte not in _VALUE_START:
            raise _invalid("expected value", at)
        if self._stack and isinstance(self._stack[-1], list):
            self._path.append(len(self._stack[-1]))
        if opens:
            if byte == ord("{"):
                deltas.append(JsonDelta(tuple(self._path), "begin_object"))
                self._stack.append({})
                self._state = _OBJECT_FIRST
            else:
                deltas.append(JsonDelta(tuple(self._path), "begin_array"))
                self._stack.append([])
                self._state = _ARRAY_FIRST
        elif byte == ord('"'):
            self._begin_string(False)
        elif byte in _LITERALS:
            self._word, self._word_value = _LITERALS[byte]
            self._matched = 1
            self._state = _LITERAL
        else:
            self._number = [bytes((byte,))]
            self._num = _MINUS if byte == ord("-") else _ZERO if byte == ord("0") else _INT
            self._state = _NUMBER

    def _after_value(self, byte: int, at: int, deltas: list[JsonDelta]) -> None:
        in_array = isinstance(self._stack[-1], list)
        if byte == ord(","):
            self._state = _ARRAY_NEXT if in_array else _OBJECT_NEXT
        elif byte == (ord("]") if in_array else ord("}")):
            self._close_container(deltas)
        else:
            raise _invalid("expected `,` or `]`" if in_array else "expected `,` or `}`", at)

    def _close_container(self, deltas: list[JsonDelta]) -> None:
        value = self._stack.pop()
        deltas.append(JsonDelta(tuple(self._path), "end"))
        self._complete(value)

    def _complete_scalar(self, value: Any, deltas: list[JsonDelta]) -> None:
        deltas.append(JsonDelta(tuple(self._path), "value", value))
        self._complete(value)

    def _complete(self, value: Any) -> None:
        if not self._stack:
            self._root, self._has_root = value, True
            self._state = _DONE
            return
        top = self._stack[-1]
        segment = self._path.pop()
        if isinstance(top, list):
            top.append(value)
        else:
            top[segment] = value
        self._state = _AFTER_VALUE

    def _begin_string(self, is_key: bool) -> None:
        self._text = []
        self._fresh = []
        self._ctx_key = is_key
        self._state = _STR

    def _push_text(self, text: str) -> None:
        if text:
            self._text.append(text)
            self._fresh.append(text)

    def _string_run(self, data: bytes, pos: int, deltas: list[JsonDelta]) -> int:
        match = _STRING_RUN.match(data, pos)
        stop = match.end() if match else pos
        self._push_utf8(data[pos:stop], stop < len(data), self._consumed + pos)
        if stop == len(data):
            return stop
        byte = data[stop]
        if byte == ord('"'):
            self._close_string(deltas)
        elif byte == ord("\\"):
            self._state = _ESCAPE
        else:
            raise _invalid(_CONTROL_CHARACTER, self._consumed + stop)
        return stop + 1

    def _push_utf8(self, run: bytes, terminated: bool, at: int) -> None:
        """Appends string bytes; a UTF-8 sequence cut by the end of the fragment waits for the next."""
        if self._carry:
            at -= len(self._carry)
            run, self._carry = self._carry + run, b""
        try:
            self._push_text(run.decode("utf-8"))
        except UnicodeDecodeError as err:
            self._push_text(run[: err.start].decode("utf-8"))
            cut_short = err.reason == "unexpected end of data" and err.end == len(run)
            if terminated or not cut_short:
                raise _invalid("invalid UTF-8", at + err.start) from None
            self._carry = run[err.start :]

    def _close_string(self, deltas: list[JsonDelta]) -> None:
        if self._ctx_key:
            self._path.append("".join(self._text))
            self._text = []
            self._state = _COLON
            return
        self._flush_append(deltas)
        text = "".join(self._text)
        self._text = []
        self._complete_scalar(text, deltas)

    def _flush_append(self, deltas: list[JsonDelta]) -> None:
        """Reports the characters the value string gained since the last report."""
        if self._state not in _STRING_STATES or self._ctx_key or not self._fresh:
            return
        deltas.append(JsonDelta(tuple(self._path), "string_append", "".join(self._fresh)))
        self._fresh = []

    def _escape_byte(self, byte: int, at: int) -> None:
        state = self._state
        if state == _ESCAPE:
            if byte == ord("u"):
                self._state, self._digits, self._unit, self._high = _HEX_DIGITS, 0, 0, None
                return
            decoded = _ESCAPES.get(byte)
            if decoded is None:
                raise _invalid("invalid escape", at)
            self._push_text(decoded)
            self._state = _STR
        elif state == _HEX_DIGITS:
            digit = _HEX.get(byte)
            if digit is None:
                raise _invalid("invalid `\\u` escape", at)
            unit = (self._unit << 4) | digit
            if self._digits < 3:
                self._digits += 1
                self._unit = unit
                return
            high = self._high
            if high is None and 0xD800 <= unit <= 0xDBFF:
                self._high = unit
                self._state = _LOW_BACKSLASH
                return
            is_low = 0xDC00 <= unit <= 0xDFFF
            if (high is None) == is_low:
                raise _invalid(_LONE_SURROGATE, at)
            code = unit if high is None else 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
            self._push_text(chr(code))
            self._state = _STR
        elif state == _LOW_BACKSLASH and byte == ord("\\"):
            self._state = _LOW_U
        elif state == _LOW_U and byte == ord("u"):
            self._state, self._digits, self._unit = _HEX_DIGITS, 0, 0
        else:
            raise _invalid(_LONE_SURROGATE, at)

    def _number_byte(self, data: bytes, pos: int, deltas: list[JsonDelta]) -> int:
        """Reads number bytes from ``pos``; the byte that ends the number is left for the next state."""
        byte = data[pos]
        num = self._num
        is_digit = byte in _DIGIT
        if is_digit and num in (_INT, _FRAC, _EXP_INT):
            match = _DIGITS.match(data, pos)
            stop = match.end() if match else pos
            self._number.append(data[pos:stop])
            return stop
        if num == _MINUS and is_digit:
            nxt = _ZERO if byte == ord("0") else _INT
        elif num == _DOT and is_digit:
            nxt = _FRAC
        elif num in (_EXP, _EXP_SIGN) and is_digit:
            nxt = _EXP_INT
        elif num in (_ZERO, _INT) and byte == ord("."):
            nxt = _DOT
        elif num in (_ZERO, _INT, _FRAC) and byte in b"eE":
            nxt = _EXP
        elif num == _EXP and byte in b"+-":
            nxt = _EXP_SIGN
        elif num in _NUMBER_VALID and not is_digit:
            self._complete_scalar(self._number_value(), deltas)
            return pos
        else:
            raise _invalid("invalid number", self._consumed + pos)
        self._number.append(bytes((byte,)))
        self._num = nxt
        return pos + 1

    def _literal_byte(self, byte: int, at: int, deltas: list[JsonDelta]) -> None:
        word = self._word
        if word[self._matched] != byte:
            raise _invalid(f"expected `{word.decode()}`", at)
        self._matched += 1
        if self._matched == len(word):
            self._complete_scalar(self._word_value, deltas)
