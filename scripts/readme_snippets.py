"""Writes each Python snippet of README.md to target/readme/snippet<N>.py, for `mypy --strict`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pyarrow ships no type information (mypy is told so in pyproject.toml): pyright in strict mode would
# call every value it gives unknown, so a snippet that imports it is checked in basic mode.
UNTYPED = re.compile(r"^import pyarrow\b", re.M)


def main() -> None:
    out = ROOT / "target" / "readme"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("snippet*.py"):
        old.unlink()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for n, code in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.S)):
        header = "# pyright: basic\n" if UNTYPED.search(code) else ""
        (out / f"snippet{n}.py").write_text(header + code, encoding="utf-8")


if __name__ == "__main__":
    main()
