"""Peak memory growth of a piece of work, for the bounded-memory tests.

The Rust backend allocates outside Python's allocator, so it is measured by the resident set size
(``/proc/self/statm``, sampled by the work after each step); the reference by ``tracemalloc``, which
sees every Python allocation and nothing else the process does.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from types import ModuleType
from typing import Callable

from streamdelta import reference

MiB = 1 << 20
HAS_PROC = os.path.exists("/proc/self/statm")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_growth(backend: ModuleType, work: Callable[[Callable[[], None]], None]) -> int:
    """Bytes the process grew by at its peak while ``work(sample)`` ran; ``work`` calls ``sample()``
    after each step (the reference's peak is tracemalloc's own and needs no samples)."""
    gc.collect()
    if backend is reference:
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            work(lambda: None)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak - before
    before = rss()
    peak = before

    def sample() -> None:
        nonlocal peak
        peak = max(peak, rss())

    work(sample)
    return peak - before
