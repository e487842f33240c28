"""``streamdelta.spark.messages`` on pyspark in local mode: 1,000 corpus bodies in, the same texts
and usage out as ``parse_many`` gives for them. Needs Java (17 or later) besides pyspark."""

from __future__ import annotations

import itertools
import shutil
import sys
from typing import Any, Iterator

import pytest

import streamdelta as sd

from .conftest import in_ci
from .test_many import public_bodies

pytest.importorskip("pyarrow")
pytest.importorskip("pyspark")

ROWS = 1_000


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        why = "no `java` on PATH: pyspark needs Java 17 or later (e.g. apt-get install openjdk-17-jre-headless)"
        if in_ci():
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    from pyspark.sql import SparkSession

    # The workers run this interpreter, the one streamdelta is installed in (not `python3` on PATH).
    patch = pytest.MonkeyPatch()
    patch.setenv("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("streamdelta-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Several Arrow batches per partition, as a large DataFrame has.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "128")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    patch.undo()


def test_messages_equal_parse_many(spark: Any) -> None:
    import streamdelta.spark

    bodies = list(itertools.islice(itertools.cycle(public_bodies()), ROWS))
    df = spark.createDataFrame(list(enumerate(bodies)), "n long, body binary")  # 2 partitions (local[2])
    rows = sorted(streamdelta.spark.messages(df, "body").collect(), key=lambda row: row.n)
    want = sd.parse_many(bodies)
    assert [r.n for r in rows] == list(range(ROWS))
    assert [r.body for r in rows] == bodies  # the DataFrame's own columns kept
    assert [r.text for r in rows] == [m.text for m in want]
    usage = ("input_tokens", "output_tokens", "total_tokens", "reasoning_tokens", "cost")
    got = [tuple(getattr(r, name) for name in usage) for r in rows]
    assert got == [tuple(getattr(m.usage, name) if m.usage else None for name in usage) for m in want]
    assert [[(t.name, t.call_type) for t in r.tool_calls] for r in rows] == [
        [(t.name, t.call_type) for t in m.tool_calls] for m in want
    ]
    assert sum(bool(m.text) for m in want) > ROWS // 2


def test_a_column_name_taken_is_refused(spark: Any) -> None:
    import streamdelta.spark

    df = spark.createDataFrame([(b"", "x")], "body binary, text string")
    with pytest.raises(ValueError, match=r"^the DataFrame already has columns named as message columns: text$"):
        streamdelta.spark.messages(df, "body")
