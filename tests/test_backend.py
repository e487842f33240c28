from __future__ import annotations

import os
import subprocess
import sys

import streamdelta
from streamdelta import reference


def test_rust_backend_loads_by_default() -> None:
    if os.environ.get("STREAMDELTA_BACKEND") == "python":
        assert streamdelta.BACKEND == "python"
    else:
        assert streamdelta.BACKEND == "rust"
        assert type(streamdelta.SSEDecoder()).__module__ == "streamdelta._core"


def test_env_forces_reference() -> None:
    code = "import streamdelta; print(streamdelta.BACKEND, type(streamdelta.SSEDecoder()).__module__)"
    env = {**os.environ, "STREAMDELTA_BACKEND": "python"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["python", "streamdelta.reference.sse"]


def test_bad_env_value_is_an_error() -> None:
    env = {**os.environ, "STREAMDELTA_BACKEND": "fortran"}
    out = subprocess.run([sys.executable, "-c", "import streamdelta"], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "STREAMDELTA_BACKEND must be 'rust' or 'python', got 'fortran'" in out.stderr


def test_reference_always_importable() -> None:
    assert reference.SSEDecoder is not streamdelta._rust.SSEDecoder
    assert streamdelta.reference is reference


def test_exceptions_are_value_errors() -> None:
    assert issubclass(streamdelta.StreamParseError, ValueError)
    assert issubclass(streamdelta.JsonIncompleteError, ValueError)


def test_version_from_cargo() -> None:
    from streamdelta import _core

    assert streamdelta.__version__ == _core.__version__
