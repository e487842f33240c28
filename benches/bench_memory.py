"""Peak memory while parsing a long synthetic chat-completions stream in 64 KB chunks (``memory_probe.py``,
each run in a fresh process): 1 GB through the Rust core (peak RSS), 10 MB through the reference
(``tracemalloc``, which slows it down a lot). The bound: the growth stays within twice the largest single
event, plus the text the message keeps (it assembles the whole response), plus a constant.

A bench, not a test: it takes a while. Under ``--benchmark-disable`` it runs on a few MB, so it cannot rot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import core_or_none

PROBE = Path(__file__).with_name("memory_probe.py")
CONSTANT = 8 << 20
SIZES = {"rust": 1_000_000_000, "reference": 10_000_000}
UNTIMED_SIZE = 3_000_000


def probe(backend: str, total: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(PROBE), backend, str(total)], check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("backend", ["rust", "reference"])
def test_memory_bound(benchmark: Any, backend: str) -> None:
    if backend == "rust" and core_or_none() is None:
        pytest.skip("the Rust extension is not built")
    total = UNTIMED_SIZE if benchmark.disabled else SIZES[backend]
    benchmark.group = "memory"
    result = benchmark.pedantic(probe, args=(backend, total), rounds=1, iterations=1)
    bound = 2 * result["largest_event"] + result["message_text"] + CONSTANT
    benchmark.extra_info.update(
        {**result, "implementation": backend, "bound": bound, "correct": result["peak_growth"] <= bound}
    )
    assert result["peak_growth"] <= bound, result
