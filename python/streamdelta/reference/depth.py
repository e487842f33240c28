"""The nesting-depth limit on JSON payloads: twin of ``rust/core/src/depth.rs``.

Python's ``json`` would stop near the interpreter's recursion limit with a ``RecursionError``, and
serde_json stops at 128 levels only on the paths it deserializes recursively; this one explicit
check, run before any payload is parsed, gives both backends the same rule and the same message.
"""

from __future__ import annotations

import re

from .error import invalid_json

MAX_JSON_DEPTH = 100

# A JSON string (an unterminated one runs to the end) or a bracket; strings are matched whole so
# that brackets inside them are skipped at C speed.
_TOKENS = re.compile(r'"(?:[^"\\]|\\[\s\S])*"?|[\[\]{}]')


def too_deep() -> str:
    return invalid_json(f"nested deeper than {MAX_JSON_DEPTH} levels (a fixed limit)")


def check_payload(data: str) -> None:
    """Raises the family's ``PayloadError`` when ``data`` nests too deep (the core's ``depth::check``)."""
    error = check(data)
    if error is not None:
        from .families import PayloadError

        raise PayloadError(error)


def check(data: str) -> str | None:
    """The error text when ``data`` nests more than ``MAX_JSON_DEPTH`` arrays or objects, else None."""
    # Fewer opening brackets than the limit cannot nest deeper than it: most payloads stop here.
    if data.count("[") + data.count("{") <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for match in _TOKENS.finditer(data):
        c = match.group()[0]
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return too_deep()
        elif c in "]}" and depth:
            depth -= 1
    return None
