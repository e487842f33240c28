"""``streamdelta.arrow``: the table's values equal the Messages of ``parse_many``, row for row."""

from __future__ import annotations

from typing import Any

import pytest

import streamdelta as sd

from .test_many import public_bodies, with_cuts

pa = pytest.importorskip("pyarrow")
arrow = pytest.importorskip("streamdelta.arrow")


def expected_row(message: Any) -> dict[str, Any]:
    usage = message.usage
    counts = ("input_tokens", "output_tokens", "total_tokens", "reasoning_tokens", "cache_read_tokens")
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
        **{name: getattr(usage, name) if usage else None for name in (*counts, "cache_write_tokens", "cost")},
        "tool_calls": [
            {"id": t.id, "name": t.name, "arguments": t.arguments, "provider_executed": t.provider_executed}
            for t in message.tool_calls
        ],
        "sources": [{"id": s.id, "url": s.url, "title": s.title} for s in message.sources],
        "errors": [{"message": e.message, "kind": e.kind, "raw": e.raw} for e in message.errors],
        "provider_metadata_json": message.provider_metadata_json,
    }


def test_rows_equal_the_messages() -> None:
    bodies = with_cuts(public_bodies())
    table = arrow.messages(bodies, threads=2)
    assert table.schema == arrow.SCHEMA
    assert table.to_pylist() == [expected_row(m) for m in sd.parse_many(bodies)]
    assert table.num_rows == len(bodies)


def test_an_arrow_binary_column_is_input() -> None:
    bodies = public_bodies()[:20]
    want = arrow.messages(bodies)
    for column in (pa.array(bodies, pa.binary()), pa.chunked_array([bodies[:5], bodies[5:]], pa.large_binary())):
        assert arrow.messages(column).equals(want)
        assert pa.Table.from_batches([arrow.record_batch(column)]).equals(want)
    with_null = arrow.messages(pa.array([bodies[0], None]))
    assert with_null.to_pylist()[1] == expected_row(sd.parse_many([b""])[0])
    with pytest.raises(TypeError, match=r"^expected a binary or large_binary Arrow array, got string$"):
        arrow.messages(pa.array(["x"]))
