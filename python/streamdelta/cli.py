"""The ``streamdelta`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources

import streamdelta

from .errors import StreamParseError


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def cmd_sse(args: argparse.Namespace) -> int:
    """Print the raw server-sent events of a body as JSON lines."""
    dec = streamdelta.SSEDecoder(flush_at_eof=True)
    out = sys.stdout
    try:
        for event in [*dec.feed(_read(args.file)), *dec.close()]:
            out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    except StreamParseError as err:
        for event in err.events:
            out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        print(f"streamdelta: {args.file}: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Parse the bundled sample streams and summarize what came out."""
    samples = resources.files("streamdelta") / "samples"
    print(f"streamdelta {streamdelta.__version__} (backend: {streamdelta.BACKEND})")
    for item in sorted(samples.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".sse"):
            continue
        body = item.read_bytes()
        dec = streamdelta.SSEDecoder(flush_at_eof=True)
        events = [*dec.feed(body), *dec.close()]
        kinds = sorted({e.event for e in events})
        print(f"\n{item.name}: {len(body)} bytes, {len(events)} server-sent events ({', '.join(kinds)})")
        for event in events[: args.limit]:
            print(f"  {event.event:<28} {event.data[:90]}")
        if len(events) > args.limit:
            print(f"  ... {len(events) - args.limit} more")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="streamdelta", description=streamdelta.__doc__)
    parser.add_argument("--version", action="version", version=f"streamdelta {streamdelta.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sse", help="raw server-sent events of a body, as JSON lines")
    p.add_argument("file", help="a response body file, or - for standard input")
    p.set_defaults(run=cmd_sse)
    p = sub.add_parser("demo", help="parse the bundled sample streams")
    p.add_argument("--limit", type=int, default=6, help="events to show per sample")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except OSError as err:
        print(f"streamdelta: {err}", file=sys.stderr)
        return 1
