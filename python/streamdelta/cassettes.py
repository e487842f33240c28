"""Loading recorded HTTP exchanges: go-vcr v2 and vcrpy YAML cassettes.

Response bodies come back as the bytes received: text bodies are encoded as UTF-8, and binary
ones (``!!binary``, e.g. AWS event-stream) are decoded from base64 by the YAML loader. A body
recorded compressed (``Content-Encoding: gzip`` or ``deflate``, as vcrpy keeps them unless told
otherwise) is decompressed, so that it parses; its headers stay as recorded.
Needs PyYAML (``pip install 'streamdelta[cassettes]'``), imported on the first ``load()``.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Iterator, Union

__all__ = ["CassetteError", "Interaction", "iter_corpus", "load"]

StrPath = Union[str, "os.PathLike[str]"]

MISSING_YAML = "reading cassettes needs PyYAML: pip install 'streamdelta[cassettes]'"


class CassetteError(ValueError):
    """A file that is not a cassette: ``str()`` names the file once, then what is wrong with it."""

    def __init__(self, path: StrPath, problem: str) -> None:
        super().__init__(f"{os.fspath(path)}: {problem}")
        self.path = os.fspath(path)
        self.problem = problem


@cache
def _yaml() -> tuple[Any, Any]:
    """PyYAML and its fastest safe loader; ``ImportError`` saying how to install it when missing."""
    try:
        import yaml
    except ImportError:
        raise ImportError(MISSING_YAML) from None
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # SafeLoader: PyYAML built without libyaml


def _parse(path: StrPath) -> Any:
    yaml, loader = _yaml()
    with open(path, "rb") as f:
        try:
            return yaml.load(f, Loader=loader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
            problem = getattr(err, "problem", None) or type(err).__name__
            raise CassetteError(path, f"not valid YAML: {problem}{where}") from None


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    method: str
    url: str
    request_body: bytes
    status: int
    content_type: str
    body: bytes
    headers: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def is_event_stream(self) -> bool:
        """The response is a ``text/event-stream`` (SSE) body."""
        return self.content_type.startswith("text/event-stream")

    @property
    def is_aws_event_stream(self) -> bool:
        """The response is AWS binary event-stream frames (Bedrock)."""
        return self.content_type.startswith("application/vnd.amazon.eventstream")

    @property
    def is_json_stream(self) -> bool:
        """The response is streamed JSON: NDJSON (Ollama), or the JSON array of Gemini's
        ``streamGenerateContent`` without ``alt=sse``."""
        if self.content_type.startswith(("application/x-ndjson", "application/jsonl")):
            return True
        path, _, query = self.url.partition("?")
        return (
            self.content_type.startswith("application/json")
            and path.endswith(":streamGenerateContent")
            and "alt=sse" not in query
        )

    @property
    def is_streaming(self) -> bool:
        return self.is_event_stream or self.is_aws_event_stream or self.is_json_stream


def _as_bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise ValueError(f"a body must be text or binary, got {type(value).__name__}")


def _headers(raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        items = values if isinstance(values, list) else [values]
        out[str(name)] = [str(v) for v in items]
    return out


def _content_type(headers: dict[str, list[str]]) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return ""


def _content_encodings(headers: dict[str, list[str]]) -> list[str]:
    """The codings of ``Content-Encoding``, in the order they were applied."""
    return [
        coding.strip().lower()
        for name, values in headers.items()
        if name.lower() == "content-encoding"
        for value in values
        for coding in value.split(",")
        if coding.strip()
    ]


def _decoded(body: bytes, headers: dict[str, list[str]]) -> bytes:
    """``body`` with its content codings undone (last applied, first undone). A coding whose magic
    bytes are missing is taken as already undone by the recorder (Go's client decompresses bodies
    but some recorders keep the header); one we do not know is left as it is."""
    for coding in reversed(_content_encodings(headers)):
        try:
            if coding in ("gzip", "x-gzip") and body.startswith(b"\x1f\x8b"):
                body = gzip.decompress(body)
            elif coding == "deflate" and body[:1] == b"\x78":
                body = zlib.decompress(body)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"the {coding} body does not decompress: {err}") from None
    return body


def _from_go_vcr(item: dict[str, Any]) -> Interaction:
    request = item.get("request") or {}
    response = item.get("response") or {}
    headers = _headers(response.get("headers"))
    code = response.get("code")
    if code is None:  # go-vcr v1 keeps only "200 OK"
        code = int(str(response.get("status", "0")).split(" ", 1)[0] or 0)
    return Interaction(
        method=str(request.get("method", "")),
        url=str(request.get("url", "")),
        request_body=_as_bytes(request.get("body")),
        status=int(code),
        content_type=_content_type(headers),
        body=_decoded(_as_bytes(response.get("body")), headers),
        headers=headers,
    )


def _from_vcrpy(item: dict[str, Any]) -> Interaction:
    request = item.get("request") or {}
    response = item.get("response") or {}
    headers = _headers(response.get("headers"))
    body = response.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    status = response.get("status")
    code = status.get("code", 0) if isinstance(status, dict) else status
    return Interaction(
        method=str(request.get("method", "")),
        url=str(request.get("uri", "")),
        request_body=_as_bytes(request.get("body")),
        status=int(code or 0),
        content_type=_content_type(headers),
        body=_decoded(_as_bytes(body), headers),
        headers=headers,
    )


def load(path: StrPath) -> list[Interaction]:
    """All interactions of a go-vcr (v1/v2) or vcrpy YAML cassette, in recorded order.

    Raises ``CassetteError`` (a ``ValueError``) for a file that is not one, ``OSError`` for one that
    cannot be read.
    """
    doc = _parse(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("interactions"), list):
        raise CassetteError(path, "not a cassette (no `interactions` list)")
    out = []
    for n, item in enumerate(doc["interactions"]):
        try:
            if not isinstance(item, dict):
                raise ValueError("not a mapping")
            request = item.get("request") or {}
            out.append(_from_vcrpy(item) if "uri" in request else _from_go_vcr(item))
        except (ValueError, TypeError, AttributeError) as err:
            raise CassetteError(path, f"interaction #{n}: {err}") from None
    return out


def iter_corpus(root: StrPath) -> Iterator[tuple[Path, int, Interaction]]:
    """Every interaction of every ``*.yaml`` / ``*.yml`` cassette under ``root``, sorted by path."""
    paths = sorted(p for p in Path(root).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in paths:
        for index, interaction in enumerate(load(path)):
            yield path, index, interaction
