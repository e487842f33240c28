"""The splitter of a body of JSON values: twin of ``rust/core/src/framing/json_values.rs``.

Incremental: a chunk may end anywhere, even inside a string escape or a UTF-8 character. Only the
nesting and the strings are tracked; whether a value is valid JSON is the family decoder's concern.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

from ..error import CoreError, event_too_large, invalid_json

NDJSON = "ndjson"
ARRAY = "json_array"

# Where the splitter is between values (the core's `Outer`).
_OPEN, _ITEM_FIRST, _ITEM, _NEXT, _CLOSED, _BETWEEN = range(6)
# What is being read (the core's `Value`): nothing, an object / array / string, a number or literal.
_NONE, _NESTED, _SCALAR = range(3)

_NON_SPACE = re.compile(rb"[^ \t\n\r]")
_SCALAR_END = re.compile(rb'[ \t\n\r,\]}\[{"]')
_STRING_STOP = re.compile(rb'["\\]')
_STRUCTURE = re.compile(rb'["{}\[\]]')
_SCALAR_START = frozenset(b"-0123456789tfn")


class JsonValueRef(NamedTuple):
    """One complete value."""

    data: str
    value_index: int
    start_offset: int
    end_offset: int


OnValue = Callable[[JsonValueRef], None]


class _Fault(Exception):
    """A fault, and where the next call goes on reading (an index into the input of this call)."""

    def __init__(self, next_pos: int, error: CoreError) -> None:
        super().__init__(str(error))
        self.next_pos = next_pos
        self.error = error


def _found(b: int) -> str:
    return f"`{chr(b)}`" if 0x21 <= b <= 0x7E else f"byte 0x{b:02x}"


class JsonValues:
    def __init__(self, shape: str, max_event_bytes: int) -> None:
        self.shape = shape
        self._max = max_event_bytes
        self._outer = _BETWEEN if shape == NDJSON else _OPEN
        self._value = _NONE
        self._depth = 0
        self._string = False
        self._escape = False
        self._buf = bytearray()
        self._oversized = False
        self._value_start = 0
        self._index = 0
        self._offset = 0
        self._unread = b""

    def feed(self, chunk: bytes, on_value: OnValue) -> None:
        """Feeds one chunk; ``on_value`` gets each value completed. On a fault the rest of the chunk
        is kept and read by the next call."""
        data = self._unread + chunk if self._unread else chunk
        self._unread = b""
        base = self._offset
        pos = 0
        n = len(data)
        try:
            while pos < n:
                if self._value == _NONE:
                    pos = self._between(data, pos, base)
                else:
                    pos = self._read_value(data, pos, base, on_value)
        except _Fault as fault:
            self._unread = data[fault.next_pos :]
            self._offset = base + fault.next_pos
            raise fault.error from None
        self._offset = base + n

    def close(self, on_value: OnValue) -> None:
        """End of body: a value still being read is handed on as it is."""
        if self._unread:
            self.feed(b"", on_value)
        if self._value == _NONE:
            return
        self._value = _NONE
        data = bytes(self._buf)
        self._buf.clear()
        self._finish(data, self._offset, on_value)

    def _between(self, data: bytes, pos: int, base: int) -> int:
        m = _NON_SPACE.search(data, pos)
        if m is None:
            return len(data)
        i = m.start()
        b = data[i]
        outer = self._outer
        if outer == _OPEN and b == 0x5B:
            self._outer = _ITEM_FIRST
        elif outer in (_ITEM_FIRST, _NEXT) and b == 0x5D:
            self._outer = _CLOSED
        elif outer == _NEXT and b == 0x2C:
            self._outer = _ITEM
        elif outer in (_ITEM_FIRST, _ITEM, _BETWEEN):
            if b in (0x7B, 0x5B, 0x22):
                self._value = _NESTED
                self._depth = 0
                self._string = self._escape = False
            elif b in _SCALAR_START:
                self._value = _SCALAR
            else:
                raise self._fault(i, base, f"expected a JSON value, found {_found(b)}")
            self._value_start = base + i
            return i
        elif outer == _OPEN:
            raise self._fault(i, base, f"expected `[`, found {_found(b)}")
        elif outer == _NEXT:
            raise self._fault(i, base, f"expected `,` or `]` after an array item, found {_found(b)}")
        else:
            raise self._fault(i, base, f"data after the end of the array: {_found(b)}")
        return i + 1

    @staticmethod
    def _fault(i: int, base: int, detail: str) -> _Fault:
        return _Fault(i + 1, CoreError(invalid_json(detail), base + i))

    def _read_value(self, data: bytes, pos: int, base: int, on_value: OnValue) -> int:
        end = self._scan(data, pos)
        n = len(data)
        if end is None:
            if not self._oversized:
                if len(self._buf) + n - pos > self._max:
                    self._oversized = True
                    self._buf = bytearray()
                    raise _Fault(n, CoreError(event_too_large(self._max), self._value_start, self._index))
                self._buf += data[pos:]
            return n
        self._value = _NONE
        if self._buf:
            value = bytes(self._buf) + data[pos:end]
            self._buf.clear()
        else:
            value = data[pos:end]
        try:
            self._finish(value, base + end, on_value)
        except CoreError as err:
            raise _Fault(end, err) from None
        return end

    def _finish(self, value: bytes, end: int, on_value: OnValue) -> None:
        self._outer = _BETWEEN if self.shape == NDJSON else _NEXT
        index = self._index
        self._index += 1
        if self._oversized:
            self._oversized = False
            return
        if len(value) > self._max:
            raise CoreError(event_too_large(self._max), self._value_start, index)
        on_value(JsonValueRef(value.decode("utf-8", "replace"), index, self._value_start, end))

    def _scan(self, data: bytes, i: int) -> int | None:
        """Reads on from ``i``; where the value ends (just past its last byte), or None."""
        if self._value == _SCALAR:
            m = _SCALAR_END.search(data, i)
            return None if m is None else m.start()
        n = len(data)
        while i < n:
            if self._escape:
                self._escape = False
                i += 1
                continue
            if self._string:
                m = _STRING_STOP.search(data, i)
                if m is None:
                    return None
                i = m.start()
                if data[i] == 0x5C:
                    self._escape = True
                else:
                    self._string = False
                    if self._depth == 0:
                        return i + 1
                i += 1
                continue
            m = _STRUCTURE.search(data, i)
            if m is None:
                return None
            i = m.start()
            b = data[i]
            if b == 0x22:
                self._string = True
            elif b in (0x7B, 0x5B):
                self._depth += 1
            else:
                self._depth = max(self._depth - 1, 0)
                if self._depth == 0:
                    return i + 1
            i += 1
        return None
