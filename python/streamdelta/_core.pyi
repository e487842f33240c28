"""Type stubs of the Rust extension ``streamdelta._core``."""

from typing import Any, Final, Union

__version__: Final[str]
DEFAULT_MAX_EVENT_BYTES: Final[int]

Chunk = Union[bytes, bytearray, memoryview, str]

class ServerSentEvent:
    """One server-sent event, as dispatched by the WHATWG event-stream rules."""

    __match_args__ = ("event", "data", "id", "retry")

    @property
    def event(self) -> str:
        """The event type; ``"message"`` when the stream named none."""
    @property
    def data(self) -> str:
        """The data lines of the event, joined with ``\\n``."""
    @property
    def id(self) -> str:
        """The last event ID as of this event (it persists across events)."""
    @property
    def retry(self) -> int | None:
        """The ``retry`` value given inside this event's block, if any."""
    def __init__(self, event: str = "message", data: str = "", id: str = "", retry: int | None = None) -> None: ...
    def json(self) -> Any:
        """The data parsed as JSON."""
    def to_dict(self) -> dict[str, Any]:
        """The event as a plain dict, the same from both backends."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class SSEDecoder:
    """Incremental WHATWG event-stream decoder: ``feed()`` chunks split anywhere, get events."""

    def __init__(self, *, max_event_bytes: int = ..., flush_at_eof: bool = False) -> None: ...
    def feed(self, chunk: Chunk) -> list[ServerSentEvent]:
        """Feeds a chunk (bytes, bytearray, memoryview or str); returns the events it completed.

        Raises ``StreamParseError`` when a line or an event exceeds ``max_event_bytes``; the
        exception's ``events`` holds what the chunk completed before the fault.
        """
    def close(self) -> list[ServerSentEvent]:
        """Ends the stream; returns the pending event only when made with ``flush_at_eof=True``."""
    @property
    def last_event_id(self) -> str:
        """The last event ID string, as of the last dispatched event."""
    @property
    def retry(self) -> int | None:
        """The reconnection time (ms) most recently set by a ``retry`` field, or None."""

DEFAULT_MAX_DEPTH: Final[int]

class JsonDelta:
    """What a fragment changed in a JSON document.

    ``kind`` is ``"begin_object"`` / ``"begin_array"`` (a container opens at ``path``), ``"value"``
    (a complete scalar, strings included), ``"string_append"`` (characters added to the string value
    being written at ``path``) or ``"end"`` (the container at ``path`` closes). Object keys are not
    streamed: a member first shows up in the path of its value's deltas.
    """

    __match_args__ = ("path", "kind", "value")

    @property
    def path(self) -> tuple[str | int, ...]:
        """Keys and indexes from the root to the value concerned."""
    @property
    def kind(self) -> str:
        """``begin_object``, ``begin_array``, ``value``, ``string_append`` or ``end``."""
    @property
    def value(self) -> Any:
        """The scalar (``value``), the new characters (``string_append``), else None."""
    def __init__(self, path: tuple[str | int, ...], kind: str, value: Any = None) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class JsonAccumulator:
    """Accumulates one JSON document fed in fragments split anywhere; work is proportional to the
    new bytes, never a re-parse of the prefix.

    After invalid input the accumulator keeps what it had before the faulty byte and raises the same
    error on every later ``feed()`` or ``value()`` until ``reset()``.
    """

    def __init__(self, max_depth: int = 512) -> None:
        """``max_depth``: how deep objects and arrays may nest; deeper input raises ``StreamParseError``."""
    @property
    def max_depth(self) -> int: ...
    @property
    def is_complete(self) -> bool:
        """The text fed so far is a whole JSON document (a top-level number ends with the input)."""
    def feed(self, fragment: Chunk) -> list[JsonDelta]:
        """Feeds a fragment (str or bytes; UTF-8 may be cut anywhere); returns what it changed.

        Invalid JSON raises ``StreamParseError`` (a ``ValueError``) naming the byte offset; its
        ``events`` holds the deltas before the fault.
        """
    def snapshot(self) -> Any:
        """The best current value of the incomplete document, as
        ``jiter.from_json(prefix, partial_mode="trailing-strings")`` gives it; None before any value shows."""
    def value(self) -> Any:
        """The complete document. Raises ``JsonIncompleteError`` if it is not finished, and
        ``StreamParseError`` if it is invalid."""
    def reset(self) -> None:
        """Forgets everything fed so far (a fault too); ``max_depth`` stays."""
