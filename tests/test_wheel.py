"""The release artifacts: the wheel, installed into a fresh virtualenv, passes the suite's tests that
need nothing but pytest and hypothesis, run from a directory outside the source tree; the sdist holds
what a build needs.

Slow-ish (a release build, a venv, an install): marked ``wheel``; ``pytest -m "not wheel"`` leaves it
out. ``STREAMDELTA_WHEEL=path.whl`` tests that wheel instead of building one. The test dependencies
come from ``target/wheelhouse``, filled from the package index the first time only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

from . import wheel_suite
from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.wheel

WHEELHOUSE = ROOT / "target" / "wheelhouse"
TEST_DEPS = ("pytest", "hypothesis", "PyYAML")


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def pins() -> list[str]:
    """The test dependencies at the versions requirements-dev.txt pins."""
    wanted = {name.lower() for name in TEST_DEPS}
    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.split("==")[0].strip().lower() in wanted]


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release wheel for this interpreter and an sdist, built once per session."""
    out = tmp_path_factory.mktemp("dist")
    given = os.environ.get("STREAMDELTA_WHEEL")
    if given:
        shutil.copy(given, out)
    else:
        build = ["build", "--release", "--locked", "-i", sys.executable, "-o", str(out)]
        run(sys.executable, "-m", "maturin", *build, cwd=ROOT)
    run(sys.executable, "-m", "maturin", "sdist", "-o", out, cwd=ROOT)
    return out


@pytest.fixture(scope="session")
def venv(artifacts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv (no system site-packages) with the wheel and the pinned test dependencies."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", home)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    (wheel,) = artifacts.glob("*.whl")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index"]
    install += ["--find-links", str(WHEELHOUSE), str(wheel), *pins()]
    if subprocess.run(install, capture_output=True).returncode != 0:
        # The first time on this machine: fetch the pinned wheels once, then install offline.
        run(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", WHEELHOUSE, "PyYAML", *pins())
        run(*install)
    return python


def test_installed_wheel_passes_the_suite(venv: Path, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # the pytest settings: warnings are errors
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "STREAMDELTA_BACKEND")}
    env["CORPUS_DIR"] = str(CORPUS)

    code = "import streamdelta; print(streamdelta.__file__, streamdelta.BACKEND)"
    where = run(venv, "-c", code, cwd=tmp_path, env=env)
    module_file, backend = where.split()
    site = Path(run(venv, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", env=env).strip())
    assert Path(module_file).is_relative_to(site)
    assert backend == "rust"

    modules = [f"tests/{path.name}" for path in wheel_suite.modules()]
    assert "tests/test_sse.py" in modules
    out = run(venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not wheel", *modules, cwd=tmp_path, env=env)
    summary = out.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed, summary
    assert int(passed.group(1)) >= 300, summary
    assert not re.search(r"\d+ (failed|errors?)\b", summary), summary  # "18 xfailed" is no failure
    assert "error" not in summary, summary


def test_sdist_holds_what_a_build_needs(artifacts: Path) -> None:
    (sdist,) = artifacts.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        pkg_info = tar.extractfile(f"{sdist.name[: -len('.tar.gz')]}/PKG-INFO")
        assert pkg_info is not None
        metadata = pkg_info.read().decode()
    needed = {
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "rust/core/Cargo.toml",
        "rust/core/src/lib.rs",
        "rust/python/Cargo.toml",
        "rust/python/src/lib.rs",
        "python/streamdelta/__init__.py",
        "python/streamdelta/_core.pyi",
        "python/streamdelta/py.typed",
        "python/streamdelta/reference/__init__.py",
        "python/streamdelta/samples/LICENSE",
        "python/streamdelta/samples/NOTICE",
        "python/streamdelta/samples/openai-chat-0.sse",
        "PKG-INFO",
    }
    assert needed <= names, sorted(needed - names)
    assert not [name for name in names if name.startswith(("target/", "rust/fuzz/", ".venv/"))]
    expected = ["License-Expression: MIT", "Requires-Python: >=3.10"]
    extras = ("cassettes", "httpx", "aiohttp", "openai", "anthropic", "arrow")
    expected += [f"Provides-Extra: {extra}" for extra in extras]
    for line in expected:
        assert line in metadata.splitlines(), line


def test_wheel_matches_this_interpreter(artifacts: Path) -> None:
    (wheel,) = artifacts.glob("*.whl")
    tag = sysconfig.get_config_var("py_version_nodot")
    assert f"-cp{tag}-" in wheel.name or "-abi3-" in wheel.name, wheel.name


def test_twine_accepts_the_distributions(artifacts: Path) -> None:
    files = sorted(artifacts.iterdir())
    out = run(sys.executable, "-m", "twine", "check", "--strict", *files)
    assert out.count("PASSED") == len(files) == 2, out
