"""``streamdelta.arrow``: the table's values equal the Messages of ``parse_many``, row for row, and
the columns come over the Arrow C data interface without a copy."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

import streamdelta as sd

from .test_many import BAD, CHAT, progress_during, public_bodies, with_cuts

pa = pytest.importorskip("pyarrow")
arrow = pytest.importorskip("streamdelta.arrow")

COUNTS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
)


def expected_row(message: Any, family: str | None) -> dict[str, Any]:
    """The row of a Message, from its public attributes (not from the Rust columns' code)."""
    usage = message.usage
    return {
        "id": message.id,
        "model": message.model,
        "created": message.created,
        "text": message.text,
        "reasoning": message.reasoning,
        "reasoning_signatures": list(message.reasoning_signatures),
        "refusal": message.refusal,
        "finish_reason": message.finish_reason,
        "raw_finish_reason": message.raw_finish_reason,
        **{name: getattr(usage, name) if usage else None for name in (*COUNTS, "cost")},
        "tool_calls": [
            {
                "id": t.id,
                "name": t.name,
                "arguments": t.arguments,
                "provider_executed": t.provider_executed,
                "call_type": t.call_type,
            }
            for t in message.tool_calls
        ],
        "sources": [
            {
                "id": s.id,
                "kind": s.kind,
                "url": s.url,
                "title": s.title,
                "media_type": s.media_type,
                "filename": s.filename,
                "provider_metadata_json": s.provider_metadata_json,
            }
            for s in message.sources
        ],
        "errors": [{"message": e.message, "kind": e.kind, "raw": e.raw} for e in message.errors],
        "provider_metadata_json": message.provider_metadata_json,
        "family": family,
    }


def detected(body: bytes) -> str | None:
    """The family a parser fed the body reads it as, from the event objects' parser."""
    parser = sd.StreamParser(on_error="emit")
    parser.feed(body)
    parser.close()
    return parser.family


def test_rows_equal_the_messages() -> None:
    bodies = with_cuts(public_bodies())
    table = arrow.messages(bodies, threads=2)
    assert table.schema == arrow.SCHEMA
    assert table.num_rows == len(bodies)
    want = [expected_row(m, detected(b)) for m, b in zip(sd.parse_many(bodies), bodies, strict=True)]
    assert table.to_pylist() == want
    # Not vacuous: many families, tool calls, usage and per-body errors are in there.
    assert len({row["family"] for row in want}) >= 6
    assert sum(bool(row["tool_calls"]) for row in want) > 10
    assert any(call["call_type"] for row in want for call in row["tool_calls"])
    assert sum(row["created"] is not None for row in want) > 50
    assert sum(bool(row["sources"]) for row in want) > 5
    assert {"parse_error", "incomplete_stream"} <= {e["kind"] for row in want for e in row["errors"]}


def test_a_family_given_is_every_rows_family() -> None:
    table = arrow.messages([CHAT, BAD, b""], "openai-chat")
    assert table.column("family").to_pylist() == ["openai-chat"] * 3
    assert table.column("text").to_pylist() == ["Hi", "a", ""]


def test_errors_stay_in_their_row_or_raise_with_the_index() -> None:
    rows = arrow.messages([CHAT, BAD, CHAT]).to_pylist()
    assert [[e["kind"] for e in row["errors"]] for row in rows] == [[], ["parse_error", "incomplete_stream"], []]
    with pytest.raises(sd.StreamParseError, match=r"^body 1: invalid JSON payload") as raised:
        arrow.record_batch([CHAT, BAD, BAD], on_error="raise")
    assert raised.value.index == 1


def utf8(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("kind", ["binary", "large_binary", "string", "large_string"])
def test_an_arrow_column_is_input(kind: str) -> None:
    bodies = [body for body in public_bodies() if utf8(body)][:40]
    want = arrow.messages(bodies)
    typ = getattr(pa, kind)()
    values = bodies if "binary" in kind else [body.decode() for body in bodies]
    assert arrow.messages(pa.array(values, typ)).equals(want)
    assert arrow.messages(pa.chunked_array([values[:5], [], values[5:]], typ)).equals(want)
    # A slice starts at an offset into the buffers it shares with the whole.
    assert arrow.messages(pa.array(values, typ)[10:20]).equals(want.slice(10, 10))
    assert pa.Table.from_batches([arrow.record_batch(pa.array(values, typ))]).equals(want)


def test_arrow_arrays_and_bodies_mix_and_a_null_is_an_empty_body() -> None:
    table = arrow.messages([CHAT, pa.array([BAD, None, CHAT]), b""])
    assert table.equals(arrow.messages([CHAT, BAD, b"", CHAT, b""]))
    with pytest.raises(TypeError, match=r"^expected an Arrow array of binary or string bodies, got Int64$"):
        arrow.messages(pa.array([1]))


def test_the_columns_are_not_copied_into_pyarrow() -> None:
    """pyarrow's allocator counts what pyarrow allocates: buffers imported from Rust are not its own."""
    bodies = with_cuts(public_bodies())
    before = pa.total_allocated_bytes()
    table = arrow.messages(bodies)
    assert table.nbytes > 1_000_000
    assert pa.total_allocated_bytes() - before < 1_000
    # The control: a table built by pyarrow from the same values is allocated by it.
    copy = pa.Table.from_pylist(table.to_pylist(), schema=table.schema)
    assert pa.total_allocated_bytes() - before > table.nbytes // 2
    assert copy.equals(table)


def test_the_batch_speaks_the_pycapsule_interface() -> None:
    batch = sd._core.message_batch([CHAT, BAD])
    assert (batch.num_rows, len(batch)) == (2, 2)
    assert pa.schema(batch) == arrow.SCHEMA
    assert pa.record_batch(batch).equals(pa.RecordBatchReader.from_stream(batch).read_next_batch())
    assert pa.table(batch).column("text").to_pylist() == ["Hi", "a"]


def test_the_gil_is_released_while_the_columns_are_built() -> None:
    bodies = with_cuts(public_bodies())
    column = pa.array(bodies * 5, pa.large_binary())
    assert progress_during(lambda: sd._core.message_batch([column], threads=1)) > 0


def python_peak(run: Any) -> int:
    """The peak of the memory Python's allocators hand out while `run()` runs (bytes objects among it)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_arrow_column_is_read_in_place() -> None:
    """No Python `bytes` per body: what Python allocates is a small part of the column's bytes."""
    column = pa.array(with_cuts(public_bodies()) * 3, pa.binary())
    size = column.buffers()[2].size
    assert python_peak(lambda: sd._core.message_batch([column])) < size // 20
    # The control: the bodies as Python bytes are all allocated there.
    assert python_peak(column.to_pylist) > size
