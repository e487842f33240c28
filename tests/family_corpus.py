"""Corpus checks shared by the family test modules: golden files, chunking, backend agreement."""

from __future__ import annotations

import random
from types import ModuleType
from typing import Any, Iterable

from streamdelta import reference

from .conftest import random_splits, rust_backend
from .golden import golden_path, read_golden
from .invariants import check_ordering, dicts


def feed_all(backend: ModuleType, chunks: Iterable[bytes], family: str, **options: Any) -> tuple[list[Any], Any]:
    """The events of a body fed chunk by chunk, and the parser's message after `close()`."""
    parser = backend.StreamParser(family, **options)
    events: list[Any] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    events.extend(parser.close())
    return events, parser.message


def check_golden(backend: ModuleType, family: str, name: str, body: bytes) -> None:
    expected = read_golden(golden_path(family, name))
    assert dicts(backend.parse(body, family)) == expected
    check_ordering(expected)


def check_chunkings(backend: ModuleType, family: str, name: str, body: bytes, seed: int, count: int = 20) -> None:
    expected = read_golden(golden_path(family, name))
    rng = random.Random(seed)
    for n in range(count):
        max_size = rng.choice((1, 3, 16, 512)) if n % 4 == 0 else 512
        events, _ = feed_all(backend, random_splits(body, rng, max_size), family)
        assert dicts(events) == expected, f"chunking {n}"


def check_backends_agree(family: str, body: bytes) -> None:
    rust = rust_backend()
    events_r, message_r = feed_all(rust, [body], family)
    events_p, message_p = feed_all(reference, [body], family)
    assert dicts(events_r) == dicts(events_p)
    assert message_r.to_dict() == message_p.to_dict()
    # `==` takes -0.0 for 0.0: the backends must spell every value alike too.
    assert repr(dicts(events_r)) == repr(dicts(events_p))
    assert repr(message_r.to_dict()) == repr(message_p.to_dict())


def outcome(backend: ModuleType, family: str, payloads: list[str]) -> tuple[str, Any]:
    """What a backend makes of SSE payloads: ("events", dicts) or ("error", message, events so far)."""
    body = "".join(f"data: {p}\n\n" for p in payloads).encode()
    try:
        return ("events", dicts(backend.parse(body, family)))
    except ValueError as err:
        return ("error", (str(err), dicts(getattr(err, "events", []))))


def usage(input: int = 0, output: int = 0, reasoning: int = 0, cached: int = 0) -> dict[str, Any]:
    """A `Usage.to_dict()` value."""
    return {
        "input_tokens": input,
        "output_tokens": output,
        "total_tokens": input + output,
        "reasoning_tokens": reasoning,
        "cache_read_tokens": cached,
        "cache_write_tokens": 0,
        "cost": None,
    }


def finish(reason: str, raw: str | None, u: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `Finish.to_dict()` value."""
    return {
        "type": "finish",
        "reason": reason,
        "raw_reason": raw,
        "usage": u or usage(),
        "provider_metadata_json": None,
    }


def check_all_feedings(family: str, body: bytes, count: int = 20) -> None:
    """Both backends give the reference's events for ``body`` whole, byte by byte and in ``count`` random
    chunkings, and those events keep the ordering rules."""
    expected = dicts(reference.parse(body, family))
    check_ordering(expected)
    rust = rust_backend()
    whole = dicts(rust.parse(body, family))
    assert whole == expected
    assert repr(whole) == repr(expected)
    for backend in (rust, reference):
        events, _ = feed_all(backend, [body[i : i + 1] for i in range(len(body))], family)
        assert dicts(events) == expected
        rng = random.Random(len(body))
        for n in range(count):
            events, _ = feed_all(backend, random_splits(body, rng, rng.choice((1, 7, 64, 512))), family)
            assert dicts(events) == expected, f"chunking {n}"


def check_detected(backend: ModuleType, family: str, body: bytes) -> None:
    """``family="auto"`` finds ``family`` and gives its events."""
    parser = backend.StreamParser("auto")
    events = [*parser.feed(body), *parser.close()]
    assert parser.family == family
    assert dicts(events) == dicts(backend.parse(body, family))
