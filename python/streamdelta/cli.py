"""The ``streamdelta`` command line: ``events``, ``message``, ``sse``, ``bench`` and ``demo``.

Input is a response body (raw SSE or AWS event-stream bytes), a go-vcr / vcrpy cassette, or ``-``
for standard input, which is read incrementally so that ``curl -N … | streamdelta events -`` prints
events as they arrive. Output is JSON lines, for ``jq``. Bad input: a message on stderr naming the
byte offset, exit status 1; the lines already written stay valid JSON lines.
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
from typing import Any, TextIO

import streamdelta

from .errors import StreamParseError

_CHUNK = 64 * 1024
_CASSETTE_SUFFIXES = (".yaml", ".yml")
_BODY_SUFFIXES = (".sse", ".eventstream", ".ndjson", ".json")


class CliError(Exception):
    """A user-facing error: printed as ``streamdelta: <message>``, exit status 1."""


def _family(name: str) -> str:
    if name != "auto" and name not in streamdelta.FAMILIES:
        raise CliError(f"unknown family {name!r}; expected auto, {', '.join(streamdelta.FAMILIES)}")
    return name


def _is_cassette(path: str) -> bool:
    return path != "-" and path.endswith(_CASSETTE_SUFFIXES)


def _bodies(path: str, interaction: int | None) -> Iterator[tuple[int | None, Iterator[bytes]]]:
    """(interaction index or None, chunks) for each stream the input holds."""
    if path == "-":
        stdin = sys.stdin.buffer

        def read_stdin() -> Iterator[bytes]:
            read = getattr(stdin, "read1", stdin.read)
            while chunk := read(_CHUNK):
                yield chunk

        yield None, read_stdin()
        return
    if not os.path.exists(path):
        raise CliError(f"{path}: no such file")
    if _is_cassette(path):
        from . import cassettes

        try:
            items = cassettes.load(path)
        except (ValueError, OSError) as err:
            raise CliError(f"{path}: {err}") from None
        streams = [(n, item) for n, item in enumerate(items) if item.is_streaming]
        if interaction is not None:
            streams = [(n, item) for n, item in streams if n == interaction]
            if not streams:
                raise CliError(f"{path}: no streaming interaction #{interaction}")
        for n, item in streams:
            yield n, iter([item.body])
        return
    with open(path, "rb") as f:
        body = f.read()
    yield None, iter([body])


def _write(out: TextIO, obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _tag(obj: dict[str, Any], interaction: int | None) -> dict[str, Any]:
    return obj if interaction is None else {"interaction": interaction, **obj}


def _emit_lines(args: argparse.Namespace, make: Callable[[], Any]) -> int:
    """Runs each input stream through a fresh ``make()`` (a parser or decoder), printing JSON lines
    as each chunk is read; on a fault, the events before it are printed, then the error."""
    out = sys.stdout
    for n, chunks in _bodies(args.file, args.interaction):
        consumer = make()
        try:
            for chunk in chunks:
                for event in consumer.feed(chunk):
                    _write(out, _tag(event.to_dict(), n))
                out.flush()
            for event in consumer.close():
                _write(out, _tag(event.to_dict(), n))
        except StreamParseError as err:
            for event in err.events:
                _write(out, _tag(event.to_dict(), n))
            raise CliError(f"{args.file}: {err}") from None
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    """Normalized events as JSON lines."""
    family = _family(args.family)
    return _emit_lines(args, lambda: streamdelta.StreamParser(family, on_error=args.on_error))


def cmd_message(args: argparse.Namespace) -> int:
    """The assembled final message as JSON."""
    family = _family(args.family)
    for n, chunks in _bodies(args.file, args.interaction):
        parser = streamdelta.StreamParser(family, on_error=args.on_error)
        try:
            for chunk in chunks:
                parser.feed(chunk)
            parser.close()
        except StreamParseError as err:
            raise CliError(f"{args.file}: {err}") from None
        print(json.dumps(_tag(parser.message.to_dict(), n), ensure_ascii=False))
    return 0


def cmd_sse(args: argparse.Namespace) -> int:
    """The raw server-sent events as JSON lines."""
    return _emit_lines(args, lambda: streamdelta.SSEDecoder(flush_at_eof=True))


def _corpus(paths: Sequence[str]) -> list[tuple[str, bytes]]:
    from . import cassettes

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
                for n, item in enumerate(cassettes.load(f)):
                    if item.is_streaming:
                        found.append((f"{f}#{n}", item.body))
            elif p.is_file() or f.suffix in _BODY_SUFFIXES:
                found.append((str(f), f.read_bytes()))
    if not found:
        raise CliError("no streaming bodies found in " + ", ".join(paths))
    return found


def _progress(done: int, total: int, label: str) -> None:
    if not sys.stderr.isatty():
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
                    _progress(i, len(bodies), label)
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
    p.add_argument("file", help="a response body, a go-vcr/vcrpy cassette (.yaml), or - for standard input")
    p.add_argument("--interaction", type=int, help="only this interaction of a cassette (0-based)")


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
    p = sub.add_parser("message", help="the assembled final message, as JSON", description=cmd_message.__doc__)
    _add_input(p)
    _add_family(p)
    p.set_defaults(run=cmd_message)
    p = sub.add_parser("sse", help="raw server-sent events, as JSON lines", description=cmd_sse.__doc__)
    _add_input(p)
    p.set_defaults(run=cmd_sse)
    p = sub.add_parser("bench", help="backends side by side on a corpus", description=cmd_bench.__doc__)
    p.add_argument("paths", nargs="*", help="cassettes, bodies or directories (default: the bundled samples)")
    p.add_argument("--repeat", type=int, default=3, help="runs per backend; the best is reported")
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
        print(f"streamdelta: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `streamdelta events big.sse | head`: the reader left; not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"streamdelta: {err}", file=sys.stderr)
        return 1
