"""A large ``feed()`` on the Rust backend: parsed a slice at a time with the GIL released, so other
threads run meanwhile; a signal handler that raises (Ctrl-C) stops it between slices, and what it
had parsed and what it had not read yet stay in the parser. The reference, which parses in one
piece, is the oracle for the events."""

from __future__ import annotations

import gc
import json
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest

from streamdelta import StreamParseError, reference

from .conftest import rust_backend

# Over the bindings' 1 MiB slice several times over; mostly text, so that the events are few.
MIB = 1 << 20


def chat_body(size: int, fault_at: int | None = None) -> bytes:
    """An OpenAI chat stream of about ``size`` bytes, each delta 4 KiB of distinct text; a payload
    that is not JSON after ``fault_at`` bytes, if given."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        payload = {"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}
        return f"data: {json.dumps(payload)}\n\n"

    parts = [chunk({"role": "assistant", "content": ""})]
    length = len(parts[0])
    k = 0
    while length < size:
        if fault_at is not None and length >= fault_at:
            parts.append("data: {not json\n\n")
            fault_at = None
        parts.append(chunk({"content": f"{k:06d}" + "abcdefgh" * 511}))
        length += len(parts[-1])
        k += 1
    parts += [chunk({}, "stop"), "data: [DONE]\n\n"]
    return "".join(parts).encode()


def dicts(events: list[Any]) -> list[dict[str, Any]]:
    """Comparable across backends (their classes differ)."""
    return [event.to_dict() for event in events]


def outcome(parser: Any, chunk: bytes | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The events and the faults of ``feed(chunk)`` (none when ``chunk`` is None) and then of
    ``close()``, repeated until it succeeds."""
    events: list[Any] = []
    faults: list[str] = []

    def call(method: Callable[..., list[Any]], *args: bytes) -> bool:
        try:
            events.extend(method(*args))
        except StreamParseError as err:
            events.extend(err.events)
            faults.append(str(err))
            return False
        return True

    if chunk is not None:
        call(parser.feed, chunk)
    for _ in range(10):
        if call(parser.close):
            return dicts(events), faults
    raise AssertionError("close() never succeeded")


def busy(parser: Any) -> bool:
    """Whether a call is running on ``parser`` (in another thread): reading it is refused then."""
    try:
        _ = parser.family
    except RuntimeError:
        return True
    return False


def feed_with_a_probe(body: bytes | str) -> tuple[int, list[Any]]:
    """Feeds and closes ``body`` on a new parser while another thread calls it; returns how often
    that thread found the parser busy (Python code ran during the feed) and the events."""
    parser = rust_backend().StreamParser("openai-chat")
    return with_a_probe(parser, lambda: parser.feed(body) + parser.close())


def with_a_probe(parser: Any, call: Callable[[], list[Any]]) -> tuple[int, list[Any]]:
    """``call()`` while another thread calls ``parser``: how often that thread found the parser
    busy (Python code ran during the call), and what ``call`` returned."""
    stop = threading.Event()
    overlapping = [0]

    def probe() -> None:
        while not stop.is_set():
            overlapping[0] += busy(parser)

    thread = threading.Thread(target=probe)
    # No collection during the feed: one could run a finalizer written in Python, and the
    # interpreter can switch threads in any Python code, GIL released or not.
    gc.disable()
    thread.start()
    try:
        events = call()
    finally:
        stop.set()
        gc.enable()
        thread.join()
    return overlapping[0], events


@pytest.mark.parametrize("kind", [bytes, str])
def test_other_threads_run_while_a_large_feed_parses(kind: type) -> None:
    body = chat_body(8 * MIB)
    chunk = body.decode() if kind is str else body
    # Python code ran in the other thread while the feed held the parser: the GIL was free. On a
    # loaded machine the other thread may not be scheduled within one feed (CI saw it once), so a
    # few feeds are allowed; a feed that holds the GIL never lets it in.
    for _ in range(5):
        overlapping, events = feed_with_a_probe(chunk)
        if overlapping:
            break
    assert overlapping > 0
    assert dicts(events) == dicts(reference.parse(body))


def interrupted(parser: Any, call: Callable[..., Any], *args: Any) -> None:
    """Runs ``call(*args)`` with Ctrl-C sent (SIGINT to this thread) as soon as another thread finds
    ``parser`` busy; the call must end in ``KeyboardInterrupt``."""
    main = threading.main_thread().ident
    assert main == threading.current_thread().ident
    assert main is not None
    returned = threading.Event()

    def interrupt_when_busy() -> None:
        while not busy(parser):
            if returned.is_set():
                return
        signal.pthread_kill(main, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    thread = threading.Thread(target=interrupt_when_busy)
    try:
        thread.start()
        with pytest.raises(KeyboardInterrupt):
            call(*args)
    finally:
        returned.set()
        thread.join()
        signal.signal(signal.SIGINT, previous)


def test_the_probe_sees_no_other_thread_while_a_feed_holds_the_gil() -> None:
    """The control of the test above: chunks of at most a slice are parsed with the GIL held, so
    the probing thread never finds the parser busy, however long they take together: the probe
    tells a feed that releases the GIL from one that does not."""
    body = chat_body(8 * MIB)
    parser = rust_backend().StreamParser("openai-chat")
    step = MIB // 2

    def in_chunks() -> list[Any]:
        events = [e for at in range(0, len(body), step) for e in parser.feed(body[at : at + step])]
        return events + parser.close()

    overlapping, events = with_a_probe(parser, in_chunks)
    assert overlapping == 0
    assert dicts(events) == dicts(reference.parse(body))


def test_a_signal_stops_a_large_feed_and_nothing_is_lost() -> None:
    body = chat_body(16 * MIB)
    expected = dicts(reference.parse(body))
    text = "".join(e["text"] for e in expected if e["type"] == "text_delta")
    parser = rust_backend().StreamParser("openai-chat")
    interrupted(parser, parser.feed, body)
    # The call returned early: the message holds part of the text, the events that make it are
    # queued, and the rest of the chunk is still to be read.
    assert 0 < len(parser.message.text) < len(text)
    assert text.startswith(parser.message.text)
    events = parser.feed(b"") + parser.close()
    assert dicts(events) == expected
    assert parser.message.text == text


def test_a_fault_in_a_large_chunk_keeps_the_rest_of_it_as_the_reference_does() -> None:
    body = chat_body(4 * MIB, fault_at=int(2.5 * MIB))
    for on_error in ("raise", "emit"):
        rust = rust_backend().StreamParser("openai-chat", on_error=on_error)
        oracle = reference.StreamParser("openai-chat", on_error=on_error)
        got = outcome(rust, body)
        assert got == outcome(oracle, body)
        assert len(got[1]) == (on_error == "raise")
        assert got[0][-1]["type"] == "finish"


def interrupted_early(body: bytes, text: str) -> Any:
    """A parser whose ``feed(body)`` a signal stopped with more than two slices of text unread (on
    a loaded machine the signal can come late: a few tries are allowed)."""
    for _ in range(5):
        parser = rust_backend().StreamParser("openai-chat")
        interrupted(parser, parser.feed, body)
        if len(text) - len(parser.message.text) > 2 * MIB:
            return parser
    raise AssertionError("the signal never stopped the feed early")


def test_close_reads_the_rest_of_an_interrupted_feed_as_feed_reads_it() -> None:
    """``close()`` right after an interrupted ``feed()`` reads the unread rest in slices, the GIL
    released: other threads run meanwhile, and a second Ctrl-C stops it in turn; nothing is lost."""
    body = chat_body(24 * MIB)
    expected = dicts(reference.parse(body))
    text = "".join(e["text"] for e in expected if e["type"] == "text_delta")

    parser = interrupted_early(body, text)
    overlapping, events = with_a_probe(parser, parser.close)
    assert overlapping > 0
    assert dicts(events) == expected
    assert parser.message.text == text

    parser = interrupted_early(body, text)
    interrupted(parser, parser.close)
    assert text.startswith(parser.message.text)
    assert dicts(parser.close()) == expected
    assert parser.message.text == text
    with pytest.raises(ValueError, match=r"after `close\(\)`"):
        parser.feed(b"")


def test_a_fault_in_the_rest_of_an_interrupted_feed_closes_the_stream() -> None:
    """The fault met while ``close()`` reads the rest: raised with the events before it, the stream
    closed even so (the reference, reading the body whole, is the oracle), the next ``close()``
    reading what the fault left."""
    body = chat_body(24 * MIB, fault_at=20 * MIB)
    oracle = outcome(reference.StreamParser("openai-chat"), body)
    text = "".join(e["text"] for e in oracle[0] if e["type"] == "text_delta")
    parser = interrupted_early(body, text)
    got = outcome(parser, None)
    assert got == oracle
    assert len(got[1]) == 1
    with pytest.raises(ValueError, match=r"after `close\(\)`"):
        parser.feed(b"")
