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
    code, _, err = run(capsys, "events", "--family", "no-such-family", str(SAMPLES / "gemini-0.sse"))
    assert code == 1
    assert err.startswith("streamdelta: unknown family 'no-such-family'; expected auto, openai-chat, ")


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


BAD_INPUTS = [
    # (name, file name, content, command, the error after "streamdelta: <path>: ")
    (
        "malformed yaml",
        "x.yaml",
        b"interactions: [\n  - {",
        "events",
        "not valid YAML: did not find expected node content at line 2, column 3",
    ),
    ("not a cassette", "x.yaml", b"foo: 1\n", "events", "not a cassette (no `interactions` list)"),
    ("interaction not a mapping", "x.yaml", b"interactions: [3]\n", "sse", "interaction #0: not a mapping"),
    (
        "no streaming interaction",
        "x.yaml",
        b"interactions:\n- request: {method: GET, url: 'http://x'}\n"
        b"  response: {code: 200, headers: {Content-Type: [application/json]}, body: '{}'}\n",
        "events",
        "none of its 1 interactions is a stream",
    ),
    ("empty", "x.sse", b"", "events", "empty input"),
    ("empty, message", "x.sse", b"", "message", "empty input"),
    ("empty, sse", "x.sse", b"", "sse", "empty input"),
    (
        "garbage",
        "x.txt",
        b"hello world\nthis is not a stream\n",
        "events",
        "not a response stream (the stream ended before any payload)",
    ),
    ("garbage, message", "x.txt", b"hello\n", "message", "not a response stream (the stream ended before any payload)"),
    ("garbage, sse", "x.txt", b"hello\n", "sse", "no server-sent events"),
    ("binary", "x.bin", bytes(range(1, 256)), "events", "not a response stream (the stream ended before any payload)"),
    (
        "event-stream body to sse",
        "x.eventstream",
        (SAMPLES / "bedrock-0.eventstream").read_bytes(),
        "sse",
        "no server-sent events (AWS event-stream framing: `streamdelta events` reads it)",
    ),
    (
        "a newline in the excerpt",
        "x.sse",
        b'data: {"a":\ndata: [}\n\n',
        "events",
        "unexpected payload: cannot tell the wire family from the first payload; pass `family=` at byte 0, event 0, "
        'near `{"a":\\n[}`',
    ),
]


@pytest.mark.parametrize(
    ("file", "content", "command", "want"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, file: str, content: bytes, command: str, want: str | None
) -> None:
    path = tmp_path / file
    path.write_bytes(content)
    code, lines, err = run(capsys, command, str(path))
    assert (code, lines) == (1, [])
    assert err.count("\n") == 1
    assert err.startswith(f"streamdelta: {path}: ")
    assert err.count(str(path)) == 1, "the path is named once"
    if want is not None:
        assert err == f"streamdelta: {path}: {want}\n"


def test_directory_stdin_and_interaction_misuse(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "events", str(tmp_path)) == (
        1,
        [],
        f"streamdelta: {tmp_path}: no cassettes (.yaml) or response bodies (.sse, .eventstream, .ndjson, .json)"
        " in it\n",
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert run(capsys, "sse", "-") == (1, [], "streamdelta: standard input: empty input\n")
    sample = str(SAMPLES / "gemini-0.sse")
    assert run(capsys, "events", "--interaction", "0", sample) == (
        1,
        [],
        f"streamdelta: --interaction applies to a cassette (.yaml), not to {sample}\n",
    )
    (tmp_path / "bad.yaml").write_bytes(b"{")
    code, _, err = run(capsys, "bench", str(tmp_path))
    assert (code, err.count("\n")) == (1, 1)
    assert err.startswith(f"streamdelta: {tmp_path / 'bad.yaml'}: not valid YAML: ")


def mangled() -> list[tuple[str, bytes]]:
    """Every sample and a cassette cut at a few places, and bytes that are no format at all."""
    out = []
    for sample in sorted(SAMPLES.glob("*.sse")) + sorted(SAMPLES.glob("*.eventstream")):
        body = sample.read_bytes()
        out += [(f"{sample.name}[:{cut}]{sample.suffix}", body[:cut]) for cut in (1, 7, len(body) // 3, len(body) - 3)]
    cassette = (
        b"interactions:\n- request: {method: POST, url: 'http://x/v1/messages'}\n"
        b"  response:\n    code: 200\n    headers: {Content-Type: [text/event-stream]}\n"
        b"    body: " + json.dumps((SAMPLES / "anthropic-0.sse").read_text()).encode() + b"\n"
    )
    out += [(f"cassette[:{cut}].yaml", cassette[:cut]) for cut in (5, 40, 90, 150, len(cassette) // 2)]
    out += [("zeros.bin", bytes(64)), ("utf16.sse", "data: é\n\n".encode("utf-16")), ("crlf.sse", b"\r\n" * 9)]
    return out


@pytest.mark.parametrize("command", ["events", "message", "sse"])
def test_mangled_input_never_escapes_as_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    for name, content in mangled():
        path = tmp_path / name
        path.write_bytes(content)
        code = main([command, str(path)])
        out, err = capsys.readouterr()
        assert code in (0, 1), name
        if code:
            assert err.startswith(f"streamdelta: {path}"), (name, err)
            assert err.count("\n") == 1, (name, err)
        else:
            assert out, name
            assert not err, name


def test_cassettes_need_pyyaml_only_when_read(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("interactions: []\n")
    code = (
        "import sys; sys.modules['yaml'] = None\n"
        "import streamdelta, streamdelta.cassettes, streamdelta.cli\n"
        f"sys.exit(streamdelta.cli.main(['events', {str(path)!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"streamdelta: {path}: reading cassettes needs PyYAML: pip install 'streamdelta[cassettes]'\n"


def test_directories_and_several_files_name_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bodies = sorted([*SAMPLES.glob("*.sse"), *SAMPLES.glob("*.eventstream")])
    for sample in bodies:
        (tmp_path / "in" / sample.suffix[1:]).mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / sample.suffix[1:] / sample.name).write_bytes(sample.read_bytes())
    (tmp_path / "in" / "notes.txt").write_text("not read: neither a cassette nor a body")
    files = sorted(str(p) for p in (tmp_path / "in").rglob("*") if p.suffix in (".sse", ".eventstream"))
    want = [
        {"file": path, **e.to_dict()}
        for path in files
        for e in streamdelta.parse(Path(path).read_bytes(), on_error="emit")
    ]
    assert run(capsys, "events", "--on-error", "emit", str(tmp_path / "in")) == (0, want, "")
    two = files[:2]
    code, lines, _ = run(capsys, "message", *two)
    assert (code, [line["file"] for line in lines]) == (0, two)
    # read back: the file tags are dropped
    main(["events", "--on-error", "emit", "--progress", str(tmp_path / "in")])
    out, err = capsys.readouterr()
    events = [streamdelta.from_dict({k: v for k, v in line.items() if k != "file"}) for line in want]
    assert list(streamdelta.read_jsonl(out.splitlines())) == events
    assert err.startswith("\rfiles      [")
    assert err.endswith(f"] {len(files)}/{len(files)}\n")


def test_message_of_the_corpus_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from streamdelta import cassettes

    corpus = require_corpus()
    want = []
    for path, index, item in cassettes.iter_corpus(corpus):
        if item.is_streaming:
            parser = streamdelta.StreamParser(on_error="emit")
            parser.feed(item.body)
            parser.close()
            want.append({"file": str(path), "interaction": index, **parser.message.to_dict()})
    out = tmp_path / "out.jsonl"
    # The cassettes with a stream (a file without one is an error, as for `events`).
    files = sorted({line["file"] for line in want})
    assert run(capsys, "message", "--on-error", "emit", "--format", "jsonl", "-o", str(out), *files) == (0, [], "")
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(got) == len(want) > 256  # more than one batch
    key = lambda m: (m["file"], m["interaction"])  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)


def test_message_writes_the_streams_before_a_fault(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    names = ["a.sse", "b.sse", "c.sse", "d.sse"]
    for name, sample in zip(names, ["anthropic-0.sse", "gemini-0.sse", None, "anthropic-1.sse"], strict=True):
        content = (SAMPLES / sample).read_bytes() if sample else b'data: {"choices":[]}\n\ndata: {oops\n\n'
        (tmp_path / name).write_bytes(content)
    code, lines, err = run(capsys, "message", "--family", "auto", str(tmp_path))
    assert (code, [line["file"] for line in lines]) == (1, [str(tmp_path / "a.sse"), str(tmp_path / "b.sse")])
    parser = streamdelta.StreamParser()
    with pytest.raises(streamdelta.StreamParseError) as caught:
        parser.feed((tmp_path / "c.sse").read_bytes())
    assert err == f"streamdelta: {tmp_path / 'c.sse'}: {caught.value}\n"


def test_message_of_the_corpus_to_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The Parquet file holds, row for row, what the JSON lines of the same streams hold."""
    pq = pytest.importorskip("pyarrow.parquet")
    from streamdelta import cassettes

    # The cassettes with a stream (a file without one is an error, as for `events`).
    files = sorted({str(path) for path, _, item in cassettes.iter_corpus(require_corpus()) if item.is_streaming})
    jsonl, parquet = tmp_path / "out.jsonl", tmp_path / "out.parquet"
    args = ["message", "--on-error", "emit", *files]
    assert run(capsys, *args, "-o", str(jsonl)) == (0, [], "")
    code, lines, err = run(capsys, *args, "--format", "parquet", "--progress", "-o", str(parquet))
    assert (code, lines) == (0, [])
    assert err.startswith("\rfiles      [")
    assert err.endswith(f"] {len(files)}/{len(files)}\n")
    want = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    got = pq.read_table(parquet).to_pylist()
    assert len(got) == len(want) > 256  # more than one batch
    for row, message in zip(got, want, strict=True):
        assert row["source"] == f"{message['file']}#{message['interaction']}"
        assert (row["text"], row["id"], row["finish_reason"]) == (
            message["text"],
            message["id"],
            message["finish_reason"],
        )
        usage = message["usage"] or {}
        assert (row["output_tokens"], row["cost"]) == (usage.get("output_tokens"), usage.get("cost"))
        assert [t["arguments"] for t in row["tool_calls"]] == [t["arguments"] for t in message["tool_calls"]]


def test_parquet_stops_at_a_fault_and_needs_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    for name, sample in zip(["a.sse", "b.sse", "c.sse"], ["anthropic-0.sse", None, "gemini-0.sse"], strict=True):
        (tmp_path / name).write_bytes((SAMPLES / sample).read_bytes() if sample else b"hello\n")
    out = tmp_path / "out.parquet"
    code, _, err = run(capsys, "message", "--format", "parquet", "-o", str(out), str(tmp_path))
    assert (code, err) == (
        1,
        f"streamdelta: {tmp_path / 'b.sse'}: not a response stream (the stream ended before any payload)\n",
    )
    assert pq.read_table(out).column("source").to_pylist() == [str(tmp_path / "a.sse")]
    code, _, err = run(capsys, "message", "--format", "parquet", str(tmp_path / "a.sse"))
    assert (code, err) == (1, "streamdelta: --format parquet writes a file: name it with -o FILE\n")


@pytest.mark.parametrize("target", ["openai-chat", "anthropic", "openai-responses", "gemini"])
def test_translate_writes_what_the_translator_makes(tmp_path: Path, target: str) -> None:
    sample = SAMPLES / "anthropic-1.sse"
    out = tmp_path / "out.sse"
    assert main(["translate", "--to", target, str(sample), "-o", str(out)]) == 0
    translator = streamdelta.Translator(target)
    want = translator.feed(sample.read_bytes()) + translator.close()
    assert out.read_bytes() == want
    # What the target's own decoder reads back: the text of the original.
    assert "".join(e.text for e in streamdelta.parse(want, target) if e.type == "text_delta") == (
        translator.message.text
    )


def test_translate_to_standard_output_and_its_errors(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sample = SAMPLES / "openai-chat-1.sse"
    script = (
        f"import sys, streamdelta.cli; sys.exit(streamdelta.cli.main(['translate', '--to', 'gemini', {str(sample)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert done.stdout.startswith(b"data: {")
    assert main(["translate", "--to", "cohere", str(sample)]) == 1
    assert "unknown target 'cohere'" in capfd.readouterr().err
    bad = tmp_path / "bad.sse"
    bad.write_bytes(b"data: {nope\n\n")
    assert main(["translate", "--to", "anthropic", "--family", "openai-chat", str(bad)]) == 1
    assert "bad.sse: " in capfd.readouterr().err
