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
from typing import Any, Iterable

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


def criterion_rows(directory: Path | None, stat: str) -> list[dict[str, Any]]:
    if directory is None:
        return []
    out = []
    for bench in sorted(directory.glob("*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        nbytes = (meta.get("throughput") or {}).get("Bytes")
        if nbytes:
            out.append({"bench": meta["full_id"], "bytes": nbytes, "seconds": criterion_seconds(bench.parent, stat)})
    return out


def criterion_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    return [
        "| criterion bench | bytes | ms | GB/s |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {r['bench']} | {r['bytes']:,} | {r['seconds'] * 1e3:.3f} | {r['bytes'] / r['seconds'] / 1e9:.2f} |"
            for r in rows
        ),
    ]


TITLES = {
    "sse-corpus-whole": "SSE tokenizer alone, whole corpus, each body fed whole",
    "sse-corpus-chunks": "SSE tokenizer alone, whole corpus, random 1–512 byte chunks (fixed seed)",
    "sse-huge-event-1KB-chunks": "SSE, one huge `data` line fed in 1 KB chunks (time per MB must stay flat)",
    "many-messages": "Many bodies to messages: `parse_many` on 1 and 2 threads, Arrow columns, and a Python loop "
    "(row `rust`)",
}
MODE_TITLES = {
    "whole": "each body fed whole",
    "chunks": "random 1–512 byte chunks (fixed seed)",
    "bytes": "1-byte chunks, first bodies only",
}
SLICE_ORDER = [
    "openai-chat",
    "openai-responses",
    "anthropic",
    "gemini",
    "gemini-json-array",
    "bedrock",
    "bedrock-converse",
    "bedrock-invoke",
    "openai-completions",
    "ollama",
    "cohere",
    "all",
]
SDKS = ("openai-sdk", "anthropic-sdk")
REFERENCES = ("reference", "reference+orjson")
TARGETS = {"reference": 25, "peer pipeline": 5, "SDK": 50}
NOISE = (
    "The machine is a shared 2-core VM with other work running: absolute figures move by tens of percent "
    "between runs; ratios within one table are steadier (each row's fastest round is kept)."
)


def group_title(group: str, rows: list[dict[str, Any]]) -> str:
    if group in TITLES:
        return TITLES[group]
    info = rows[0]["extra_info"]
    if "slice" in info and "mode" in info:
        return f"End to end, {info['slice']}: {MODE_TITLES.get(info['mode'], info['mode'])}"
    return group


def slice_rank(name: str) -> int:
    """Where a slice goes in the tables: ``SLICE_ORDER``, then any other at the end."""
    return SLICE_ORDER.index(name) if name in SLICE_ORDER else len(SLICE_ORDER)


def group_order(group: str, rows: list[dict[str, Any]]) -> tuple[Any, ...]:
    info = rows[0]["extra_info"]
    if "slice" in info:
        return (1, slice_rank(info["slice"]), info["mode"])
    if group in TITLES:
        return (0, list(TITLES).index(group), "")
    return (2, 0, group)


def e2e_rows(groups: dict[str, list[dict[str, Any]]], stat: str) -> list[dict[str, Any]]:
    """The end-to-end rows as plain figures: what report.json holds and the README table comes from."""
    out = []
    for rows in groups.values():
        rust = next((r["stats"][stat] for r in rows if r["extra_info"]["implementation"] == "rust"), None)
        for row in rows:
            info, seconds = row["extra_info"], row["stats"][stat]
            if "slice" not in info:
                continue
            out.append(
                {
                    "slice": info["slice"],
                    "mode": info["mode"],
                    "implementation": info["implementation"],
                    "version": info.get("version"),
                    "bodies": info.get("bodies"),
                    "bytes": info["bytes"],
                    "events": info["events"],
                    "seconds": seconds,
                    "mb_per_s": mb_per_s(info["bytes"], seconds),
                    "events_per_s": info["events"] / seconds,
                    "us_per_event": seconds / info["events"] * 1e6 if info["events"] else None,
                    "time_x_rust": seconds / rust if rust else None,
                    "correct": info.get("correct"),
                    "note": info.get("note") or "",
                }
            )
    return sorted(out, key=lambda r: (slice_rank(r["slice"]), r["mode"], r["seconds"]))


def memory_rows(groups: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    keys = ("backend", "measured_by", "bytes", "events", "seconds", "largest_event", "message_text")
    return [
        {
            **{k: r["extra_info"][k] for k in keys},
            "peak_growth": r["extra_info"]["peak_growth"],
            "bound": r["extra_info"]["bound"],
            "within_bound": r["extra_info"]["correct"],
        }
        for r in groups.get("memory", [])
    ]


def sse_rows(groups: dict[str, list[dict[str, Any]]], stat: str) -> list[dict[str, Any]]:
    return [
        {
            "group": g,
            "implementation": r["extra_info"]["implementation"],
            "mb_per_s": mb_per_s(r["extra_info"]["bytes"], r["stats"][stat]),
        }
        for g in ("sse-corpus-whole", "sse-corpus-chunks")
        for r in groups.get(g, [])
    ]


def build(data: dict[str, Any], criterion: Path | None, stat: str = "min") -> dict[str, Any]:
    """Everything the report says, as plain data (``benches/report.json``)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for raw in data["benchmarks"]:
        group, row = normalized(raw)
        groups[group].append(row)
    machine = data.get("machine_info", {})
    cpu = machine.get("cpu", {})
    commit = data.get("commit_info", {})
    return {
        "stat": stat,
        "machine": f"{cpu.get('brand_raw', machine.get('processor', '?'))}, {cpu.get('count', '?')} cores, "
        f"{machine.get('system')} {machine.get('release')}",
        "python": f"{machine.get('python_implementation')} {machine.get('python_version')}",
        "pytest_benchmark": data.get("version"),
        "commit": f"{str(commit.get('id', '?'))[:10]}{' (dirty)' if commit.get('dirty') else ''}",
        "datetime": data.get("datetime"),
        "e2e": e2e_rows(groups, stat),
        "sse": sse_rows(groups, stat),
        "memory": memory_rows(groups),
        "criterion": criterion_rows(criterion, stat),
    }


def ratio_cell(e2e: list[dict[str, Any]], slice_: str, mode: str, names: Iterable[str], target: int) -> str:
    """How many times faster rust is than the fastest of ``names`` on one slice and mode."""
    rows = [r for r in e2e if r["slice"] == slice_ and r["mode"] == mode]
    rust = next((r for r in rows if r["implementation"] == "rust"), None)
    others = [r for r in rows if r["implementation"] in names]
    if rust is None or not others:
        return "–"
    best = min(others, key=lambda r: r["seconds"])
    ratio = best["seconds"] / rust["seconds"]
    return f"{ratio:,.1f}× {'✓' if ratio >= target else '✗'} ({best['implementation']})"


def targets_table(report: dict[str, Any]) -> list[str]:
    e2e = report["e2e"]
    peers = {r["implementation"] for r in e2e} - {"rust", *REFERENCES, *SDKS}
    out = [
        f"| slice | mode | vs reference (≥ {TARGETS['reference']}×) | vs fastest Python peer pipeline "
        f"(≥ {TARGETS['peer pipeline']}×) | vs official SDK (≥ {TARGETS['SDK']}×) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for slice_ in SLICE_ORDER:
        for mode in ("whole", "chunks"):
            if not any(r["slice"] == slice_ and r["mode"] == mode for r in e2e):
                continue
            out.append(
                f"| {slice_} | {mode} | {ratio_cell(e2e, slice_, mode, ['reference'], TARGETS['reference'])} "
                f"| {ratio_cell(e2e, slice_, mode, peers, TARGETS['peer pipeline'])} "
                f"| {ratio_cell(e2e, slice_, mode, SDKS, TARGETS['SDK'])} |"
            )
    return out


# Issue 22's targets for the many-messages rows: (what, faster row, slower row, at least ×).
MANY_TARGETS = (
    ("`parse_many` scaling, 1 → 2 threads", "parse_many threads=2", "parse_many threads=1", 1.7),
    ("`parse_many` 2 threads vs the Python loop", "parse_many threads=2", "rust", 3.0),
    ("Arrow columns vs `parse_many` to Messages (2 threads)", "arrow threads=2", "parse_many threads=2", 1.0),
)


def many_targets(rows: list[dict[str, Any]], stat: str) -> list[str]:
    """The ratios of the many-messages rows that issue 22 sets targets for (how many times faster)."""
    seconds = {r["extra_info"]["implementation"]: r["stats"][stat] for r in rows}
    out = ["| target | × | at least |", "| --- | ---: | :---: |"]
    for what, fast, slow, target in MANY_TARGETS:
        if fast in seconds and slow in seconds:
            ratio = seconds[slow] / seconds[fast]
            out.append(f"| {what} | {ratio:.2f} | {target}× {'✓' if ratio >= target else '✗'} |")
    return out if len(out) > 2 else []


def memory_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    mb = 1 << 20
    out = [
        "| backend | measured by | stream | events | s | largest event | message text kept | peak growth | bound "
        "| within |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in rows:
        out.append(
            f"| {r['backend']} | {r['measured_by']} | {r['bytes'] / 1e6:,.0f} MB | {r['events']:,} "
            f"| {r['seconds']:.1f} "
            f"| {r['largest_event'] / mb:.1f} MiB | {r['message_text'] / mb:.1f} MiB | {r['peak_growth'] / mb:.1f} MiB "
            f"| {r['bound'] / mb:.1f} MiB | {'yes' if r['within_bound'] else '**no**'} |"
        )
    return out


def perf_table(report: dict[str, Any]) -> list[str]:
    """The README's table: MB/s of every implementation on each slice, whole bodies, and how many times
    slower than rust it is."""
    e2e = [r for r in report["e2e"] if r["mode"] == "whole"]
    slices = [s for s in SLICE_ORDER if any(r["slice"] == s for r in e2e)]
    order = [
        "rust",
        "reference+orjson",
        "reference",
        "httpx-sse+orjson",
        "sseclient-py+json",
        "botocore+json",
        "lines+json",
        *SDKS,
    ]
    names = sorted({r["implementation"] for r in e2e}, key=lambda n: (order.index(n) if n in order else 99, n))
    cells = {(r["implementation"], r["slice"]): r for r in e2e}
    out = [
        f"End to end, response bytes → normalized events, MB/s on each slice of the recorded corpus, bodies fed "
        f"whole (× = how many times rust is faster); {report['machine']}, {report['python']}. "
        "From `benches/report.json` (`make bench`); details in `benches/report.md`.",
        "",
        f"| implementation | {' | '.join(slices)} |",
        f"| --- |{' ---: |' * len(slices)}",
    ]
    for name in names:
        row = []
        for s in slices:
            r = cells.get((name, s))
            if r is None:
                row.append("–")
            elif name == "rust":
                row.append(f"{r['mb_per_s']:,.0f}")
            else:
                row.append(f"{r['mb_per_s']:,.1f} (×{r['time_x_rust']:,.0f})")
        out.append(f"| {name} | {' | '.join(row)} |")
    return out


def render(data: dict[str, Any], criterion: Path | None, stat: str = "min") -> str:
    report = build(data, criterion, stat)
    return markdown(data, report)


def markdown(data: dict[str, Any], report: dict[str, Any]) -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for raw in data["benchmarks"]:
        group, row = normalized(raw)
        groups[group].append(row)
    stat = report["stat"]
    lines = [
        "# Benchmarks",
        "",
        f"Times: the {stat} over each row's rounds (criterion's too). {NOISE}",
        "",
        f"Machine: {report['machine']}; {report['python']}; pytest-benchmark {report['pytest_benchmark']}; "
        f"commit {report['commit']}, {report['datetime']}.",
        "",
    ]
    if report["e2e"]:
        lines += ["## Targets: how many times faster `rust` is, end to end", "", *targets_table(report), ""]
        lines += ["![MB/s per implementation per slice](report.png)", ""]
    if report["criterion"]:
        lines += ["## Rust core alone (criterion, `rust/core/benches/*.rs`, no Python)", ""]
        lines += [*criterion_table(report["criterion"]), ""]
    if report["memory"]:
        lines += [
            "## Memory: one long chat-completions stream in 64 KB chunks",
            "",
            *memory_table(report["memory"]),
            "",
        ]
    for group in sorted(groups, key=lambda g: group_order(g, groups[g])):
        if group == "memory":
            continue
        rows = groups[group]
        lines += [f"## {group_title(group, rows)}", ""]
        is_linear = all("size_mb" in r["extra_info"] for r in rows)
        lines += linear_table(rows, stat) if is_linear else corpus_table(rows, stat)
        if group == "many-messages":
            lines += ["", *many_targets(rows, stat)]
        notes = [
            f"{r['extra_info']['implementation']}: {r['extra_info']['note']}"
            for r in rows
            if r["extra_info"].get("note")
        ]
        lines += [*(f"- {n}" for n in notes), ""] if notes else [""]
    lines += [REPRODUCING, ""]
    return "\n".join(lines)


PERF_START, PERF_END = "<!-- perf-table:start -->", "<!-- perf-table:end -->"


def with_perf_table(readme: str, report: dict[str, Any]) -> str:
    """``readme`` with the section between the perf-table markers generated from ``report``."""
    head, rest = readme.split(PERF_START, 1)
    _, tail = rest.split(PERF_END, 1)
    return f"{head}{PERF_START}\n{chr(10).join(perf_table(report))}\n{PERF_END}{tail}"


def plot(report: dict[str, Any], out: Path) -> None:
    """MB/s per implementation per slice, whole bodies and random chunks, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = [m for m in ("whole", "chunks") if any(r["mode"] == m for r in report["e2e"])]
    fig, axes = plt.subplots(len(modes), 1, figsize=(12, 4.5 * len(modes)), squeeze=False)
    for ax, mode in zip(axes[:, 0], modes, strict=True):
        rows = [r for r in report["e2e"] if r["mode"] == mode]
        slices = [s for s in SLICE_ORDER if any(r["slice"] == s for r in rows)]
        names = sorted(
            {r["implementation"] for r in rows},
            key=lambda n: -max(r["mb_per_s"] for r in rows if r["implementation"] == n),
        )
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            xs, ys = [], []
            for j, s in enumerate(slices):
                r = next((r for r in rows if r["implementation"] == name and r["slice"] == s), None)
                if r is not None:
                    xs.append(j + (i - (len(names) - 1) / 2) * width)
                    ys.append(r["mb_per_s"])
            bars = ax.bar(xs, ys, width, label=name)
            ax.bar_label(
                bars, labels=[f"{y:.0f}" if y >= 10 else f"{y:.1f}" for y in ys], fontsize=6, rotation=90, padding=2
            )
        ax.set_yscale("log")
        ax.set_xticks(range(len(slices)), slices)
        ax.set_ylabel("MB/s (log scale)")
        ax.set_title(f"End to end, bytes → normalized events: {MODE_TITLES[mode]}")
        ax.grid(axis="y", which="major", alpha=0.3)
        ax.legend(fontsize=8, ncol=4, loc="upper right")
        ax.set_ylim(top=ax.get_ylim()[1] * 8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_json", type=Path)
    parser.add_argument("--criterion", type=Path, default=ROOT / "target" / "criterion")
    parser.add_argument("--out", type=Path, default=ROOT / "benches" / "report.md")
    parser.add_argument("--json", type=Path, default=ROOT / "benches" / "report.json")
    parser.add_argument("--png", type=Path, default=ROOT / "benches" / "report.png")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--stat", choices=["min", "median", "mean"], default="min")
    args = parser.parse_args()
    data = json.loads(args.bench_json.read_text())
    report = build(data, args.criterion if args.criterion.is_dir() else None, args.stat)
    text = markdown(data, report)
    args.out.write_text(text)
    args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    if report["e2e"]:
        plot(report, args.png)
        args.readme.write_text(with_perf_table(args.readme.read_text(), report))
    print(text)
    print(f"(written to {args.out}, {args.json}, {args.png}; README table updated)")


if __name__ == "__main__":
    main()
