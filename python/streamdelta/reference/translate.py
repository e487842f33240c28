"""Bytes of one family in, bytes of another out: the twin of ``rust/core/src/translate.rs``."""

from __future__ import annotations

from typing import Any

from ..errors import StreamParseError
from .encode import Encoder
from .families.parts import DEFAULT_MAX_OPEN_PARTS
from .parser import StreamParser
from .sse import DEFAULT_MAX_EVENT_BYTES


class Translator:
    """A stream of one family translated into another's wire bytes as it comes."""

    def __init__(
        self,
        to: str,
        family: str = "auto",
        *,
        framing: str = "auto",
        on_error: str = "raise",
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        max_open_parts: int = DEFAULT_MAX_OPEN_PARTS,
    ) -> None:
        self._encoder = Encoder(to, framing=framing)
        self._parser = StreamParser(
            family, on_error=on_error, max_event_bytes=max_event_bytes, max_open_parts=max_open_parts
        )
        # Text not handed out yet: that of the events before a fault stays for the next call.
        self._out: list[Any] = []

    def _encode(self, step: Any) -> bytes:
        try:
            events = step()
        except StreamParseError as err:
            for event in err.events:
                self._encoder.event(event, self._out)
            err.events = []
            raise
        for event in events:
            self._encoder.event(event, self._out)
        return self._hand_out()

    def _hand_out(self) -> bytes:
        out, self._out = self._out, []
        return self._encoder.joined(out)

    def feed(self, chunk: Any) -> bytes:
        """Feeds a chunk of the input body; returns the output bytes it completed."""
        return self._encode(lambda: self._parser.feed(chunk))

    def close(self) -> bytes:
        """Ends the input: the last output bytes."""
        head = self._encode(self._parser.close)
        return head + self._encoder.close()

    @property
    def message(self) -> Any:
        """The message assembled from the input so far."""
        return self._parser.message
