"""The release artifacts: the wheel, installed into a fresh virtualenv, passes the suite's tests that
need nothing but pytest and hypothesis, run from a directory outside the source tree, and runs the
README's snippets; the sdist holds what a build needs.

Slow-ish (a release build, a venv, an install): marked ``wheel``; ``pytest -m "not wheel"`` leaves it
out. The wheel is built for this interpreter, or for each that ``STREAMDELTA_WHEEL_PYTHONS`` lists
(paths: ``make test-wheels``); ``STREAMDELTA_WHEEL=path.whl`` tests that wheel instead of building
one. The test dependencies come from ``target/wheelhouse``, filled from the package index the first
time each interpreter needs them. Under pytest-xdist (``make test-wheels`` runs ``-n 2 --dist
loadgroup``) each interpreter's tests stay on one worker, and the builds and the wheelhouse's filling
take turns: two suites run at once while one build runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import wheel_suite
from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.wheel

WHEELHOUSE = ROOT / "target" / "wheelhouse"
TEST_DEPS = ("pytest", "hypothesis", "PyYAML")
# What the README's snippets import besides streamdelta (the extras they show).
SNIPPET_DEPS = ("httpx", "httpx2", "openai", "pyarrow")
PYTHONS = os.environ.get("STREAMDELTA_WHEEL_PYTHONS", "").split() or [sys.executable]
TURNS = ROOT / "target" / "wheel-tests.lock"


@contextlib.contextmanager
def one_at_a_time() -> Iterator[None]:
    """Held around what two workers must not do at once: cargo locks its build directory only while
    it compiles, and maturin copies the library out after that, so a second build for another
    interpreter could replace it first; and the wheelhouse's filling (`fresh_venv`)."""
    try:
        import fcntl
    except ImportError:  # Windows: no parallel wheel runs there
        yield
        return
    TURNS.parent.mkdir(exist_ok=True)
    with TURNS.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def pins(names: tuple[str, ...]) -> list[str]:
    """``names`` at the versions constraints.txt pins, or the newest release before that an older
    interpreter can install (hypothesis and httpx2 left 3.10 behind): ``name<=pin``."""
    wanted = {name.lower() for name in names}
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return [line.strip().replace("==", "<=") for line in lines if line.split("==")[0].strip().lower() in wanted]


def constraints_but(requirements: list[str], home: Path) -> Path:
    """constraints.txt without the packages of ``requirements``, which bound them themselves."""
    names = {re.split(r"[<=>]", r)[0].lower() for r in requirements}
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    path = home / "constraints.txt"
    path.write_text("\n".join(line for line in lines if line.split("==")[0].lower() not in names) + "\n")
    return path


def python_in(home: Path) -> Path:
    return home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(
    scope="session",
    params=[pytest.param(path, marks=pytest.mark.xdist_group(Path(path).name)) for path in PYTHONS],
    ids=lambda path: Path(path).name,
)
def interpreter(request: pytest.FixtureRequest) -> str:
    """The interpreter a wheel is built for and installed into."""
    return str(request.param)


@pytest.fixture(scope="session")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    with one_at_a_time():
        run(sys.executable, "-m", "maturin", "sdist", "-o", out, cwd=ROOT)
    (path,) = out.glob("*.tar.gz")
    return path


@pytest.fixture(scope="session")
def wheel(interpreter: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release wheel for ``interpreter``, built once per session."""
    out = tmp_path_factory.mktemp("wheel")
    given = os.environ.get("STREAMDELTA_WHEEL")
    if given:
        shutil.copy(given, out)
    else:
        # Every interpreter builds in the default target directory: only pyo3 and the bindings
        # depend on the interpreter, so each wheel reuses the core and its dependencies that `make
        # dev` compiled (a wheel took 86 s there against 380 s in a directory of its own); the next
        # `make dev` rebuilds those two crates for its own interpreter.
        env = dict(os.environ)
        build = ["build", "--release", "--locked", "-i", interpreter, "-o", str(out)]
        with one_at_a_time():
            run(sys.executable, "-m", "maturin", *build, cwd=ROOT, env=env)
    (path,) = out.glob("*.whl")
    return path


def fresh_venv(interpreter: str, home: Path, packages: list[str]) -> Path:
    """A virtualenv of ``interpreter`` (no system site-packages) holding ``packages``, installed
    offline from the wheelhouse, which is filled from the package index the first time."""
    run(interpreter, "-m", "venv", "--without-pip", home)
    python = python_in(home)
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    install = [*pip, "install", "-q", "--no-index", "--find-links", str(WHEELHOUSE), *packages]
    # Under the lock: the first install fails when the wheelhouse lacks a package, and pip could
    # read a wheel another worker is still downloading.
    with one_at_a_time():
        if subprocess.run(install, capture_output=True).returncode != 0:
            wanted = [p for p in packages if not p.endswith(".whl")]
            download = [*pip, "download", "-q", "--only-binary=:all:", "-d", str(WHEELHOUSE), *wanted]
            constraints = ["-c", str(constraints_but(wanted, home))]
            # An interpreter that the pinned dependencies of dependencies left behind (jiter and
            # httpcore2 dropped 3.10) gets the newest releases that fit it.
            if subprocess.run([*download, *constraints], capture_output=True).returncode != 0:
                run(*download)
            run(*install)
    return python


@pytest.fixture(scope="session")
def venv(interpreter: str, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the pinned test dependencies, nothing else."""
    return fresh_venv(interpreter, tmp_path_factory.mktemp("venv"), [str(wheel), *pins(TEST_DEPS)])


def outside_the_tree(tmp_path: Path) -> dict[str, str]:
    """A copy of ``tests`` (and the pytest settings: warnings are errors) in ``tmp_path``; the
    environment to run it in."""
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "STREAMDELTA_BACKEND")}
    env["CORPUS_DIR"] = str(CORPUS)
    return env


def passed(out: str) -> int:
    """How many passed, from pytest's summary line; fails on any failure or error."""
    summary = out.strip().splitlines()[-1]
    count = re.search(r"(\d+) passed", summary)
    assert count, summary
    assert not re.search(r"\d+ (failed|errors?)\b", summary), summary  # "18 xfailed" is no failure
    assert "error" not in summary, summary
    return int(count.group(1))


def test_installed_wheel_passes_the_suite(venv: Path, tmp_path: Path) -> None:
    env = outside_the_tree(tmp_path)
    code = "import streamdelta; print(streamdelta.__file__, streamdelta.BACKEND)"
    where = run(venv, "-c", code, cwd=tmp_path, env=env)
    module_file, backend = where.split()
    site = Path(run(venv, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", env=env).strip())
    assert Path(module_file).is_relative_to(site)
    assert backend == "rust"

    modules = [f"tests/{path.name}" for path in wheel_suite.modules()]
    assert "tests/test_sse.py" in modules
    out = run(venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not wheel", *modules, cwd=tmp_path, env=env)
    assert passed(out) >= 300, out.strip().splitlines()[-1]


def test_readme_snippets_run_on_the_installed_wheel(
    interpreter: str, wheel: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    snippets = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    assert len(snippets) >= 5
    home = tmp_path_factory.mktemp("readme-venv")
    # The drop-in's lower bound exactly: a resolver falling back to an older `openai` fails here.
    deps = [dep.replace("openai<=", "openai==") for dep in pins(TEST_DEPS + SNIPPET_DEPS)]
    assert any(dep.startswith("openai==") for dep in deps)
    python = fresh_venv(interpreter, home, [str(wheel), *deps])
    env = outside_the_tree(tmp_path)
    shutil.copy(ROOT / "README.md", tmp_path)
    out = run(
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_readme.py",
        "-k",
        "snippet",
        cwd=tmp_path,
        env=env,
    )
    # Each snippet run, and the check that each shows its output.
    assert passed(out) == len(snippets) + 1, out


def test_sdist_holds_what_a_build_needs(sdist: Path) -> None:
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


def test_wheel_matches_its_interpreter(interpreter: str, wheel: Path) -> None:
    tag = run(interpreter, "-c", "import sysconfig; print(sysconfig.get_config_var('py_version_nodot'))").strip()
    assert f"-cp{tag}-" in wheel.name or "-abi3-" in wheel.name, wheel.name


def test_twine_accepts_the_distributions(wheel: Path, sdist: Path) -> None:
    out = run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)
    assert out.count("PASSED") == 2, out
