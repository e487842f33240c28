"""RFC 3339 timestamps (Ollama's ``created_at``) as unix seconds: twin of ``rust/core/src/families/time.rs``."""

from __future__ import annotations

import re

# ASCII digits only (``\d`` would take other scripts' digits, which the core does not).
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)


def rfc3339_seconds(text: str) -> int | None:
    """``YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`` as whole unix seconds (the fraction dropped); any
    other text tells nothing. Fields are range-checked, not checked against the calendar (a
    31 February counts as 3 March), the same in the core."""
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    offset = 0
    if m.group(7) is None:
        h, mm = int(m.group(9)), int(m.group(10))
        if h > 23 or mm > 59:
            return None
        offset = h * 60 + mm
        if m.group(8) == "-":
            offset = -offset
    return _days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset * 60


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's ``days_from_civil``)."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468
