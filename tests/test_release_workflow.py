"""The release workflow, which cannot run here: what a reviewer would check by eye, checked by a test.
(Its structure against the GitHub workflow schema: ``make lint``.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")


def load(path: Path) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True; the workflow keys are what matters here, not that one.
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_by_commit_with_its_version(path: Path) -> None:
    uses = [USES.match(line) for line in path.read_text().splitlines()]
    found = [(m.group(1), m.group(2).strip()) for m in uses if m]
    assert found
    for action, comment in found:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"# v\d+(\.\d+)*", comment), (action, comment)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_no_permission_unless_a_job_asks(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions", {})
        if name == "publish":
            assert permissions == {"id-token": "write"}
        else:
            assert permissions in ({}, {"contents": "read"}), name
            assert "id-token" not in str(job), name


def test_release_builds_tests_and_publishes_every_wheel() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "release.yml")
    jobs = workflow["jobs"]
    linux = jobs["linux"]["strategy"]["matrix"]
    assert set(linux["target"]) == {"x86_64", "aarch64"}
    assert set(linux["libc"]) == {"manylinux_2_17", "musllinux_1_2"}
    others = {entry["runner"] for entry in jobs["macos-windows"]["strategy"]["matrix"]["include"]}
    assert others == {"macos-15-intel", "macos-14", "windows-2022"}
    pythons = ["3.10", "3.11", "3.12", "3.13", "3.14"]
    assert workflow["env"]["PYTHONS"].split() == pythons
    assert jobs["test"]["strategy"]["matrix"]["python"] == pythons
    assert jobs["test-musllinux"]["strategy"]["matrix"]["python"] == pythons
    assert set(jobs["test"]["strategy"]["matrix"]["runner"]) == {"ubuntu-24.04", "ubuntu-24.04-arm"} | others
    assert set(jobs["publish"]["needs"]) == {"test", "test-musllinux", "sdist"}
    assert jobs["publish"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    publish_steps = [step["uses"].split("@")[0] for step in jobs["publish"]["steps"]]
    assert publish_steps == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    pinned = re.search(r"^maturin==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M)
    assert pinned
    assert workflow["env"]["MATURIN_VERSION"] == f"v{pinned.group(1)}"
    steps = [step for job in jobs.values() for step in job["steps"]]
    maturin_steps = [step for step in steps if step.get("uses", "").startswith("PyO3/maturin-action@")]
    assert len(maturin_steps) == 3
    assert all(step["with"]["maturin-version"] == "${{ env.MATURIN_VERSION }}" for step in maturin_steps)
    classifiers = (ROOT / "pyproject.toml").read_text()
    assert all(f'"Programming Language :: Python :: {v}"' in classifiers for v in pythons)
