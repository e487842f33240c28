"""``report.py`` turns pytest-benchmark JSON into the table ``make bench`` prints."""

from __future__ import annotations

from typing import Any

from .report import render


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
