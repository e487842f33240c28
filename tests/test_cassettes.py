"""Compressed cassette bodies: vcrpy keeps a response body as the server sent it, so cassettes recorded
against Gemini (simonw/llm-gemini's, for one) hold it gzip-encoded under ``Content-Encoding: gzip``;
``cassettes.load`` decompresses it so that it parses.

The fixture ``fixtures/llm-gemini/test_prompt.yaml`` is such a cassette as recorded (licence in its
NOTICE). The public corpus holds the decompressed bodies of the llm-gemini cassettes of a later
commit with their sha256 in ``manifest.jsonl``: compressed back into cassettes of both formats, they
must load as exactly those bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from streamdelta import cassettes

from .conftest import PUBLIC, require_public_corpus
from .invariants import dicts

FIXTURE = Path(__file__).parent / "fixtures" / "llm-gemini" / "test_prompt.yaml"


def gemini_text(body: bytes) -> str:
    """The answer's text read with ``json`` alone (Gemini's API reference: ``candidates[].content.parts[].text``)."""
    chunks = json.loads(body)
    return "".join(
        part.get("text", "")
        for chunk in chunks
        for candidate in chunk.get("candidates", [])
        for part in candidate.get("content", {}).get("parts", [])
        if not part.get("thought")
    )


def test_the_fixture_is_recorded_gzip_encoded() -> None:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["interactions"][0]["response"]
    assert raw["headers"]["Content-Encoding"] == ["gzip"]
    assert raw["body"]["string"][:2] == b"\x1f\x8b"


def test_gzip_body_of_a_real_cassette_parses(backend: ModuleType) -> None:
    [item] = cassettes.load(FIXTURE)
    assert item.is_json_stream
    assert item.is_streaming
    assert item.headers["Content-Encoding"] == ["gzip"]  # headers stay as recorded
    assert item.body.startswith(b"[{")
    events = dicts(backend.parse(item.body, "gemini"))
    text = "".join(e["text"] for e in events if e["type"] == "text_delta")
    assert text == gemini_text(item.body) == "Percy\n"
    assert events[-1]["type"] == "finish"
    assert events[-1]["reason"] == "stop"


def vcrpy_cassette(body: bytes, encoding: str) -> dict[str, Any]:
    return {
        "interactions": [
            {
                "request": {"method": "POST", "uri": "https://x/v1beta/models/m:streamGenerateContent", "body": None},
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"Content-Encoding": [encoding], "Content-Type": ["application/json; charset=UTF-8"]},
                    "body": {"string": body},
                },
            }
        ],
        "version": 1,
    }


def go_vcr_cassette(body: bytes, encoding: str) -> dict[str, Any]:
    return {
        "version": 2,
        "interactions": [
            {
                "request": {"method": "POST", "url": "https://x/v1beta/models/m:streamGenerateContent", "body": ""},
                "response": {
                    "code": 200,
                    "headers": {"content-encoding": [encoding], "content-type": ["application/json"]},
                    "body": body,
                },
            }
        ],
    }


def llm_gemini_entries() -> list[dict[str, Any]]:
    manifest = PUBLIC / "manifest.jsonl"
    if not manifest.is_file():
        return []
    entries = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    return [e for e in entries if e["source_repo"] == "simonw/llm-gemini" and e["stored_as"].endswith("gzip")]


@pytest.mark.parametrize("fmt", ["vcrpy", "go-vcr"])
def test_public_gzip_bodies_load_as_recorded(tmp_path: Path, fmt: str) -> None:
    require_public_corpus()
    entries = llm_gemini_entries()
    assert len(entries) >= 10, "the public corpus's llm-gemini bodies"
    build = vcrpy_cassette if fmt == "vcrpy" else go_vcr_cassette
    for n, entry in enumerate(entries):
        body = (PUBLIC / entry["path"]).read_bytes()
        path = tmp_path / f"{n}.yaml"
        path.write_text(yaml.safe_dump(build(gzip.compress(body), "gzip")), encoding="utf-8")
        [item] = cassettes.load(path)
        assert hashlib.sha256(item.body).hexdigest() == entry["sha256"], entry["path"]


def write(tmp_path: Path, cassette: dict[str, Any]) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cassette), encoding="utf-8")
    return path


def test_deflate_and_codings_in_order(tmp_path: Path) -> None:
    body = b'[{"candidates": []}]'
    [item] = cassettes.load(write(tmp_path, vcrpy_cassette(zlib.compress(body), "deflate")))
    assert item.body == body
    twice = gzip.compress(zlib.compress(body))
    [item] = cassettes.load(write(tmp_path, vcrpy_cassette(twice, "deflate, gzip")))
    assert item.body == body


def test_a_body_the_recorder_decoded_already_is_kept(tmp_path: Path) -> None:
    """go-vcr records what Go's client read, which it decompressed itself; the header may remain."""
    body = b'[{"candidates": []}]'
    [item] = cassettes.load(write(tmp_path, go_vcr_cassette(body, "gzip")))
    assert item.body == body
    [item] = cassettes.load(write(tmp_path, vcrpy_cassette(body, "br")))
    assert item.body == body


def test_a_corrupt_gzip_body_names_the_interaction(tmp_path: Path) -> None:
    cut = gzip.compress(b'[{"candidates": []}]' * 50)[:30]
    with pytest.raises(cassettes.CassetteError, match=r"interaction #0: the gzip body does not decompress"):
        cassettes.load(write(tmp_path, vcrpy_cassette(cut, "gzip")))
