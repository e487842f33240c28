"""The command line: output equals the library's, errors are clear and exit 1."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import streamdelta
from streamdelta.cli import main

from .conftest import CORPUS, require_corpus

SAMPLES = Path(streamdelta.__file__).parent / "samples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[Any], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_sse_equals_decoder(capsys: pytest.CaptureFixture[str]) -> None:
    body = (SAMPLES / "anthropic-0.sse").read_bytes()
    dec = streamdelta.SSEDecoder(flush_at_eof=True)
    expected = [e.to_dict() for e in [*dec.feed(body), *dec.close()]]
    assert run(capsys, "sse", str(SAMPLES / "anthropic-0.sse")) == (0, expected, "")


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.sse")))
def test_events_and_message_equal_library(capsys: pytest.CaptureFixture[str], sample: str) -> None:
    body = (SAMPLES / sample).read_bytes()
    expected = [e.to_dict() for e in streamdelta.parse(body, on_error="emit")]
    assert run(capsys, "events", "--on-error", "emit", str(SAMPLES / sample)) == (0, expected, "")
    parser = streamdelta.StreamParser(on_error="emit")
    parser.feed(body)
    parser.close()
    assert run(capsys, "message", "--on-error", "emit", str(SAMPLES / sample)) == (0, [parser.message.to_dict()], "")


def test_cassette_input_is_tagged_by_interaction(capsys: pytest.CaptureFixture[str]) -> None:
    require_corpus()
    path = CORPUS / "cassettes/TestGoogleCommon/gemini-2.5-flash/tool_streaming.yaml"
    code, lines, _ = run(capsys, "sse", str(path))
    assert code == 0
    assert {line["interaction"] for line in lines} == {0, 1}
    code, lines, _ = run(capsys, "sse", "--interaction", "1", str(path))
    assert {line["interaction"] for line in lines} == {1}
    code, _, err = run(capsys, "sse", "--interaction", "7", str(path))
    assert (code, err) == (1, f"streamdelta: {path}: no streaming interaction #7\n")


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"data: a\n\ndata: b")))
    code, lines, _ = run(capsys, "sse", "-")
    assert (code, [line["data"] for line in lines]) == (0, ["a", "b"])


def test_missing_file_and_unknown_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "events", "/nonexistent/body.sse") == (
        1,
        [],
        "streamdelta: /nonexistent/body.sse: no such file\n",
    )
    code, _, err = run(capsys, "events", "--family", "cohere", str(SAMPLES / "gemini-0.sse"))
    assert code == 1
    assert err.startswith("streamdelta: unknown family 'cohere'; expected auto, openai-chat, ")


def test_malformed_stream_keeps_valid_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.sse"
    bad.write_bytes(b"data: not json\n\n")
    code, lines, err = run(capsys, "events", "--family", "openai-chat", str(bad))
    assert code == 1
    assert lines == []
    assert err.startswith(f"streamdelta: {bad}: invalid JSON payload: not valid JSON at byte 0, event 0")
    code, lines, err = run(capsys, "events", "--family", "openai-chat", "--on-error", "emit", str(bad))
    assert code == 0
    assert lines[0]["type"] == "error"
    assert lines[0]["kind"] == "parse_error"


def test_bench_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "--repeat", "1", str(SAMPLES)])
    out = capsys.readouterr().out
    assert code == 0
    assert "MB/s" in out
    assert "reference" in out
    assert ("rust" in out) == (streamdelta.BACKEND == "rust")


@pytest.mark.parametrize("command", ["", "events", "message", "sse", "bench", "demo"])
def test_help_everywhere(command: str) -> None:
    argv = [sys.executable, "-m", "streamdelta", *([command] if command else []), "--help"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "usage: streamdelta" in out.stdout
