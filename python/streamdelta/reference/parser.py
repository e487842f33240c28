"""One response stream: twin of ``rust/core/src/parser.rs`` and ``rust/python/src/parser.rs``."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from .depth import check_payload as check_depth
from .error import CLOSED, CoreError, unexpected_payload
from .events import ErrorEvent, Finish, Raw, ToolInputDelta, ToolInputEnd, ToolInputStart, Usage
from .eventstream import EventStreamDecoder, FrameRef
from .families import (
    FAMILIES,
    INCOMPLETE_STREAM,
    PARSE_ERROR,
    FamilyDecoder,
    PayloadError,
    detect,
    mismatch,
    new_decoder,
)
from .families.bedrock import Decoder as BedrockDecoder
from .families.bedrock import frame as bedrock_frame
from .families.parts import DEFAULT_MAX_OPEN_PARTS
from .framing import NDJSON, JsonValueRef, JsonValues, lone_error, sniff
from .guard import Guard
from .json_accumulator import JsonAccumulator
from .message import MessageBuilder
from .sse import DEFAULT_MAX_EVENT_BYTES, Chunk, SseEventRef, SseTokenizer, chunk_bytes, limit_arg

__all__ = ["StreamParser", "parse"]


def _feed_quiet(acc: JsonAccumulator, fragment: str) -> None:
    """A fault stays in the accumulator (its ``value()`` raises it); it is not the parser's. The
    caller holds the accumulator (or is its only user), so its guard is not taken again."""
    with contextlib.suppress(ValueError):
        acc._feed(fragment.encode("utf-8", "surrogatepass"))


def _family_arg(family: str) -> str | None:
    if family == "auto":
        return None
    if family not in FAMILIES:
        names = '", "'.join(FAMILIES)
        raise ValueError(f'unknown family "{family}"; expected one of "auto", "{names}"')
    return family


def _on_error_arg(on_error: str) -> str:
    if on_error not in ("raise", "emit"):
        raise ValueError(f'unknown on_error "{on_error}"; expected "raise" or "emit"')
    return on_error


class StreamParser:
    """One response stream: ``feed()`` the body's chunks, get normalized events."""

    def __init__(
        self,
        family: str = "auto",
        *,
        on_error: str = "raise",
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        max_open_parts: int = DEFAULT_MAX_OPEN_PARTS,
        include_raw: bool = False,
    ) -> None:
        self._requested = _family_arg(family)
        # Every payload handed out as `Raw` ahead of its events (Vercel's `includeRawChunks`).
        self._include_raw = bool(include_raw)
        self._emit = _on_error_arg(on_error) == "emit"
        max_event_bytes = self._max_event_bytes = limit_arg("max_event_bytes", max_event_bytes)
        self._max_open_parts = limit_arg("max_open_parts", max_open_parts)
        self._guard = Guard()
        # The framing: None until the first byte, which decides (see `_choose_framing`).
        self._framing: SseTokenizer | EventStreamDecoder | JsonValues | None = None
        self._decoder: FamilyDecoder | None = (
            None if self._requested is None else new_decoder(self._requested, self._max_open_parts)
        )
        self._detected: str | None = None
        self._message = MessageBuilder()
        # Argument fragments of every tool call streamed, and whether it is still streaming.
        self._tool_args: dict[str, list[str]] = {}
        self._streaming_calls: set[str] = set()
        # The accumulators `tool_input` gave out: of calls still streaming (fed each fragment), of
        # calls complete (kept to be handed out again).
        self._streaming: dict[str, JsonAccumulator] = {}
        self._finished: dict[str, JsonAccumulator] = {}
        # close() has been called (no more input); the end of the stream has been emitted.
        self._closed = False
        self._ended = False
        # The body was a provider's lone error: its events are out, nothing else follows.
        self._answered = False
        # A payload came (the first one is checked against the family asked for).
        self._seen_payload = False

    @property
    def family(self) -> str | None:
        """The wire family: the one asked for, or the one detected (None until the first payload)."""
        return self._requested or self._detected

    @property
    def message(self) -> Any:
        """The response assembled from the events so far."""
        return self._message.build()

    def _payload(self, out: list[Any]) -> Callable[[SseEventRef], None]:
        def on_event(e: SseEventRef) -> None:
            if self._include_raw:
                out.append(Raw(e.data))
            try:
                check_depth(e.data)
                decoder = self._decoder
                first = not self._seen_payload
                self._seen_payload = True
                if decoder is not None and first and self._requested is not None:
                    # A body of another family: said at once, not left to a quiet empty result.
                    asked = "anthropic" if self._requested == "bedrock" else self._requested
                    fault = mismatch(asked, e.event, e.data)
                    if fault is not None:
                        raise PayloadError(fault)
                if decoder is None:
                    family = detect(e.event, e.data)
                    if family is None:
                        raise PayloadError(
                            unexpected_payload("cannot tell the wire family from the first payload; pass `family=`")
                        )
                    self._detected = family
                    decoder = self._decoder = new_decoder(family, self._max_open_parts)
                decoder.payload(e.event, e.data, out)
            except PayloadError as fault:
                err = CoreError(str(fault), e.start_offset, e.event_index, e.data)
                if not self._emit:
                    raise err from None
                out.append(ErrorEvent(str(err), PARSE_ERROR, e.data))

        return on_event

    def _frame(self, out: list[Any]) -> Callable[[FrameRef], None]:
        def on_frame(f: FrameRef) -> None:
            payload = f.payload.decode("utf-8", "replace")
            if self._include_raw:
                out.append(Raw(payload))
            inner: list[str] = []
            try:
                check_depth(payload)
                decoder = self._decoder
                if not isinstance(decoder, BedrockDecoder):
                    raise PayloadError(unexpected_payload("event-stream frames carry the `bedrock` family only"))
                bedrock_frame(decoder, f, payload, inner, out)
            except PayloadError as fault:
                text = inner[0] if inner else payload
                err = CoreError(str(fault), f.start_offset, f.frame_index, text)
                if not self._emit:
                    raise err from None
                out.append(ErrorEvent(str(err), PARSE_ERROR, text))

        return on_frame

    def _value(self, out: list[Any]) -> Callable[[JsonValueRef], None]:
        """One value of a JSON framing: the payload of an SSE `data` field, but for a lone error body."""
        on_event = self._payload(out)
        shape = self._framing.shape if isinstance(self._framing, JsonValues) else None

        def on_value(v: JsonValueRef) -> None:
            if self._answered:
                return
            mark = len(out)
            if v.value_index == 0 and shape == NDJSON and lone_error(v.data, out):
                if self._include_raw:
                    out.insert(mark, Raw(v.data))
                self._answered = True
                return
            on_event(SseEventRef("message", v.data, "", None, v.value_index, v.start_offset, v.end_offset))

        return on_value

    def _choose_framing(self, data: bytes) -> SseTokenizer | EventStreamDecoder | JsonValues | None:
        """The framing of a body that starts with `data[0]`: `[` a JSON array, `{` NDJSON or a lone JSON
        body (an error a server sends for any family), a NUL an event-stream prelude (its total length
        is under 16 MiB; SSE text never starts so), else SSE. `bedrock` is event-stream."""
        if self._framing is None and data:
            first = data[0]
            shape = sniff(first)
            if shape is not None:
                self._framing = JsonValues(shape, self._max_event_bytes)
            elif (self._requested is None and first == 0) or self._requested == "bedrock":
                self._framing = EventStreamDecoder(self._max_event_bytes)
                if self._decoder is None:
                    self._detected = "bedrock"
                    self._decoder = new_decoder("bedrock", self._max_open_parts)
            else:
                # A response body is finite: its last event counts even without the blank line.
                self._framing = SseTokenizer(self._max_event_bytes, flush_at_eof=True)
        return self._framing

    def _read(self, step: Callable[[], None], out: list[Any]) -> None:
        """Runs ``step``, a framing's ``feed`` or ``close``. With on_error="emit" a fault of the
        framing itself (a bad frame, a line or an event over ``max_event_bytes``; a payload's faults
        are events already) is reported in line, and ``step`` runs again on what the fault left
        unread: every fault consumes input, so this ends."""
        while True:
            try:
                step()
                return
            except CoreError as err:
                if not self._emit:
                    raise
                out.append(ErrorEvent(str(err), PARSE_ERROR, None))

    def _run(self, step: Callable[[list[Any]], None]) -> list[Any]:
        out: list[Any] = []
        try:
            step(out)
        except CoreError as err:
            self._fold(out)
            raise err.to_exception(out) from None
        self._fold(out)
        return out

    def _fold(self, events: list[Any]) -> None:
        for event in events:
            self._message.apply(event)
            cls = type(event)
            if cls is ToolInputStart:
                self._tool_args[event.id] = []
                self._streaming_calls.add(event.id)
                self._streaming.pop(event.id, None)
                self._finished.pop(event.id, None)
            elif cls is ToolInputDelta:
                args = self._tool_args.get(event.id)
                if args is not None:
                    args.append(event.delta)
                live = self._streaming.get(event.id)
                if live is not None:
                    _feed_quiet(live, event.delta)
            elif cls is ToolInputEnd:
                self._streaming_calls.discard(event.id)
                # No fragment comes after the end: the accumulator is let go.
                live = self._streaming.pop(event.id, None)
                if live is not None:
                    self._finished[event.id] = live

    @contextlib.contextmanager
    def _holding(self) -> Iterator[None]:
        """Holds the accumulators of the calls still streaming for the whole call, as Rust borrows
        them: fragments may come for any of them, and a call that reached one meanwhile (re-entered
        from its own ``feed()``, or another thread) would find it busy with half a payload handled.
        ``RuntimeError: Already borrowed``, with nothing changed, when one is busy."""
        with contextlib.ExitStack() as held:
            for live in list(self._streaming.values()):
                held.enter_context(live._guard)
            yield

    def tool_input(self, id: str) -> JsonAccumulator:
        """The live arguments of tool call ``id``: a ``JsonAccumulator`` fed every fragment of that
        call, so ``snapshot()`` shows them while they stream. ``KeyError`` for an id not seen."""
        live = self._streaming.get(id)
        if live is None:
            live = self._finished.get(id)
        if live is not None:
            return live
        args = self._tool_args.get(id)
        if args is None:
            raise KeyError(f"no tool call `{id}` in this stream")
        live = JsonAccumulator()
        _feed_quiet(live, "".join(args))
        (self._streaming if id in self._streaming_calls else self._finished)[id] = live
        return live

    def feed(self, chunk: Chunk) -> list[Any]:
        """Feeds a chunk of the response body; returns the events it completed."""
        with self._guard:
            data = chunk_bytes(chunk)

            def step(out: list[Any]) -> None:
                framing = self._choose_framing(data)
                # The chunk on the first run; what a fault left unread is carried by the framing.
                chunks = iter((data,))
                if isinstance(framing, SseTokenizer):
                    on_event = self._payload(out)
                    self._read(lambda: framing.feed(next(chunks, b""), on_event), out)
                elif isinstance(framing, JsonValues):
                    on_value = self._value(out)
                    self._read(lambda: framing.feed(next(chunks, b""), on_value), out)
                elif framing is not None:
                    on_frame = self._frame(out)
                    self._read(lambda: framing.feed(next(chunks, b""), on_frame), out)

            with self._holding():
                if self._closed:
                    raise ValueError(CLOSED)
                return self._run(step)

    def close(self) -> list[Any]:
        """Ends the stream: the last event, the ends of open parts, and a report of a cut stream."""

        def step(out: list[Any]) -> None:
            framing = self._framing
            if isinstance(framing, SseTokenizer):
                on_event = self._payload(out)
                self._read(lambda: framing.close(on_event), out)
            elif isinstance(framing, JsonValues):
                on_value = self._value(out)
                self._read(lambda: framing.close(on_value), out)
            elif framing is not None:
                on_frame = self._frame(out)
                self._read(lambda: framing.close(on_frame), out)
            if self._ended:
                return
            self._ended = True
            if self._answered:
                pass  # the provider's error and its finish are out already
            elif self._decoder is not None:
                self._decoder.end(out)
            else:
                out.append(ErrorEvent("the stream ended before any payload", INCOMPLETE_STREAM, None))
                out.append(Finish("error", None, Usage(), None))

        with self._guard, self._holding():
            self._closed = True
            return self._run(step)


def parse(
    body: Chunk,
    family: str = "auto",
    *,
    on_error: str = "raise",
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    max_open_parts: int = DEFAULT_MAX_OPEN_PARTS,
    include_raw: bool = False,
) -> list[Any]:
    """Parses a whole response body; returns its events (the end-of-stream ones included)."""
    data = chunk_bytes(body)
    parser = StreamParser(
        family,
        on_error=on_error,
        max_event_bytes=max_event_bytes,
        max_open_parts=max_open_parts,
        include_raw=include_raw,
    )
    out: list[Any] = []
    try:
        out.extend(parser.feed(data))
        out.extend(parser.close())
    except Exception as err:
        from ..errors import StreamParseError

        if isinstance(err, StreamParseError):
            err.events = out + err.events
        raise
    return out
