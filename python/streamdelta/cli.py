"""The ``streamdelta`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any

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
        if not item.name.endswith(".sse"):
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="streamdelta", description=streamdelta.__doc__)
    parser.add_argument("--version", action="version", version=f"streamdelta {streamdelta.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sse", help="raw server-sent events of a body, as JSON lines")
    p.add_argument("file", help="a response body file, or - for standard input")
    p.set_defaults(run=cmd_sse)
    p = sub.add_parser("demo", help="parse the bundled sample streams")
    p.add_argument("--limit", type=int, default=12, help="events to show per sample")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except OSError as err:
        print(f"streamdelta: {err}", file=sys.stderr)
        return 1
