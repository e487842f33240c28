"""Stream objects over a response body, in the shape of the official clients' stream helpers
(``openai``'s ``ChatCompletionStream``, ``anthropic``'s ``MessageStream``): iterate the events,
or only the text; read the message as it grows; wait for the final one.

Made by ``streamdelta.httpx.stream()`` / ``astream()``, ``streamdelta.aiohttp.stream()`` and the
SDK integrations' ``stream()`` / ``astream()``; the transport is reached only through the callables
they pass in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterator
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Callable

from ._iterators import Feeding, take_events
from .errors import IncompleteStreamError, StreamParseError

if TYPE_CHECKING:
    from ._core import Event, JsonAccumulator, Message

__all__ = ["AsyncEventStream", "EventStream"]

INCOMPLETE_STREAM = "incomplete_stream"


def _describe(cause: BaseException) -> str:
    text = str(cause)
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


class _Events(Feeding):
    """What the sync and async streams share: the parser, the events not yet handed out, and the end."""

    def __init__(self, parser: Any, backend: ModuleType, response: Any) -> None:
        super().__init__(parser)
        self.parser = parser
        self.response = response
        self._backend = backend
        # The error event added when the parser did not report the cut itself: not in its message.
        self._cut_error: Any = None

    @property
    def message(self) -> Message:
        """The response assembled from the events handed out so far, and those about to be (a live
        snapshot: a new ``Message`` on each access)."""
        message = self.parser.message
        if self._cut_error is None:
            return message  # type: ignore[no-any-return]
        fields = {name: getattr(message, name) for name in type(message).__match_args__}
        fields["errors"] = (*message.errors, self._cut_error)
        return type(message)(**fields)  # type: ignore[no-any-return]

    def tool_input(self, id: str) -> JsonAccumulator:
        """The live arguments of tool call ``id`` (``StreamParser.tool_input``)."""
        return self.parser.tool_input(id)  # type: ignore[no-any-return]

    def _cut(self, cause: BaseException) -> None:
        """The body stopped early (``cause`` raised while reading it): end the parse, make sure an
        ``incomplete_stream`` error is among the last events, then raise ``IncompleteStreamError``
        carrying the partial message."""
        self._done = True
        try:
            events = self.parser.close()
        except StreamParseError as err:
            # The tail was cut inside a payload: what it held is lost with the connection.
            events = take_events(err)
        if not any(getattr(e, "type", None) == "error" and e.kind == INCOMPLETE_STREAM for e in events):
            self._cut_error = self._backend.ErrorEvent(f"the stream was cut: {_describe(cause)}", INCOMPLETE_STREAM)
            events.append(self._cut_error)
        self._ready.extend(events)
        fault = IncompleteStreamError(f"the response body stopped before its end ({_describe(cause)})", self.message)
        fault.__cause__ = cause
        self._fault = fault


class EventStream(_Events):
    """The events of a streaming response (sync): iterate it, or use ``text_stream``,
    ``final_message()``, ``until_done()``; ``message`` is the response so far.

    Used as a context manager it closes the response on exit; the response is closed as well when
    the body has been read to its end or a fault ended the stream. A ``StreamParseError`` is raised
    after the events before it; a body cut short (connection lost, read timeout) yields what
    arrived, then ``error(kind="incomplete_stream")``, and raises ``IncompleteStreamError``.
    """

    def __init__(
        self,
        parser: Any,
        chunks: Iterator[bytes],
        close: Callable[[], object],
        backend: ModuleType,
        response: Any = None,
    ) -> None:
        super().__init__(parser, backend, response)
        self._chunks = chunks
        self._close = close

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        while True:
            event = self._next_ready()
            if event is not None:
                return event  # type: ignore[no-any-return]
            if self._done:
                raise StopIteration
            self._read()

    def _read(self) -> None:
        if self._interrupted is not None:
            self._cut(self._interrupted)
        else:
            try:
                chunk = next(self._chunks, None)
            except Exception as err:
                self._cut(err)
            except BaseException as err:
                self._interrupted = err
                raise
            else:
                self._arrived(chunk)
        if self._done:
            self._close()

    @property
    def text_stream(self) -> Iterator[str]:
        """The text of the response as it arrives (the text deltas; the other events still fold into
        ``message``)."""
        return self._text()

    def _text(self) -> Iterator[str]:
        for event in self:
            if getattr(event, "type", None) == "text_delta":
                yield event.text  # type: ignore[union-attr]

    def until_done(self) -> None:
        """Reads the stream to its end."""
        for _ in self:
            pass

    def final_message(self) -> Message:
        """Reads the stream to its end; returns the assembled response."""
        self.until_done()
        return self.message

    def close(self) -> None:
        """Closes the response; the stream ends (what is left of the body is not read)."""
        self._stop()
        self._close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncEventStream(_Events):
    """``EventStream`` for async responses: ``async for``, ``await final_message()``,
    ``async with``. A response with a status other than 2xx raises ``ResponseStatusError`` at
    ``async with`` or the first read."""

    def __init__(
        self,
        parser: Any,
        chunks: AsyncIterator[bytes],
        aclose: Callable[[], Awaitable[object]],
        backend: ModuleType,
        response: Any = None,
        check: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(parser, backend, response)
        self._chunks = chunks
        self._aclose = aclose
        self._check = check

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        while True:
            event = self._next_ready()
            if event is not None:
                return event  # type: ignore[no-any-return]
            if self._done:
                raise StopAsyncIteration
            await self._read()

    async def _checked(self) -> None:
        check, self._check = self._check, None
        if check is not None:
            try:
                await check()
            except BaseException:
                await self.close()
                raise

    async def _read(self) -> None:
        await self._checked()
        if self._interrupted is not None:
            self._cut(self._interrupted)
        else:
            try:
                chunk = await anext(self._chunks, None)
            except Exception as err:
                self._cut(err)
            except BaseException as err:
                self._interrupted = err
                raise
            else:
                self._arrived(chunk)
        if self._done:
            await self._aclose()

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text of the response as it arrives (see ``EventStream.text_stream``)."""
        return self._text()

    async def _text(self) -> AsyncIterator[str]:
        async for event in self:
            if getattr(event, "type", None) == "text_delta":
                yield event.text  # type: ignore[union-attr]

    async def until_done(self) -> None:
        """Reads the stream to its end."""
        async for _ in self:
            pass

    async def final_message(self) -> Message:
        """Reads the stream to its end; returns the assembled response."""
        await self.until_done()
        return self.message

    async def close(self) -> None:
        """Closes the response; the stream ends (what is left of the body is not read)."""
        self._stop()
        await self._aclose()

    async def __aenter__(self) -> AsyncEventStream:
        await self._checked()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
