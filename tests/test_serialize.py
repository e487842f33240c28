"""Events, ``Message``, ``Usage`` and ``ServerSentEvent`` survive pickle, ``copy``, ``deepcopy`` and
``from_dict(to_dict())``, and ``streamdelta events`` / ``sse`` / ``message`` output reads back with
``read_jsonl`` into equal objects. Both backends; what is compared is what the parser made of the
bundled samples and of corpus bodies, plus one hand-made instance of every class."""

from __future__ import annotations

import copy
import io
import json
import pickle
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from streamdelta import cli

from .conftest import corpus_interactions, family_of

SAMPLES = sorted(
    (p for p in (resources.files("streamdelta") / "samples").iterdir() if p.name.endswith((".sse", ".eventstream"))),
    key=lambda p: p.name,
)


def bodies() -> list[bytes]:
    """The bundled samples and the first corpus body of each family."""
    out = [p.read_bytes() for p in SAMPLES]
    seen = set()
    for _, item in corpus_interactions():
        family = family_of(item)
        if family not in seen:
            seen.add(family)
            out.append(item.body)
    return out


def hand_made(b: ModuleType) -> list[Any]:
    """One instance of every class, every field set away from its default."""
    usage = b.Usage(1, 2, 3, 4, 5, 6, 0.25)
    call = b.ToolCall("c1", "get", '{"a": 1}', True, "custom_tool_call")
    source = b.Source("s1", "https://example.com", "Example")
    document = b.Source("s2", None, "Doc", "document", "application/pdf", "a.pdf", '{"start_page": 1}')
    error = b.ErrorEvent("overloaded", "provider", '{"error": 1}')
    result = b.ToolResult("srvtoolu_1", "web_search", '[{"url": "https://a"}]', True, False)
    file = b.File("img_1", "image/png", b"\x89PNG\r\n\x00\xff", True)
    parts = (
        b.Part("reasoning", "1", "hmm", "sig", True),
        b.Part("text", "0", "t"),
        b.Part("tool_call", "c1", "", None, False, call),
        b.Part("tool_result", "srvtoolu_1", value=result),
        b.Part("file", "img_1", value=file),
    )
    return [
        b.StreamStart("r1", "m", 1741569952),
        b.TextStart("0", 2),
        b.TextDelta("0", "Olá \N{SNOWMAN}"),
        b.TextEnd("0"),
        b.ReasoningStart("1", 1),
        b.ReasoningDelta("1", "hmm"),
        b.ReasoningEnd("1", "sig", True),
        b.RefusalStart("f", 1),
        b.RefusalDelta("f", "no"),
        b.RefusalEnd("f"),
        b.ToolInputStart("c1", "get", 1, True),
        b.ToolInputDelta("c1", '{"a"'),
        b.ToolInputEnd("c1"),
        call,
        b.ToolCall("c2", "f", "{}"),
        result,
        file,
        source,
        document,
        b.Raw('{"type": "ping"}'),
        *parts,
        b.Finish("tool_calls", "tool_use", usage, '{"x": [1]}'),
        error,
        b.Unknown("response.new_thing.delta", '{"type": "response.new_thing.delta", "delta": {"a": [1]}}'),
        usage,
        b.Message("r1", "m", "t", "r", ("sig",), (call,), (source,), "stop", "end_turn", usage, "{}", (error,)),
        b.Message(
            "r1",
            "m",
            "t",
            "r",
            ("sig",),
            (call,),
            (source, document),
            "stop",
            "end_turn",
            usage,
            "{}",
            (error,),
            1741569952,
            "no",
            (result,),
            (file,),
            parts,
            (b.Message(text="t"), b.Message(text="u")),
        ),
        b.Message(),
        b.ServerSentEvent("ping", "{}", "7", 15),
        b.ServerSentEvent(),
    ]


def made_by_parsing(b: ModuleType) -> Iterator[Any]:
    for body in bodies():
        parser = b.StreamParser(on_error="emit")
        yield from parser.feed(body)
        yield from parser.close()
        yield parser.message
        decoder = b.SSEDecoder(flush_at_eof=True)
        yield from decoder.feed(body)
        yield from decoder.close()


def everything(b: ModuleType) -> list[Any]:
    return [*hand_made(b), *made_by_parsing(b)]


def same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b and a.to_dict() == b.to_dict()


def test_every_class_is_covered(backend: ModuleType) -> None:
    kinds = {type(x).__name__ for x in hand_made(backend)}
    classes = {name for name in backend.__all__ if hasattr(getattr(backend, name), "to_dict")}
    assert classes - {"JsonDelta"} == kinds


def test_pickle_every_protocol(backend: ModuleType) -> None:
    for obj in hand_made(backend):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            assert same(pickle.loads(pickle.dumps(obj, protocol)), obj), (obj, protocol)


def test_pickle_copy_deepcopy_from_dict(backend: ModuleType) -> None:
    objects = everything(backend)
    assert len(objects) > 200
    for obj in objects:
        assert same(pickle.loads(pickle.dumps(obj)), obj), obj
        assert same(copy.copy(obj), obj), obj
        assert same(copy.deepcopy(obj), obj), obj
        # Through JSON text, as it would be stored: the dict is plain data.
        assert same(backend.from_dict(json.loads(json.dumps(obj.to_dict()))), obj), obj


def test_a_list_of_events_pickles_whole(backend: ModuleType) -> None:
    events = backend.parse(SAMPLES[0].read_bytes())
    assert pickle.loads(pickle.dumps(events)) == events


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_cli_output_reads_back(backend: ModuleType, sample: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(sample)
    body = sample.read_bytes()
    want = backend.parse(body)
    assert list(backend.read_jsonl(io.StringIO(run_cli(["events", path], capsys)))) == want
    parser = backend.StreamParser()
    parser.feed(body)
    parser.close()
    assert list(backend.read_jsonl(io.StringIO(run_cli(["message", path], capsys)))) == [parser.message]
    if not sample.name.endswith(".eventstream"):
        decoder = backend.SSEDecoder(flush_at_eof=True)
        sse = decoder.feed(body) + decoder.close()
        assert list(backend.read_jsonl(run_cli(["sse", path], capsys).splitlines())) == sse


def test_read_jsonl_from_a_path_drops_the_interaction_tag(backend: ModuleType, tmp_path: Path) -> None:
    events = backend.parse(SAMPLES[0].read_bytes())
    lines = [json.dumps({"interaction": 3, **e.to_dict()}) for e in events]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) + "\n", encoding="utf-8")
    assert list(backend.read_jsonl(path)) == events
    assert list(backend.read_jsonl(str(path))) == events


BAD = [
    ({"type": "nope"}, "unknown event type 'nope'"),
    ({"type": "text_delta", "id": "0"}, "not a text_delta event: fields id"),
    ({"type": "text_delta", "id": "0", "text": "a", "x": 1}, "not a text_delta event: unknown field(s) x"),
    ({"foo": 1}, "not the dict of an event, Message, Usage or ServerSentEvent: keys foo"),
    ({"type": "finish", "reason": "stop", "usage": {"input_tokens": 1}}, "not the dict of an event, Message, Usage"),
]


@pytest.mark.parametrize(("d", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_from_dict_refuses_what_no_class_makes(backend: ModuleType, d: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        backend.from_dict(d)


def test_read_jsonl_names_the_bad_line(backend: ModuleType) -> None:
    lines = ['{"type": "text_start", "id": "0"}', "{oops", '{"type": "text_end", "id": "0"}']
    got: list[Any] = []
    with pytest.raises(ValueError, match=r"^line 2: Expecting property name"):
        got.extend(backend.read_jsonl(lines))
    assert got == [backend.TextStart("0")]
    with pytest.raises(ValueError, match=r"^line 1: from_dict\(\) takes a dict, not list$"):
        list(backend.read_jsonl(["[1]"]))
