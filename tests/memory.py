"""Peak memory growth of a piece of work, for the bounded-memory tests.

The Rust backend allocates outside Python's allocator, so it is measured by the resident set size
(``/proc/self/statm``, sampled by the work after each step); the reference by ``tracemalloc``, which
sees every Python allocation and nothing else the process does.

Memory earlier tests freed can stay resident in the C heap (glibc keeps it for reuse), and work that
reuses it does not grow the resident set at all: the suite saw a 32 MiB buffer measured as 0 bytes
after other tests. ``malloc_trim`` hands that memory back first, where the C library has it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import tracemalloc
from types import ModuleType
from typing import Callable

from streamdelta import reference

MiB = 1 << 20
HAS_PROC = os.path.exists("/proc/self/statm")


def release_free_heap() -> None:
    """Returns the C heap's free memory to the system (glibc's ``malloc_trim``), where there is one."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is not None:
        trim(0)


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
    release_free_heap()
    before = rss()
    peak = before

    def sample() -> None:
        nonlocal peak
        peak = max(peak, rss())

    work(sample)
    return peak - before
