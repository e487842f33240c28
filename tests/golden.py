"""Golden event files: ``tests/golden/<family>/<cassette path with / as __>#<n>.jsonl``.

Write or refresh them with ``python -m tests.golden FAMILY`` (from the repo root, reference backend),
then read each one against its cassette before committing: they are checked by a person, not trusted.
The bodies of the public corpus (``../shared/corpus/public``, one kind of body per folder) go the same
way with ``python -m tests.golden public KIND FAMILY [FORMAT]``, named ``public/<kind>/<file>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_path(family: str, name: str) -> Path:
    return GOLDEN / family / (name.replace("/", "__").replace("#", "-") + ".jsonl")


def read_golden(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_golden(path: Path, events: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e, ensure_ascii=False, sort_keys=False) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    from streamdelta import reference

    from .conftest import family_bodies, public_bodies

    if argv[0] == "public":
        kind, family, *fmt = argv[1:]
        bodies = public_bodies(kind, *fmt)
    else:
        family = argv[0]
        bodies = family_bodies(family)
    for name, body in bodies:
        events = [e.to_dict() for e in reference.parse(body, family)]
        write_golden(golden_path(family, name), events)
        print(golden_path(family, name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
