"""``translator_ratio`` times ``parse`` and ``Translator`` of each build over the same bodies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .compare_builds import load_build
from .conftest import core_or_none
from .translator_ratio import ratios

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "python"


def test_each_target_and_build_gets_a_line_with_its_ratio(tmp_path: Path) -> None:
    if core_or_none() is None:
        pytest.skip("the Rust extension is not built")
    (tmp_path / "streamdelta").mkdir()
    for built in (PACKAGE_ROOT / "streamdelta").glob("_core*"):
        shutil.copy(built, tmp_path / "streamdelta")
    builds = {"this": load_build(PACKAGE_ROOT), "other": load_build(tmp_path)}
    lines = ratios(builds, ["gemini", "bedrock"], rounds=2, clock="cpu", small=True)
    assert [line.split()[:2] for line in lines] == [
        ["gemini", "this"],
        ["gemini", "other"],
        ["bedrock", "this"],
        ["bedrock", "other"],
    ]
    for line in lines:
        ratio = re.search(r"translator/parse (\d+\.\d+)$", line)
        assert ratio is not None, line
        assert float(ratio.group(1)) > 0, line
