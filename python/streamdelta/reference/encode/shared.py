"""What every target shares: the twin of ``rust/core/src/encode/mod.rs``'s helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

T = TypeVar("T")


class Writer(Protocol):
    """What a target writes; ``Encoder`` holds the calls and ends the stream for all of them (the
    Rust ``Writer``)."""

    # Whether the target has a place for provider-run calls.
    PROVIDER_CALLS: bool
    # Whether the target's decoder accepts nothing after an `error` event.
    ENDS_ON_ERROR: bool

    def event(self, event: Any, out: list[Any]) -> None: ...

    def tool_call(self, call: Call, out: list[Any]) -> None: ...

    def finish(self, reason: str, raw_reason: str | None, usage: Any, out: list[Any]) -> None: ...


class Blocks(Generic[T]):
    """Content blocks numbered in order, and the text and reasoning parts open in them (the Rust
    ``Blocks``): ``open`` maps a part id to what the target keeps of its block."""

    def __init__(self) -> None:
        self._count = 0
        self.open: dict[str, T] = {}

    def next(self) -> int:
        """The index of a new block."""
        index = self._count
        self._count += 1
        return index

    def open_part(self, id: str, block: T) -> None:
        """A part reusing an open part's id replaces it (its block is left open)."""
        self.open.pop(id, None)
        self.open[id] = block

    def take_open(self) -> list[T]:
        """The parts still open, in the order they opened (to close at the finish)."""
        opened, self.open = self.open, {}
        return list(opened.values())


class Call(NamedTuple):
    """A complete call and the argument fragments held for it (the Rust ``Call``)."""

    id: str
    name: str
    arguments: str
    provider_executed: bool
    wire_type: str | None  # the wire's type of a call that is not a plain function call
    fragments: list[str]

    def fragments_for(self, no_arguments: list[str]) -> list[str]:
        """The fragments to write where clients build the arguments from fragments alone (the
        Rust ``Call::fragments_for``)."""
        if self.fragments and "".join(self.fragments) == self.arguments:
            return self.fragments
        if not self.fragments and self.arguments == "{}":
            return list(no_arguments)
        return [self.arguments]


class HeldCalls:
    """Tool calls held from ``tool_input_start`` to ``tool_call`` (the Rust ``HeldCalls``)."""

    def __init__(self) -> None:
        self._calls: dict[str, list[str]] = {}

    def take(self, event: Any) -> Call | bool:
        """A complete call; ``True`` for a call's start or fragment (held); ``False`` for other
        events (the Rust ``Held``)."""
        kind = event.type
        if kind == "tool_input_start":
            self._calls.pop(event.id, None)
            self._calls[event.id] = []
        elif kind == "tool_input_delta":
            held = self._calls.get(event.id)
            if held is not None:
                held.append(event.delta)
        elif kind == "tool_call":
            fragments = self._calls.pop(event.id, [])
            call_type = getattr(event, "call_type", None)
            return Call(event.id, event.name, event.arguments, event.provider_executed, call_type, fragments)
        else:
            return False
        return True


class Reasons(NamedTuple):
    """A target's finish reasons: the raw ones its decoder knows, how it reads one, its word for
    each class (the Rust ``Reasons``; a class missing from ``words`` is its own word)."""

    known: tuple[str, ...]
    read: Callable[[str], str]
    words: dict[str, str]

    def own_raw(self, reason: str, raw: str | None) -> str | None:
        """The raw reason when the target's decoder reads it as ``reason``."""
        if raw is not None and raw in self.known and self.read(raw) == reason:
            return raw
        return None

    def word(self, reason: str, raw: str | None) -> str:
        """The word a target writes for a finish (the Rust ``Reasons::word``)."""
        own = self.own_raw(reason, raw)
        if own is not None:
            return own
        if raw is not None and reason == "other" and self.read(raw) == "other":
            return raw
        return self.words.get(reason, reason)
