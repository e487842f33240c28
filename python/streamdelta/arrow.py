"""Messages as Arrow columns, one row per body (``pip install streamdelta[arrow]``).

The columns are built in Rust, on ``threads`` threads with the GIL released, and handed to pyarrow
through the Arrow C data interface (the ``PyCapsule`` protocol): no Python object per message, no
copy. Bodies are what ``parse_many`` takes, or an Arrow ``binary`` / ``large_binary`` (or string)
array or chunked array, e.g. a column of a Parquet file of logged responses, read in place.

Columns (``SCHEMA``): ``id``, ``model``, ``created``, ``text``, ``reasoning``,
``reasoning_signatures``, ``refusal``, ``finish_reason``, ``raw_finish_reason``, the usage counts and
``cost`` (null without a usage), ``tool_calls``, ``sources``, ``errors``, ``provider_metadata_json``
and ``family`` (the family each body was read as).
"""

from __future__ import annotations

from typing import Any, Iterable

import pyarrow as pa

from ._core import message_batch
from ._types import Family, OnError

__all__ = ["SCHEMA", "messages", "record_batch"]


def _items(bodies: Any) -> Iterable[Any]:
    """What ``message_batch`` takes: bodies, or Arrow arrays of bodies (one per chunk)."""
    if hasattr(bodies, "__arrow_c_array__"):
        return [bodies]
    chunks: list[Any]
    if isinstance(bodies, pa.ChunkedArray):
        chunks = bodies.chunks
    elif hasattr(bodies, "__arrow_c_stream__"):  # another library's chunked column
        chunks = pa.chunked_array(bodies).chunks
    else:
        return bodies  # type: ignore[no-any-return]
    return chunks


def record_batch(
    bodies: Iterable[Any],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
) -> pa.RecordBatch:
    """The message of each body (see ``streamdelta.parse_many``) as one row of a record batch."""
    return pa.record_batch(message_batch(_items(bodies), family, threads=threads, on_error=on_error))


def messages(
    bodies: Iterable[Any],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
) -> pa.Table:
    """The message of each body (see ``streamdelta.parse_many``) as one row of a table."""
    return pa.Table.from_batches([record_batch(bodies, family, threads=threads, on_error=on_error)])


SCHEMA: pa.Schema = pa.schema(message_batch([]))
