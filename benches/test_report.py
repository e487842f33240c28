"""``report.py`` turns pytest-benchmark JSON into the table ``make bench`` prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .report import perf_table, render, with_perf_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REPORT_JSON = ROOT / "benches" / "report.json"


def row(group: str, implementation: str, seconds: float, **extra: Any) -> dict[str, Any]:
    info = {"implementation": implementation, "version": "1.0", "bytes": 2_000_000, "events": 1000, "correct": True}
    return {"group": group, "name": implementation, "extra_info": {**info, **extra}, "stats": {"min": seconds}}


def test_rows_are_sorted_with_throughput_and_ratio_to_rust() -> None:
    data = {
        "machine_info": {"system": "Linux", "cpu": {"brand_raw": "CPU", "count": 2}},
        "benchmarks": [
            row("sse-corpus-whole", "peer", 0.004, correct=False),
            row("sse-corpus-whole", "rust", 0.001),
        ],
    }
    lines = render(data, None).splitlines()
    table = [line for line in lines if line.startswith("| rust") or line.startswith("| peer")]
    assert table == [
        "| rust | 1.0 | 2,000 | 1,000,000 | 1.00 | 1.00 | yes |",
        "| peer | 1.0 | 500 | 250,000 | 4.00 | 4.00 | **no** |",
    ]
    assert any(line.startswith("**Reproducing**") for line in lines)


def test_many_messages_rows_give_the_scaling_and_their_targets() -> None:
    data = {
        "machine_info": {},
        "benchmarks": [
            row("many-messages", "rust", 0.010),
            row("many-messages", "parse_many threads=1", 0.004),
            row("many-messages", "parse_many threads=2", 0.0025),
            row("many-messages", "arrow threads=2", 0.002),
        ],
    }
    lines = render(data, None).splitlines()
    assert "| parse_many threads=2 | 1.0 | 800 | 400,000 | 2.50 | 0.25 | yes |" in lines
    targets = [line for line in lines if line.startswith("| `parse_many`") or line.startswith("| Arrow")]
    assert targets == [
        "| `parse_many` scaling, 1 → 2 threads | 1.60 | 1.7× ✗ |",
        "| `parse_many` 2 threads vs the Python loop | 4.00 | 3.0× ✓ |",
        "| Arrow columns vs `parse_many` to Messages (2 threads) | 1.25 | 1.0× ✓ |",
    ]


def test_huge_event_rows_give_time_per_mb() -> None:
    data = {
        "machine_info": {},
        "benchmarks": [
            row("sse-huge-event-1KB-chunks", "rust", 0.05, size_mb=10, bytes=10_000_008, events=1),
            row("sse-huge-event-1KB-chunks", "rust", 0.2, size_mb=40, bytes=40_000_008, events=1),
        ],
    }
    lines = render(data, None).splitlines()
    assert "| rust | 10 MB | 50 | 5.00 | 200 | 1.00 | yes |" in lines
    assert "| rust | 40 MB | 200 | 5.00 | 200 | 1.00 | yes |" in lines


def test_rows_of_other_benches_group_by_their_parameters() -> None:
    other = {
        "group": None,
        "name": "test_bench_x[openai-rust-whole]",
        "params": {"family": "openai", "impl": "rust", "mode": "whole"},
        "extra_info": {"bytes": 1_000_000, "correct": True},
        "stats": {"min": 0.002},
    }
    lines = render({"machine_info": {}, "benchmarks": [other]}, None).splitlines()
    assert "## test_bench_x[openai-whole]" in lines
    assert "| rust | – | 500 | – | – | 1.00 | yes |" in lines


def test_readme_table_is_generated_from_the_committed_report() -> None:
    report = json.loads(REPORT_JSON.read_text(encoding="utf-8"))
    readme = README.read_text(encoding="utf-8")
    assert with_perf_table(readme, report) == readme, "run `make bench` (or benches/report.py) to regenerate"
    assert "| rust |" in readme


def test_perf_table_has_a_column_per_slice_and_ratios() -> None:
    e2e = [
        {
            "slice": "openai-chat",
            "mode": "whole",
            "implementation": n,
            "seconds": t,
            "bytes": 1e6,
            "mb_per_s": 1 / t,
            "time_x_rust": t / 0.001,
        }
        for n, t in (("rust", 0.001), ("reference", 0.05))
    ]
    lines = perf_table({"e2e": e2e, "machine": "M", "python": "P"})
    assert lines[2:] == [
        "| implementation | openai-chat |",
        "| --- | ---: |",
        "| rust | 1,000 |",
        "| reference | 20.0 (×50) |",
    ]
