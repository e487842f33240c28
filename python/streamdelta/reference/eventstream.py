"""Incremental decoder of the AWS event-stream binary framing: twin of ``rust/core/src/eventstream.rs``.

A frame: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes; big endian), typed
headers, the payload, and a CRC32 of everything before it.

Faults: a bad message CRC or a bad header skips that frame and the stream goes on; a frame over the
size limit is skipped by its length; a bad prelude CRC or impossible lengths lose the framing for
good: the fault is raised once and the rest of the stream dropped.
"""

from __future__ import annotations

import struct
import zlib
from typing import Callable, NamedTuple, NoReturn

from .error import CoreError, bad_frame, event_too_large

__all__ = ["MIN_FRAME_LEN", "PRELUDE_LEN", "EventStreamDecoder", "FrameRef", "encode_frame", "read_headers"]

PRELUDE_LEN = 12
_CRC_LEN = 4
MIN_FRAME_LEN = PRELUDE_LEN + _CRC_LEN

# Value lengths of the fixed-size header types; 6 (bytes) and 7 (string) carry a 2-byte length.
_FIXED = {0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
_KNOWN = {
    b":event-type": "event_type",
    b":content-type": "content_type",
    b":message-type": "message_type",
    b":exception-type": "exception_type",
    b":error-code": "error_code",
    b":error-message": "error_message",
}


class FrameRef(NamedTuple):
    """One frame whose checksums and headers are good: its known string headers and payload."""

    headers: dict[str, bytes]
    payload: bytes
    frame_index: int
    start_offset: int


OnFrame = Callable[[FrameRef], None]


class _Fault(Exception):
    def __init__(self, error: CoreError, skip: int | None, fatal: bool) -> None:
        self.error = error
        self.skip = skip
        self.fatal = fatal


def read_headers(section: bytes) -> dict[str, bytes]:
    """Walks the typed headers (all AWS value types), keeping the string values the families read.
    Raises ``ValueError`` with the fault's text."""
    known: dict[str, bytes] = {}
    pos, end = 0, len(section)
    overrun = "a header runs past the end of the header section"
    while pos < end:
        name_end = pos + 1 + section[pos]
        if name_end + 1 > end:
            raise ValueError(overrun)
        name = section[pos + 1 : name_end]
        kind = section[name_end]
        pos = name_end + 1
        if kind in _FIXED:
            value_start, pos = pos, pos + _FIXED[kind]
        elif kind in (6, 7):
            if pos + 2 > end:
                raise ValueError(overrun)
            value_start = pos + 2
            pos = value_start + int.from_bytes(section[pos : pos + 2], "big")
        else:
            raise ValueError(f"header value type {kind} is unknown")
        if pos > end:
            raise ValueError(overrun)
        if kind == 7 and name in _KNOWN:
            known[_KNOWN[name]] = section[value_start:pos]
    return known


class EventStreamDecoder:
    """The state machine. Faults raise ``CoreError``; the bytes after a fault are replayed next time."""

    def __init__(self, max_frame_bytes: int) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._pending = bytearray()
        self._pending_total = 0
        self._carry = b""
        self._skip = 0
        self._consumed = 0
        self.frames = 0
        self._broken = False

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def feed(self, chunk: bytes, on_frame: OnFrame) -> None:
        if self._carry:
            chunk, self._carry = self._carry + chunk, b""
        self._feed_bytes(chunk, on_frame)

    def close(self, on_frame: OnFrame) -> None:
        """Ends the stream: an unfinished frame is dropped (the wire family reports the cut)."""
        if self._carry:
            carry, self._carry = self._carry, b""
            self._feed_bytes(carry, on_frame)
        self._pending.clear()
        self._pending_total = 0

    def _feed_bytes(self, data: bytes, on_frame: OnFrame) -> None:
        if self._broken:
            return
        pos = 0
        if self._skip:
            pos = min(self._skip, len(data))
            self._skip -= pos
            self._consumed += pos
        pending = self._pending
        if pending:
            want = max(PRELUDE_LEN - len(pending), 0)
            pending += data[pos : pos + want]
            pos += min(want, len(data) - pos)
            if self._pending_total == 0:
                if len(pending) < PRELUDE_LEN:
                    return
                try:
                    self._pending_total = self._prelude(bytes(pending[:PRELUDE_LEN]))
                except _Fault as fault:
                    held = len(pending)
                    pending.clear()
                    self._fault(fault, held, data[pos:])
            total = self._pending_total
            want = total - len(pending)
            pending += data[pos : pos + want]
            pos += min(want, len(data) - pos)
            if len(pending) < total:
                return
            self._pending_total = 0
            frame = bytes(pending)
            pending.clear()
            try:
                self._frame(frame, on_frame)
            except CoreError:
                self._carry += data[pos:]
                raise
        end = len(data)
        while pos < end:
            if end - pos < PRELUDE_LEN:
                pending += data[pos:]
                break
            try:
                total = self._prelude(data[pos : pos + PRELUDE_LEN])
            except _Fault as fault:
                self._fault(fault, 0, data[pos:])
            if end - pos < total:
                pending += data[pos:]
                self._pending_total = total
                break
            frame = data[pos : pos + total]
            pos += total
            try:
                self._frame(frame, on_frame)
            except CoreError:
                self._carry += data[pos:]
                raise

    def _prelude(self, prelude: bytes) -> int:
        start, index = self._consumed, self.frames
        total, headers, stored = struct.unpack(">III", prelude)
        computed = zlib.crc32(prelude[:8])
        self.frames += 1

        def bad(detail: str) -> _Fault:
            return _Fault(CoreError(bad_frame(detail), start, index), None, True)

        if stored != computed:
            raise bad(f"prelude checksum mismatch (stored 0x{stored:08x}, computed 0x{computed:08x})")
        if total < MIN_FRAME_LEN:
            raise bad(f"frame length {total} is shorter than the {MIN_FRAME_LEN}-byte minimum")
        if headers > total - MIN_FRAME_LEN:
            raise bad(f"headers length {headers} does not fit in a frame of {total} bytes")
        if total > self.max_frame_bytes:
            raise _Fault(CoreError(event_too_large(self.max_frame_bytes), start, index), total, False)
        return int(total)

    def _fault(self, fault: _Fault, held: int, rest: bytes) -> NoReturn:
        """Applies a prelude fault (always raises): ``held`` bytes of the frame were pending."""
        if fault.fatal:
            self._broken = True
            self._pending.clear()
            self._pending_total = 0
            raise fault.error
        total = held if fault.skip is None else fault.skip
        in_rest = min(total - held, len(rest))
        self._consumed += held + in_rest
        self._skip = total - held - in_rest
        self._carry += rest[in_rest:]
        raise fault.error

    def _frame(self, frame: bytes, on_frame: OnFrame) -> None:
        start, index = self._consumed, self.frames - 1
        self._consumed += len(frame)
        body_len = len(frame) - _CRC_LEN
        stored = int.from_bytes(frame[body_len:], "big")
        computed = zlib.crc32(frame[:body_len])
        if stored != computed:
            detail = f"message checksum mismatch (stored 0x{stored:08x}, computed 0x{computed:08x})"
            raise CoreError(bad_frame(detail), start, index)
        headers_end = PRELUDE_LEN + int.from_bytes(frame[4:8], "big")
        try:
            headers = read_headers(frame[PRELUDE_LEN:headers_end])
        except ValueError as fault:
            raise CoreError(bad_frame(str(fault)), start, index) from None
        on_frame(FrameRef(headers, frame[headers_end:body_len], index, start))


def encode_frame(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """One frame with string headers: for tests and benches."""
    head = b"".join(
        bytes([len(n.encode())]) + n.encode() + b"\x07" + len(v.encode()).to_bytes(2, "big") + v.encode()
        for n, v in headers
    )
    prelude = struct.pack(">II", MIN_FRAME_LEN + len(head) + len(payload), len(head))
    prelude += zlib.crc32(prelude).to_bytes(4, "big")
    body = prelude + head + payload
    return body + zlib.crc32(body).to_bytes(4, "big")
