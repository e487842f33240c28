"""The CI entry point and the pins it installs from: `.ci/run` checks what it uses before `make test`,
and constraints.txt agrees with every requirements file (a pin changed in one but not the other
would install something else than the file says)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT


def pins(path: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", path.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


@pytest.mark.parametrize("requirements", ["requirements-dev.txt", "requirements-bench.txt"])
def test_constraints_pin_what_the_requirements_pin(requirements: str) -> None:
    wanted, locked = pins(ROOT / requirements), pins(ROOT / "constraints.txt")
    assert wanted
    assert {name: locked.get(name) for name in wanted} == wanted


def run_ci(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`.ci/run` with `make test` replaced by a marker, so that only its checks run."""
    script = tmp_path / ".ci" / "run"
    script.parent.mkdir()
    script.write_text(re.sub(r"^make test .*$", "echo checks passed", (ROOT / ".ci" / "run").read_text(), flags=re.M))
    shared = tmp_path / "shared"
    (shared / "corpus" / "fantasy").mkdir(parents=True)
    environ = {**os.environ, "SHARED": str(shared), **env}
    return subprocess.run(["bash", str(script)], env=environ, capture_output=True, text=True, timeout=120)


def test_ci_checks_pass_here(tmp_path: Path) -> None:
    done = run_ci(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "checks passed\n", "")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CXX": "no-such-c++"}, "a C++ compiler for libFuzzer (no-such-c++; e.g. apt-get install g++)"),
        ({"PYTHON": "false"}, "Python >= 3.10 (false is not one; set PYTHON=...)"),
        ({"SHARED": "/no/such/dir"}, "the corpus at /no/such/dir/corpus/fantasy (clone ../shared beside the repo)"),
        (
            {"JAVA": "no-such-java"},
            "Java 17 or later for the Spark test (no-such-java; e.g. apt-get install openjdk-17-jre-headless)",
        ),
    ],
    ids=["c++", "python", "corpus", "java"],
)
def test_ci_names_what_is_missing_in_one_line(tmp_path: Path, env: dict[str, str], message: str) -> None:
    done = run_ci(tmp_path, **env)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f".ci/run: missing {message}\n")


def test_make_names_a_missing_wheel_interpreter_in_one_line() -> None:
    args = ["make", "--no-print-directory", "-s", "wheel-pythons", "WHEEL_PYTHONS=3.10 2.99"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.splitlines()[0] == (
        "wheel tests: CPython 2.99 is missing (no python2.99 that runs, none under pyenv); "
        "install it (e.g. pyenv install 2.99) or set WHEEL_PYTHONS to the versions to test"
    )
    assert "wheel-pythons" in done.stderr.splitlines()[-1]  # make's own line: the target that failed


def test_the_wheel_interpreters_are_found_here() -> None:
    found = subprocess.run(
        [ROOT / "scripts" / "wheel-pythons.sh", "3.10", "3.13"], capture_output=True, text=True, check=True
    ).stdout.split()
    versions = [
        subprocess.run([p, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
        for p in found
    ]
    assert [v.stdout.strip() for v in versions] == ["(3, 10)", "(3, 13)"]
