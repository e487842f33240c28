"""Turns pytest-benchmark's ``--benchmark-json`` output (and criterion's estimates, when present) into the
markdown comparison ``make bench`` prints and writes to ``benches/report.md``.

Usage: ``python benches/report.py BENCH_JSON [--criterion DIR] [--out FILE]``.
Times are each row's fastest round (``--stat min``, the default): on a shared 2-core machine the other
rounds mostly measure the neighbours' load; ``--stat median`` is there for a quiet machine.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

REPRODUCING = """\
**Reproducing**: `make bench` in a clone with `../shared/corpus/fantasy` beside it (or `CORPUS_DIR=...`).
It builds the extension in release mode (`make dev`), dumps the corpus's SSE bodies for criterion
(`benches/dump_corpus.py`), runs `cargo bench -p streamdelta-core --bench sse`, then
`pytest benches --benchmark-only --benchmark-json=target/bench.json` and this report
(`benches/report.py`). The SSE rows time decoding only: each stream goes to a fresh decoder, events are
counted and dropped as a consumer would; `correct` says that the implementation's (event, data, id)
equal streamdelta's on the same input. A debug build of the extension refuses to be timed."""


def mb_per_s(nbytes: float, seconds: float) -> float:
    return nbytes / seconds / 1e6


IMPLEMENTATION_PARAMS = ("implementation", "impl", "name")


def normalized(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(group, row) with ``implementation`` in ``extra_info``, for rows of benches that do not record it
    (the implementation is then a parameter, and the other parameters name the group)."""
    params = row.get("params") or {}
    info = dict(row.get("extra_info") or {})
    key = next((k for k in IMPLEMENTATION_PARAMS if k in params), None)
    info.setdefault("implementation", params[key] if key else row["name"])
    group = row.get("group")
    if not group:
        others = "-".join(str(v) for k, v in params.items() if k != key)
        group = f"{row['name'].split('[', 1)[0]}[{others}]" if others else row["name"]
    return group, {**row, "extra_info": info}


def correct_cell(info: dict[str, Any]) -> str:
    if "correct" not in info:
        return "?"
    return "yes" if info["correct"] else "**no**"


def corpus_table(rows: list[dict[str, Any]], stat: str) -> list[str]:
    by_name = {r["extra_info"]["implementation"]: r for r in rows}
    rust = by_name.get("rust")
    rust_time = rust["stats"][stat] if rust else None
    out = [
        "| implementation | version | MB/s | events/s | µs/event | time × rust | correct |",
        "| --- | --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for row in sorted(rows, key=lambda r: r["stats"][stat]):
        info, seconds = row["extra_info"], row["stats"][stat]
        ratio = f"{seconds / rust_time:.2f}" if rust_time else "n/a"
        throughput = f"{mb_per_s(info['bytes'], seconds):,.0f}" if "bytes" in info else "–"
        events = info.get("events")
        per_event = f"{events / seconds:,.0f} | {seconds / events * 1e6:.2f}" if events else "– | –"
        out.append(
            f"| {info['implementation']} | {info.get('version', '–')} | {throughput} | {per_event} | {ratio} "
            f"| {correct_cell(info)} |"
        )
    return out


def linear_table(rows: list[dict[str, Any]], stat: str) -> list[str]:
    rust_time = {
        r["extra_info"]["size_mb"]: r["stats"][stat] for r in rows if r["extra_info"]["implementation"] == "rust"
    }
    out = [
        "| implementation | event size | total ms | ms per MB | MB/s | time × rust | correct |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for row in sorted(rows, key=lambda r: (r["extra_info"]["implementation"], r["extra_info"]["size_mb"])):
        info, seconds = row["extra_info"], row["stats"][stat]
        size = info["size_mb"]
        ratio = f"{seconds / rust_time[size]:.2f}" if size in rust_time else "n/a"
        out.append(
            f"| {info['implementation']} | {size} MB | {seconds * 1e3:,.0f} | {seconds * 1e3 / size:.2f} "
            f"| {mb_per_s(info['bytes'], seconds):,.0f} | {ratio} | {correct_cell(info)} |"
        )
    return out


def criterion_seconds(directory: Path, stat: str) -> float:
    """One iteration's time: the fastest sample for ``min`` (as the Python rows), else criterion's estimate."""
    if stat == "min":
        sample = json.loads((directory / "sample.json").read_text())
        return min(t / n for t, n in zip(sample["times"], sample["iters"], strict=True)) / 1e9
    estimates = json.loads((directory / "estimates.json").read_text())
    return float(estimates[stat]["point_estimate"]) / 1e9


def criterion_table(directory: Path, stat: str) -> list[str]:
    out = []
    for bench in sorted(directory.glob("sse_*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        seconds = criterion_seconds(bench.parent, stat)
        nbytes = meta["throughput"]["Bytes"]
        out.append(f"| {meta['full_id']} | {nbytes:,} | {seconds * 1e3:.3f} | {nbytes / seconds / 1e9:.2f} |")
    if not out:
        return []
    return [
        "| criterion bench | bytes | ms | GB/s |",
        "| --- | ---: | ---: | ---: |",
        *out,
    ]


TITLES = {
    "sse-corpus-whole": "SSE, whole corpus, each body fed whole",
    "sse-corpus-chunks": "SSE, whole corpus, random 1–512 byte chunks (fixed seed)",
    "sse-huge-event-1KB-chunks": "SSE, one huge `data` line fed in 1 KB chunks (time per MB must stay flat)",
}


def render(data: dict[str, Any], criterion: Path | None, stat: str = "min") -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for raw in data["benchmarks"]:
        group, row = normalized(raw)
        groups[group].append(row)
    machine = data["machine_info"]
    cpu = machine.get("cpu", {})
    commit = data.get("commit_info", {})
    lines = [
        "# Benchmarks",
        "",
        f"Times: the {stat} over each row's rounds (criterion's too).",
        "",
        f"Machine: {cpu.get('brand_raw', machine.get('processor', '?'))}, {cpu.get('count', '?')} cores, "
        f"{machine.get('system')} {machine.get('release')}; {machine.get('python_implementation')} "
        f"{machine.get('python_version')}; pytest-benchmark {data.get('version')}; "
        f"commit {str(commit.get('id', '?'))[:10]}{' (dirty)' if commit.get('dirty') else ''}, {data.get('datetime')}.",
        "",
    ]
    if criterion is not None:
        table = criterion_table(criterion, stat)
        if table:
            lines += ["## Rust core alone (criterion, `rust/core/benches/sse.rs`, no Python)", "", *table, ""]
    for group in sorted(groups, key=lambda g: (g not in TITLES, list(TITLES).index(g) if g in TITLES else 0, g)):
        rows = groups[group]
        lines += [f"## {TITLES.get(group, group)}", ""]
        is_linear = all("size_mb" in r["extra_info"] for r in rows)
        lines += linear_table(rows, stat) if is_linear else corpus_table(rows, stat)
        lines.append("")
    lines += [REPRODUCING, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_json", type=Path)
    parser.add_argument("--criterion", type=Path, default=ROOT / "target" / "criterion")
    parser.add_argument("--out", type=Path, default=ROOT / "benches" / "report.md")
    parser.add_argument("--stat", choices=["min", "median", "mean"], default="min")
    args = parser.parse_args()
    text = render(
        json.loads(args.bench_json.read_text()), args.criterion if args.criterion.is_dir() else None, args.stat
    )
    args.out.write_text(text)
    print(text)
    print(f"(written to {args.out})")


if __name__ == "__main__":
    main()
