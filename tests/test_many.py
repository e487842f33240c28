"""``parse_many``: each Message equal, field for field, to a ``StreamParser`` fed the body and
closed (both corpora, whole and cut short, on both backends); errors per body; the GIL released."""

from __future__ import annotations

import array
import json
import sys
import threading
import time
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamdelta import FAMILIES, StreamParseError, reference

from .conftest import CORPUS, corpus_interactions, family_of, require_corpus, rust_backend
from .conftest import public_bodies as public_bodies_of

PUBLIC = CORPUS.parent / "public" / "bodies"


def public_bodies() -> list[bytes]:
    if not PUBLIC.is_dir():
        require_corpus()
        pytest.skip(f"no public corpus at {PUBLIC}")
    return [path.read_bytes() for path in sorted(PUBLIC.rglob("*")) if path.is_file()]


def with_cuts(bodies: list[bytes]) -> list[bytes]:
    """The bodies, then each cut at half: a stream that stops early (`close()` reports it)."""
    return bodies + [body[: len(body) // 2] for body in bodies]


def one_by_one(backend: ModuleType, bodies: list[Any], family: str, **options: Any) -> list[Any]:
    messages = []
    for body in bodies:
        parser = backend.StreamParser(family, **options)
        parser.feed(body)
        parser.close()
        messages.append(parser.message)
    return messages


def assert_same(got: list[Any], want: list[Any]) -> None:
    assert len(got) == len(want)
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        assert type(g) is type(w)
        assert g.to_dict() == w.to_dict(), index
        assert g == w, index


@pytest.mark.parametrize("family", FAMILIES)
def test_fantasy_corpus_equals_stream_parser(backend: ModuleType, family: str) -> None:
    require_corpus()
    recorded = [item.body for _, item in corpus_interactions() if family_of(item) == family]
    # A family the recorded corpus has no call of: the public corpus's bodies of its name.
    bodies = with_cuts(recorded or [body for _, body in public_bodies_of(family)])
    if not bodies:
        pytest.skip(f"no {family} body in the recorded or the public corpus")
    got = backend.parse_many(bodies, family, threads=2, on_error="emit")
    assert_same(got, one_by_one(backend, bodies, family, on_error="emit"))


def test_public_corpus_equals_stream_parser(backend: ModuleType) -> None:
    bodies = with_cuts(public_bodies())
    got = backend.parse_many(bodies, threads=2)
    want = one_by_one(backend, bodies, "auto", on_error="emit")
    assert_same(got, want)
    # Not a vacuous comparison: texts, tool calls, parse errors and cut streams are all in there.
    assert sum(bool(m.text) for m in want) > 100
    assert sum(bool(m.tool_calls) for m in want) > 10
    kinds = {e.kind for m in want for e in m.errors}
    assert {"parse_error", "incomplete_stream"} <= kinds


def test_backends_agree_on_the_public_corpus() -> None:
    bodies = with_cuts(public_bodies())
    got = [m.to_dict() for m in rust_backend().parse_many(bodies)]
    want = [m.to_dict() for m in reference.parse_many(bodies)]
    assert got == want


# A gateway's `"cost":0.0076509169000000005` (17 significant digits, from the public corpus).
COST_17_DIGITS = (
    b'data: {"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}],'
    b'"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":0.0076509169000000005}}\n\n'
)


def test_rust_reads_a_17_digit_cost_exactly() -> None:
    """Correctly rounded, as Python's `json` reads it (serde_json's `float_roundtrip`)."""
    [message] = rust_backend().parse_many([COST_17_DIGITS], "openai-chat")
    assert message.usage.cost == 0.0076509169000000005


def test_the_reference_reads_a_17_digit_cost_exactly() -> None:
    [message] = reference.parse_many([COST_17_DIGITS], "openai-chat")
    assert message.usage.cost == 0.0076509169000000005


@settings(max_examples=300, deadline=None)
@given(cost=st.floats(min_value=0, max_value=1e300), digits=st.integers(1, 20))
def test_costs_read_the_same_as_json_loads(cost: float, digits: int) -> None:
    """Any spelling of a cost (shortest, or cut to some significant digits) is the double
    `json.loads` reads, on both backends."""
    text = f"{cost:.{digits}e}" if digits < 20 else repr(cost)
    body = COST_17_DIGITS.replace(b"0.0076509169000000005", text.encode())
    for backend in (rust_backend(), reference):
        [message] = backend.parse_many([body], "openai-chat")
        assert message.usage.cost == json.loads(text), (backend.__name__, text)


def test_thread_counts_give_the_same_messages() -> None:
    bodies = with_cuts(public_bodies())
    rust = rust_backend()
    one = rust.parse_many(bodies, threads=1)
    for threads in (2, 3, None, 10_000):
        assert rust.parse_many(bodies, threads=threads) == one, threads


CHAT = b'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
BAD = b'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {oops\n\n'


def test_a_faulty_body_is_reported_in_its_message(backend: ModuleType) -> None:
    got = backend.parse_many([CHAT, BAD, CHAT])
    assert [m.text for m in got] == ["Hi", "a", "Hi"]
    assert [e.kind for e in got[1].errors] == ["parse_error", "incomplete_stream"]
    assert got[0].errors == got[2].errors == ()


def test_raise_names_the_first_faulty_body(backend: ModuleType) -> None:
    with pytest.raises(StreamParseError) as caught:
        backend.StreamParser("openai-chat").feed(BAD)
    want = r"^body 2: invalid JSON payload: not valid JSON at byte 47, event 1, near `{oops`$"
    with pytest.raises(StreamParseError, match=want) as raised:
        backend.parse_many([CHAT, CHAT, BAD, CHAT, BAD], "openai-chat", on_error="raise")
    err = raised.value
    assert str(err) == f"body 2: {caught.value}"
    assert (err.index, err.offset, err.event_index, err.excerpt, err.events) == (
        2,
        caught.value.offset,
        caught.value.event_index,
        caught.value.excerpt,
        [],
    )
    assert backend.parse_many([CHAT], on_error="raise")[0].text == "Hi"


def test_bodies_may_be_any_buffer_or_str(backend: ModuleType) -> None:
    inputs = [CHAT, bytearray(CHAT), memoryview(CHAT), array.array("B", CHAT), CHAT.decode()]
    got = backend.parse_many(iter(inputs))
    assert got == backend.parse_many([CHAT]) * len(inputs)
    assert backend.parse_many([]) == []


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        ({"bodies": [CHAT, 7]}, TypeError, "^body 1: expected bytes, a buffer or str, got int$"),
        ({"bodies": [CHAT], "threads": 0}, ValueError, "^threads must be at least 1, got 0$"),
        ({"bodies": [CHAT], "threads": -2}, ValueError, "^threads must be at least 1, got -2$"),
        ({"bodies": [CHAT], "family": "nope"}, ValueError, '^unknown family "nope"'),
        ({"bodies": [CHAT], "on_error": "ignore"}, ValueError, '^unknown on_error "ignore"'),
        ({"bodies": 7}, TypeError, "not iterable"),
    ],
)
def test_bad_arguments(backend: ModuleType, call: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        backend.parse_many(**call)


def progress_during(run: Any) -> int:
    """How many times another Python thread went round its loop while `run()` ran. The switch
    interval is made so long that the thread can only run when `run` releases the GIL itself."""
    count = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal count
        while not stop.is_set():
            count += 1
            time.sleep(0)  # hands the GIL back at once when `run` has returned

    old = sys.getswitchinterval()
    thread = threading.Thread(target=spin)
    thread.start()
    try:
        while count == 0:
            stop.wait(0.001)  # releases the GIL until the thread has started
        sys.setswitchinterval(1000)
        time.sleep(0.01)  # the thread now waits for the GIL under the new interval
        before = count
        run()
        after = count
    finally:
        sys.setswitchinterval(old)
        stop.set()
        thread.join()
    return after - before


def test_the_gil_is_released_while_the_batch_parses() -> None:
    bodies = with_cuts(public_bodies())
    rust = rust_backend()
    assert progress_during(lambda: rust.parse_many(bodies * 5, threads=1)) > 0
    # The control: the reference holds the GIL, so the same measure sees no progress at all.
    assert progress_during(lambda: reference.parse_many(bodies[:50])) == 0
