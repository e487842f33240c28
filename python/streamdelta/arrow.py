"""Messages as an Arrow table: one row per body (``pip install streamdelta[arrow]``).

The table is built in Python with ``pyarrow`` from the ``Message`` objects ``parse_many`` returns, so
it costs what ``parse_many`` costs plus a pass over the messages; it is not yet the zero-copy path
(columns built in Rust and handed over through the Arrow C data interface) that issue 22 asks for.
Columns: ``id``, ``model``, ``created``, ``text``, ``reasoning``, ``reasoning_signatures``, ``refusal``,
``finish_reason``, ``raw_finish_reason``, the usage counts and ``cost`` (null without a usage), ``tool_calls``,
``sources``, ``errors`` and ``provider_metadata_json``.
"""

from __future__ import annotations

from typing import Any, Iterable

import pyarrow as pa

import streamdelta

from ._types import Family, OnError

__all__ = ["SCHEMA", "messages", "record_batch"]

_STR = pa.string()
# The token counts of `Usage`, in its order; `cost` is a float column of its own.
_USAGE = tuple(name for name in streamdelta.Usage.__match_args__ if name != "cost")

SCHEMA = pa.schema(
    [
        ("id", _STR),
        ("model", _STR),
        ("created", pa.int64()),
        ("text", _STR),
        ("reasoning", _STR),
        ("reasoning_signatures", pa.list_(_STR)),
        ("refusal", _STR),
        ("finish_reason", _STR),
        ("raw_finish_reason", _STR),
        *((name, pa.uint64()) for name in _USAGE),
        ("cost", pa.float64()),
        (
            "tool_calls",
            pa.list_(pa.struct([("id", _STR), ("name", _STR), ("arguments", _STR), ("provider_executed", pa.bool_())])),
        ),
        ("sources", pa.list_(pa.struct([("id", _STR), ("url", _STR), ("title", _STR)]))),
        ("errors", pa.list_(pa.struct([("message", _STR), ("kind", _STR), ("raw", _STR)]))),
        ("provider_metadata_json", _STR),
    ]
)


def _bodies(bodies: Iterable[Any]) -> Iterable[Any]:
    """Bodies as ``parse_many`` takes them; an Arrow binary column (array or chunked) is read as bytes
    (copied), a null body as an empty one."""
    if isinstance(bodies, (pa.Array, pa.ChunkedArray)):
        if not (pa.types.is_binary(bodies.type) or pa.types.is_large_binary(bodies.type)):
            raise TypeError(f"expected a binary or large_binary Arrow array, got {bodies.type}")
        return [b"" if body is None else body for body in bodies.to_pylist()]
    return bodies


def record_batch(
    bodies: Iterable[Any],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
) -> pa.RecordBatch:
    """The message of each body (see ``streamdelta.parse_many``) as one row of a record batch."""
    parsed = streamdelta.parse_many(_bodies(bodies), family, threads=threads, on_error=on_error)
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for message in parsed:
        m = message.to_dict()
        usage = m["usage"] or {}
        for name in SCHEMA.names:
            columns[name].append(usage.get(name) if name in (*_USAGE, "cost") else m[name])
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def messages(
    bodies: Iterable[Any],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
) -> pa.Table:
    """The message of each body (see ``streamdelta.parse_many``) as one row of a table."""
    return pa.Table.from_batches([record_batch(bodies, family, threads=threads, on_error=on_error)])
