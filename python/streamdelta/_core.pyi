"""Type stubs of the Rust extension ``streamdelta._core``."""

from typing import Any, Final, Union

__version__: Final[str]
DEFAULT_MAX_EVENT_BYTES: Final[int]
BUILD_PROFILE: Final[str]
"""``"debug"`` when built with debug assertions (``maturin develop`` without ``--release``), else ``"release"``."""

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
