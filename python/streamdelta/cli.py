"""The ``streamdelta`` command line: ``events``, ``message``, ``sse``, ``translate``, ``bench`` and ``demo``.

Input is response bodies (raw SSE or AWS event-stream bytes), go-vcr / vcrpy cassettes, directories
of them, or ``-`` for standard input, which is read incrementally so that
``curl -N … | streamdelta events -`` prints events as they arrive. Output is JSON lines, for ``jq``.
Bad input: one line on stderr naming the file and what is wrong (the byte offset of a fault), exit
status 1; the lines already written stay valid JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO, cast

import streamdelta

from ._types import Family, OnError
from .errors import StreamParseError

_CHUNK = 64 * 1024
_CASSETTE_SUFFIXES = (".yaml", ".yml")
_BODY_SUFFIXES = (".sse", ".eventstream", ".ndjson", ".json")


class CliError(Exception):
    """A user-facing error: printed as ``streamdelta: <message>``, exit status 1."""


def _family(name: str) -> Family:
    if name != "auto" and name not in streamdelta.FAMILIES:
        raise CliError(f"unknown family {name!r}; expected auto, {', '.join(streamdelta.FAMILIES)}")
    return cast("Family", name)


def _is_cassette(path: str) -> bool:
    return path != "-" and path.endswith(_CASSETTE_SUFFIXES)


def _os_problem(path: str, err: OSError) -> CliError:
    reason = err.strerror or str(err)
    return CliError(f"{path}: {reason[:1].lower()}{reason[1:]}")


def _load_cassette(path: str | Path) -> list[Any]:
    from . import cassettes

    try:
        return cassettes.load(path)
    except cassettes.CassetteError as err:
        raise CliError(str(err)) from None  # it names the file
    except ImportError as err:
        raise CliError(f"{path}: {err}") from None
    except OSError as err:
        raise _os_problem(str(path), err) from None


class _Input:
    """One stream the input holds: where it is (for messages), its chunks, and how much was read;
    ``tag``, what its output lines carry to tell them from other streams' (file, interaction)."""

    def __init__(self, where: str, tag: dict[str, Any], chunks: Iterator[bytes]) -> None:
        self.where = where
        self.tag = tag
        self._chunks = chunks
        self.size = 0
        self.first_byte = b""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if not self.size:
                self.first_byte = chunk[:1]
            self.size += len(chunk)
            yield chunk


def _expand(paths: Sequence[str]) -> list[str]:
    """The files named, with each directory replaced by the cassettes and bodies under it (sorted)."""
    out: list[str] = []
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            out.append(path)
            continue
        found = [
            str(f)
            for f in sorted(Path(path).rglob("*"))
            if f.suffix in (*_CASSETTE_SUFFIXES, *_BODY_SUFFIXES) and f.is_file()
        ]
        if not found:
            raise CliError(
                f"{path}: no cassettes (.yaml) or response bodies (.sse, .eventstream, .ndjson, .json) in it"
            )
        out += found
    return out


def _sources(args: argparse.Namespace) -> Iterator[_Input]:
    """Each stream of every file the arguments name, directories read through; with ``--progress`` a
    bar on standard error counts the files (the bar is drawn as the files are read: with
    ``message``, a batch is parsed once read, so it shows the parsing's progress too).
    Output from more than one file names its file."""
    files = _expand(args.files)
    many = len(files) > 1
    # Also without --progress when the output goes to a file and standard error is a terminal.
    progress = args.progress or (getattr(args, "output", None) not in (None, "-") and sys.stderr.isatty())
    for done, path in enumerate(files):
        if progress:
            _progress(done, len(files), "files", force=True)
        for source in _inputs(path, args.interaction):
            if many:
                source.tag = {"file": path, **source.tag}
            yield source
    if progress:
        _progress(len(files), len(files), "files", force=True)


def _inputs(path: str, interaction: int | None) -> Iterator[_Input]:
    """Each stream the file holds."""
    if interaction is not None and not _is_cassette(path):
        raise CliError(f"--interaction applies to a cassette (.yaml), not to {path}")
    if path == "-":
        stdin = sys.stdin.buffer

        def read_stdin() -> Iterator[bytes]:
            read = getattr(stdin, "read1", stdin.read)
            while chunk := read(_CHUNK):
                yield chunk

        yield _Input("standard input", {}, read_stdin())
        return
    if not os.path.exists(path):
        raise CliError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CliError(f"{path}: is a directory")
    if _is_cassette(path):
        items = _load_cassette(path)
        streams = [(n, item) for n, item in enumerate(items) if item.is_streaming]
        if not streams:
            raise CliError(f"{path}: none of its {len(items)} interactions is a stream")
        if interaction is not None:
            streams = [(n, item) for n, item in streams if n == interaction]
            if not streams:
                raise CliError(f"{path}: no streaming interaction #{interaction}")
        for n, item in streams:
            yield _Input(f"{path}#{n}", {"interaction": n}, iter([item.body]))
        return
    try:
        with open(path, "rb") as f:
            body = f.read()
    except OSError as err:
        raise _os_problem(path, err) from None
    yield _Input(path, {}, iter([body]))


def _write(out: TextIO, obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _tag(obj: dict[str, Any], source: _Input) -> dict[str, Any]:
    return {**source.tag, **obj} if source.tag else obj


def _is_filler(event: Any) -> bool:
    """What a parser reports at the end of a stream that held nothing: the cut, and the finish."""
    kind = getattr(event, "type", None)
    return (kind == "error" and event.kind == "incomplete_stream") or (kind == "finish" and event.reason == "error")


def _run(
    source: _Input, consumer: Any, emit: Callable[[Any], None], nothing: Callable[[_Input, list[Any]], str]
) -> None:
    """Feeds ``source`` to ``consumer`` (a parser or a decoder), handing each event to ``emit`` as it
    comes (standard output is flushed after each chunk's); on a fault, the events before it, then the
    error. Empty input, and input of which nothing but the report of an empty stream comes out
    (``nothing`` says what it is), are errors too."""
    emitted = False
    try:
        for chunk in source:
            events = consumer.feed(chunk)
            for event in events:
                emit(event)
            if events:
                emitted = True
                sys.stdout.flush()
        if not source.size:
            raise CliError(f"{source.where}: empty input")
        events = consumer.close()
    except StreamParseError as err:
        for event in err.events:
            emit(event)
        raise CliError(f"{source.where}: {err}") from None
    if not emitted and all(_is_filler(e) for e in events):
        raise CliError(f"{source.where}: {nothing(source, events)}")
    for event in events:
        emit(event)


def _not_a_stream(_source: _Input, events: list[Any]) -> str:
    reasons = [e.message for e in events if getattr(e, "type", None) == "error"]
    return "not a response stream" + (f" ({reasons[0]})" if reasons else "")


def _no_sse(source: _Input, _events: list[Any]) -> str:
    if source.first_byte == b"\x00":
        return "no server-sent events (AWS event-stream framing: `streamdelta events` reads it)"
    return "no server-sent events"


def _print_events(
    args: argparse.Namespace, make: Callable[[], Any], nothing: Callable[[_Input, list[Any]], str]
) -> int:
    """Each input stream through a fresh ``make()`` (a parser or decoder), as JSON lines."""
    for source in _sources(args):

        def emit(event: Any, source: _Input = source) -> None:
            _write(sys.stdout, _tag(event.to_dict(), source))

        _run(source, make(), emit, nothing)
        sys.stdout.flush()
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    """Normalized events as JSON lines."""
    family = _family(args.family)
    return _print_events(args, lambda: streamdelta.StreamParser(family, on_error=args.on_error), _not_a_stream)


# Bodies parsed per `parse_many` call: enough to keep every core busy, few enough to bound memory.
_BATCH = 256


# What a message of a stream holds beside its errors; none of it in a message of no stream.
_CONTENT = ("id", "model", "text", "reasoning", "refusal", "tool_calls", "sources")


def _is_empty(row: dict[str, Any]) -> bool:
    """A message of nothing but the report of an empty stream (what `_is_filler` says of events)."""
    content = [row[name] for name in _CONTENT]
    return not any(content) and all(e["kind"] == "incomplete_stream" for e in row["errors"])


def _parse_batch(
    sources: list[_Input], family: Family, on_error: OnError, parse: Callable[..., Any]
) -> tuple[Any, int, CliError | None]:
    """``parse(bodies, family, on_error=...)`` of the sources (``parse_many``, or its Arrow form) up
    to the first source at fault (empty, unparsable with ``--on-error raise``, or not a stream): what
    it returned, how many of its rows to keep, and the fault, naming its source."""
    bodies = [b"".join(source) for source in sources]
    end, fault = len(sources), None
    empty = next((i for i, source in enumerate(sources) if not source.size), None)
    if empty is not None:
        end, fault = empty, CliError(f"{sources[empty].where}: empty input")
    try:
        parsed = parse(bodies[:end], family, on_error=on_error)
    except StreamParseError as err:
        end = err.index or 0
        fault = CliError(f"{sources[end].where}: {str(err).split(': ', 1)[1]}")
        parsed = parse(bodies[:end], family, on_error=on_error)
    rows = _rows(parsed)
    for index, (source, row) in enumerate(zip(sources, rows, strict=False)):  # rows stop at a fault
        if _is_empty(row):
            reasons = [e["message"] for e in row["errors"]]
            return (
                parsed,
                index,
                CliError(f"{source.where}: not a response stream" + (f" ({reasons[0]})" if reasons else "")),
            )
    return parsed, len(rows), fault


def _rows(parsed: Any) -> list[dict[str, Any]]:
    """The rows of ``parse_many``'s messages, or of a record batch (only the columns
    ``_is_empty`` reads)."""
    if isinstance(parsed, list):
        return [message.to_dict() for message in parsed]
    return parsed.select([*_CONTENT, "errors"]).to_pylist()  # type: ignore[no-any-return]


def cmd_message(args: argparse.Namespace) -> int:
    """The assembled final message of each stream, as JSON lines (or a Parquet file of the columns of
    ``streamdelta.arrow`` and a ``source`` column), the bodies parsed in batches on every core
    (``parse_many``)."""
    family = _family(args.family)
    if args.format == "parquet":
        return _message_parquet(args, family)
    out = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for batch in _batches(args):
            messages, end, fault = _parse_batch(batch, family, args.on_error, streamdelta.parse_many)
            for source, message in zip(batch[:end], messages, strict=False):
                _write(out, _tag(message.to_dict(), source))
            out.flush()
            if fault is not None:
                raise fault
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _batches(args: argparse.Namespace) -> Iterator[list[_Input]]:
    batch: list[_Input] = []
    for source in _sources(args):
        batch.append(source)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    yield batch


def _message_parquet(args: argparse.Namespace, family: Family) -> int:
    """``message --format parquet``: each batch's record batch, a ``source`` column first, written
    as it is parsed; a file only (Parquet is not written to a pipe)."""
    if args.output in (None, "-"):
        raise CliError("--format parquet writes a file: name it with -o FILE")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from . import arrow
    except ImportError:
        raise CliError("--format parquet needs pyarrow: pip install streamdelta[arrow]") from None
    schema = pa.schema([pa.field("source", pa.string(), nullable=False), *arrow.SCHEMA])
    with pq.ParquetWriter(args.output, schema) as writer:
        for batch in _batches(args):
            parsed, end, fault = _parse_batch(batch, family, args.on_error, arrow.record_batch)
            where = pa.array([source.where for source in batch[:end]], pa.string())
            writer.write_batch(pa.RecordBatch.from_arrays([where, *parsed.slice(0, end).columns], schema=schema))
            if fault is not None:
                raise fault
    return 0


def cmd_sse(args: argparse.Namespace) -> int:
    """The raw server-sent events as JSON lines."""
    return _print_events(args, lambda: streamdelta.SSEDecoder(flush_at_eof=True), _no_sse)


def cmd_translate(args: argparse.Namespace) -> int:
    """The stream translated into another family's wire format (``--to``), bytes as that provider
    would have sent them, written as they are made (``Translator``; what the target cannot carry is
    dropped by the rules of docs/encoding.md)."""
    family = _family(args.family)
    if args.to not in streamdelta.TARGETS:
        raise CliError(f"unknown target {args.to!r}; expected {', '.join(streamdelta.TARGETS)}")
    sources = list(_inputs(args.file, args.interaction))
    if len(sources) > 1:
        raise CliError(f"{args.file}: holds {len(sources)} streams; pick one with --interaction")
    (source,) = sources
    try:
        translator = streamdelta.Translator(args.to, family, framing=args.framing, on_error=args.on_error)
    except ValueError as err:
        raise CliError(str(err)) from None
    out = sys.stdout.buffer if args.output in (None, "-") else open(args.output, "wb")  # noqa: SIM115
    try:
        try:
            for chunk in source:
                out.write(translator.feed(chunk))
                out.flush()
            out.write(translator.close())
        except StreamParseError as err:
            raise CliError(f"{source.where}: {err}") from None
        if translator.message.errors and _is_empty(translator.message.to_dict()):
            raise CliError(f"{source.where}: {_not_a_stream(source, list(translator.message.errors))}")
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    return 0


def _corpus(paths: Sequence[str]) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise CliError(f"{path}: no such file or directory")
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if not f.is_file():
                continue
            if f.suffix in _CASSETTE_SUFFIXES:
                for n, item in enumerate(_load_cassette(f)):
                    if item.is_streaming:
                        found.append((f"{f}#{n}", item.body))
            elif p.is_file() or f.suffix in _BODY_SUFFIXES:
                try:
                    found.append((str(f), f.read_bytes()))
                except OSError as err:
                    raise _os_problem(str(f), err) from None
    if not found:
        raise CliError("no streaming bodies found in " + ", ".join(paths))
    return found


def _progress(done: int, total: int, label: str, force: bool = False) -> None:
    """A bar on standard error, drawn over itself; only on a terminal unless ``force`` (``--progress``)."""
    if not (force or sys.stderr.isatty()):
        return
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_bench(args: argparse.Namespace) -> int:
    """Both backends side by side on a corpus: MB/s, events/s and the ratio."""
    from . import reference

    paths = args.paths or [_default_corpus()]
    bodies = _corpus(paths)
    total_bytes = sum(len(b) for _, b in bodies)
    backends: list[tuple[str, Any]] = [("reference", reference)]
    if streamdelta.BACKEND == "rust":
        from . import _rust

        backends.insert(0, ("rust", _rust))
    rows = []
    for label, impl in backends:
        events = 0
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            events = 0
            for i, (_, body) in enumerate(bodies, 1):
                events += len(impl.parse(body, on_error="emit"))
                if i % 16 == 0 or i == len(bodies):
                    _progress(i, len(bodies), label, args.progress)
            best = min(best, time.perf_counter() - started)
        rows.append((label, best, events))
    fastest = min(seconds for _, seconds, _ in rows)
    print(f"{len(bodies)} streams, {total_bytes / 1e6:.2f} MB, best of {args.repeat}")
    print(f"{'backend':<10} {'MB/s':>10} {'events/s':>14} {'µs/event':>10} {'× slower':>9}")
    for label, seconds, events in rows:
        print(
            f"{label:<10} {total_bytes / seconds / 1e6:>10.1f} {events / seconds:>14,.0f} "
            f"{seconds / max(events, 1) * 1e6:>10.3f} {seconds / fastest:>9.1f}"
        )
    return 0


def _default_corpus() -> str:
    samples = resources.files("streamdelta") / "samples"
    return str(samples)


def _event_line(event: Any) -> str:
    fields = {k: v for k, v in event.to_dict().items() if k != "type"}
    return f"  {event.to_dict()['type']:<17} {json.dumps(fields, ensure_ascii=False)[:100]}"


def _message_lines(message: Any) -> list[str]:
    m = message.to_dict()
    lines = [f"  id={m['id']} model={m['model']} finish={m['finish_reason']} ({m['raw_finish_reason']})"]
    if m["reasoning"]:
        lines.append(f"  reasoning: {json.dumps(m['reasoning'][:100], ensure_ascii=False)}")
    if m["text"]:
        lines.append(f"  text: {json.dumps(m['text'][:100], ensure_ascii=False)}")
    for call in m["tool_calls"]:
        lines.append(f"  tool call {call['id']}: {call['name']}({call['arguments'][:80]})")
    if m["usage"] is not None:
        u = m["usage"]
        lines.append(
            f"  usage: {u['input_tokens']} in ({u['cache_read_tokens']} cached), "
            f"{u['output_tokens']} out ({u['reasoning_tokens']} reasoning), cost {u['cost']}"
        )
    lines.extend(f"  error [{e['kind']}]: {e['message'][:100]}" for e in m["errors"])
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    """Parse the bundled sample streams: the normalized events and the assembled message of each."""
    samples = resources.files("streamdelta") / "samples"
    print(f"streamdelta {streamdelta.__version__} (backend: {streamdelta.BACKEND})")
    for item in sorted(samples.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(_BODY_SUFFIXES):
            continue
        body = item.read_bytes()
        # Each sample is parsed on its own with auto-detection: a family that cannot parse it yet
        # costs that sample a one-line note, not the demo.
        parser = streamdelta.StreamParser("auto")
        try:
            events = [*parser.feed(body), *parser.close()]
        except StreamParseError as err:
            print(f"\n{item.name}: {len(body)} bytes, family {parser.family or 'unknown'}: not parsed ({err})")
            continue
        print(f"\n{item.name}: {len(body)} bytes, family {parser.family}, {len(events)} events")
        for event in events[: args.limit]:
            print(_event_line(event))
        if len(events) > args.limit:
            print(f"  ... {len(events) - args.limit - 1} more")
            print(_event_line(events[-1]))
        print(" message:")
        for line in _message_lines(parser.message):
            print(line)
    return 0


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="response bodies, go-vcr/vcrpy cassettes (.yaml), directories of them, or - for standard input; "
        'output lines from more than one file carry its name ("file")',
    )
    p.add_argument("--interaction", type=int, help="only this interaction of a cassette (0-based)")
    _add_progress(p)


def _add_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("--progress", action="store_true", help="a progress bar on standard error")


def _add_family(p: argparse.ArgumentParser) -> None:
    p.add_argument("--family", default="auto", help="auto (default), " + ", ".join(streamdelta.FAMILIES))
    p.add_argument(
        "--on-error", choices=("raise", "emit"), default="raise", help="emit: bad payloads become error events"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamdelta", description="Normalized events from LLM API streaming responses."
    )
    parser.add_argument("--version", action="version", version=f"streamdelta {streamdelta.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("events", help="normalized events, as JSON lines", description=cmd_events.__doc__)
    _add_input(p)
    _add_family(p)
    p.set_defaults(run=cmd_events)
    p = sub.add_parser("message", help="the assembled final message, as JSON lines", description=cmd_message.__doc__)
    _add_input(p)
    _add_family(p)
    p.add_argument(
        "--format",
        choices=("jsonl", "parquet"),
        default="jsonl",
        help="jsonl (one message per line) or parquet (one row per message; needs pyarrow and -o)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=cmd_message)
    p = sub.add_parser("sse", help="raw server-sent events, as JSON lines", description=cmd_sse.__doc__)
    _add_input(p)
    p.set_defaults(run=cmd_sse)
    p = sub.add_parser(
        "translate", help="the stream in another family's wire format", description=cmd_translate.__doc__
    )
    p.add_argument("file", metavar="FILE", help="a response body, a cassette (.yaml) or - for standard input")
    p.add_argument("--interaction", type=int, help="only this interaction of a cassette (0-based)")
    p.add_argument("--to", required=True, help=", ".join(streamdelta.TARGETS))
    p.add_argument(
        "--framing",
        choices=("auto", "sse", "json-array", "eventstream"),
        default="auto",
        help="auto: the family's own; json-array: Gemini without alt=sse",
    )
    _add_family(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=cmd_translate)
    p = sub.add_parser("bench", help="backends side by side on a corpus", description=cmd_bench.__doc__)
    p.add_argument("paths", nargs="*", help="cassettes, bodies or directories (default: the bundled samples)")
    p.add_argument("--repeat", type=int, default=3, help="runs per backend; the best is reported")
    _add_progress(p)
    p.set_defaults(run=cmd_bench)
    p = sub.add_parser("demo", help="parse the bundled sample streams", description=cmd_demo.__doc__)
    p.add_argument("--limit", type=int, default=12, help="events to show per sample")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CliError as err:
        sys.stdout.flush()
        # One line, whatever the message quotes from the input.
        print(f"streamdelta: {err}".replace("\r", "\\r").replace("\n", "\\n"), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `streamdelta events big.sse | head`: the reader left; not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as err:
        where = err.filename if isinstance(err.filename, str) else "input/output"
        print(f"streamdelta: {_os_problem(where, err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl-C: the lines already written stay whole; 128 + SIGINT, as shells report it.
        sys.stderr.write("\n")
        return 130
