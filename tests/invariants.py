"""Checks every parsed stream must pass, whatever the family (DESIGN.md, ordering rules)."""

from __future__ import annotations

import json
from typing import Any

STARTS = {"text_start": "text", "reasoning_start": "reasoning", "tool_input_start": "tool_input"}
DELTAS = {"text_delta": "text", "reasoning_delta": "reasoning", "tool_input_delta": "tool_input"}
ENDS = {"text_end": "text", "reasoning_end": "reasoning", "tool_input_end": "tool_input"}
FINISH_REASONS = {"stop", "length", "tool_calls", "content_filter", "error", "other"}


def check_ordering(events: list[dict[str, Any]]) -> None:
    """``events`` as ``to_dict()`` values of one whole stream (``close()`` included)."""
    open_parts: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, str]] = set()
    assert events, "a stream has at least its finish"
    for n, e in enumerate(events):
        t = e["type"]
        if t in STARTS:
            key = (STARTS[t], e["id"])
            assert key not in open_parts, f"{n}: {key} opened twice"
            if t != "reasoning_start":
                assert not any(k == "reasoning" for k, _ in open_parts), f"{n}: reasoning still open at {t}"
            open_parts[key] = n
            seen.add(key)
        elif t in DELTAS:
            assert (DELTAS[t], e["id"]) in open_parts, f"{n}: {t} outside its part"
        elif t in ENDS:
            key = (ENDS[t], e["id"])
            assert key in open_parts, f"{n}: {t} without start"
            del open_parts[key]
            if t == "tool_input_end":
                nxt = events[n + 1] if n + 1 < len(events) else {}
                assert nxt.get("type") == "tool_call", f"{n}: no tool_call after end"
                assert nxt.get("id") == e["id"], f"{n}: tool_call of another id after end"
        elif t == "tool_call":
            json.loads(e["arguments"]) if e["arguments"].strip() else None
        elif t == "finish":
            assert n == len(events) - 1, f"{n}: finish is not last"
            assert e["reason"] in FINISH_REASONS
            u = e["usage"]
            assert u["total_tokens"] == u["input_tokens"] + u["output_tokens"], u
            assert u["reasoning_tokens"] <= u["output_tokens"], u
            assert u["cache_read_tokens"] + u["cache_write_tokens"] <= u["input_tokens"], u
    assert not open_parts, f"left open: {sorted(open_parts)}"
    assert events[-1]["type"] == "finish", "finish comes last"
    assert sum(1 for e in events if e["type"] == "finish") == 1


def dicts(events: list[Any]) -> list[dict[str, Any]]:
    return [e.to_dict() for e in events]
