"""Which test modules can run against an installed wheel with only pytest and hypothesis beside it.

Used by tests/test_wheel.py and by the release workflow (``python tests/wheel_suite.py`` prints them,
relative to the directory above ``tests``). Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
# What those modules may import besides the standard library and the tests' own modules.
AVAILABLE = {"pytest", "_pytest", "hypothesis", "yaml", "streamdelta", "tests"}
# Modules that test the source tree itself, not the package; the README's snippets also import the
# optional extras (httpx, openai), which the wheel's test venv does not have.
NOT_FOR_WHEELS = {"test_wheel.py", "test_release_workflow.py", "test_readme.py", "test_ci.py"}


def third_party_imports(path: Path, seen: frozenset[Path] = frozenset()) -> set[str]:
    """The top-level packages ``path`` imports from outside, through the tests' own modules too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            local = [node.module] if node.module else [alias.name for alias in node.names]
            for name in local:
                helper = HERE / f"{name.split('.')[0]}.py"
                if helper.is_file() and helper not in seen:
                    names |= third_party_imports(helper, seen | {path})
    return names - set(sys.stdlib_module_names) - {"__future__"}


def modules() -> Iterator[Path]:
    """The test modules whose imports an installed wheel plus pytest and hypothesis satisfy."""
    for path in sorted(HERE.glob("test_*.py")):
        if path.name not in NOT_FOR_WHEELS and third_party_imports(path) <= AVAILABLE:
            yield path


if __name__ == "__main__":
    print(" ".join(f"{HERE.name}/{path.name}" for path in modules()))
