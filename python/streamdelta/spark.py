"""Message columns on Spark: ``messages(df, column)`` adds the columns of ``streamdelta.arrow`` to a
DataFrame whose ``column`` holds response bodies (binary or string).

It is a ``mapInArrow``: each Python worker gets the partition's rows as Arrow batches, parses the
bodies in Rust (``streamdelta.arrow.record_batch``) and hands the columns back as Arrow. The work is
per row and stateless, so it scales out as any ``mapInArrow`` does: one task per partition, as
many at once as the cluster has cores (``df.repartition(n)`` for more). Workers need the
streamdelta wheel and pyarrow, nothing else. ``threads`` is per task: 1 by default, since Spark
already runs a task per core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pyarrow as pa

from . import arrow
from ._types import Family

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["SCHEMA", "messages"]

# Spark has no unsigned integers: the token counts come as longs (a count past 2**63 fails the task).
SCHEMA: pa.Schema = pa.schema(
    [field.with_type(pa.int64()) if field.type == pa.uint64() else field for field in arrow.SCHEMA]
)


def messages(df: DataFrame, column: str, family: Family = "auto", *, threads: int = 1) -> DataFrame:
    """``df`` with the message columns of the bodies in ``column`` added after its own; errors per
    body are in the ``errors`` column, as ``on_error="emit"`` keeps them."""
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructType

    clash = sorted(set(df.columns) & set(SCHEMA.names))
    if clash:
        raise ValueError(f"the DataFrame already has columns named as message columns: {', '.join(clash)}")
    if column not in df.columns:
        raise ValueError(f"no column {column!r} in the DataFrame (it has {', '.join(df.columns)})")
    added = from_arrow_schema(SCHEMA)
    out = StructType([*df.schema.fields, *added.fields])

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            parsed = arrow.record_batch(batch.column(column), family, threads=threads)
            columns = [c.cast(f.type) for c, f in zip(parsed.columns, SCHEMA, strict=True)]
            yield pa.RecordBatch.from_arrays([*batch.columns, *columns], schema=_joined(batch.schema))

    return df.mapInArrow(parse, out)


def _joined(schema: Any) -> pa.Schema:
    return pa.schema([*schema, *SCHEMA])
