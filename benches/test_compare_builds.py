"""``compare_builds`` loads two builds of the extension into one process and times them in turn."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .compare_builds import compare, load_build
from .conftest import core_or_none

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "python"


def test_a_build_against_a_copy_of_itself_gives_a_row_per_slice_and_mode(tmp_path: Path) -> None:
    if core_or_none() is None:
        pytest.skip("the Rust extension is not built")
    (tmp_path / "streamdelta").mkdir()
    for built in (PACKAGE_ROOT / "streamdelta").glob("_core*"):
        shutil.copy(built, tmp_path / "streamdelta")
    first, second = load_build(PACKAGE_ROOT), load_build(tmp_path)
    assert first.StreamParser is not second.StreamParser
    lines = compare(first, second, ["gemini", "sse"], rounds=2, small=True)
    assert [line.split()[:2] for line in lines] == [
        ["gemini", "whole"],
        ["gemini", "chunks"],
        ["sse", "whole"],
        ["sse", "chunks"],
    ]
    for line in lines:
        ratio = re.search(r"after/before (\d+\.\d+)$", line)
        assert ratio is not None, line
        assert float(ratio.group(1)) > 0, line


def test_a_directory_without_a_build_is_refused(tmp_path: Path) -> None:
    (tmp_path / "streamdelta").mkdir()
    with pytest.raises(SystemExit, match="no built streamdelta/_core extension"):
        load_build(tmp_path)
