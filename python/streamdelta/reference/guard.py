"""A reentrancy guard: the reference's twin of PyO3's runtime borrow check on ``#[pyclass]`` objects.

The Rust classes are borrowed mutably for the length of each ``feed()``/``close()`` call, so a
second call that overlaps it (from another thread, or re-entered from Python code the call runs)
raises ``RuntimeError: Already borrowed`` instead of corrupting the parser. The pure-Python
classes can be switched away from between any two bytecodes, so they take this guard for the same
effect: an overlapping call fails at once and the state stays whole.
"""

from __future__ import annotations

import threading
from types import TracebackType

# PyO3's text (PyBorrowMutError), so both backends raise the same error.
ALREADY_BORROWED = "Already borrowed"


class Guard:
    """``with guard:`` around every state-changing call; a non-blocking lock, about 0.1 µs a call."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError(ALREADY_BORROWED)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._lock.release()
