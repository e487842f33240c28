"""Both backends on JSON text that `json.dumps` never writes (`tests/raw_json.py`): duplicate keys,
`-0`, `1E+2`, long digit strings, escaped keys, whitespace. Same events and same errors: both read a
repeated key as its last value and `-0` as the integer 0, as Python's `json` does (the README's
bad-input table)."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from . import raw_json
from .conftest import family_bodies, require_corpus
from .independent import sse_data
from .test_robustness import FAMILY_ARGS, SSE_FAMILIES, WIRE_KEYS, WIRE_TYPES, check_end, same_on_both

SAME = raw_json.KINDS
# Escaped payloads are long: hypothesis warns when it writes one out for a report.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
# The shortest bodies of each SSE family, respelled whole (Bedrock's frames are not text: left out).
BODIES = [(f, body) for f in SSE_FAMILIES for _, body in sorted(family_bodies(f), key=lambda nb: len(nb[1]))[:4]]


@pytest.mark.parametrize(
    ("kind", "value", "seen"),
    [
        ("numbers", {"n": 100}, lambda t: "1E+2" in t or "1e2" in t),
        ("minus_zero", [0], lambda t: t == "[-0]"),
        ("escapes", {"type": "x"}, lambda t: "\\u0074" in t),
        ("whitespace", [1, 2], lambda t: "\n" in t),
        ("duplicates", {"a": 1}, lambda t: t.count('"a"') == 2),
    ],
)
def test_each_spelling_comes_up(kind: str, value: object, seen: Callable[[str], bool]) -> None:
    """The strategy writes each oddity it is asked for, and none it is not."""
    assert seen(find(raw_json.respelled(value, frozenset({kind})), seen))
    others = raw_json.KINDS - {kind}
    with pytest.raises(NoSuchExample):
        find(raw_json.respelled(value, others), seen, settings=settings(max_examples=200, database=None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads=st.lists(raw_json.objects(WIRE_KEYS, WIRE_TYPES, SAME), min_size=1, max_size=4))
@pytest.mark.parametrize("family", FAMILY_ARGS)
def test_raw_payloads_same_on_both(family: str, payloads: list[str]) -> None:
    body = "".join(f"data: {p}\n\n" for p in payloads).encode()
    check_end(same_on_both([body], family, on_error="emit"))


@pytest.mark.parametrize(
    ("family", "payloads"),
    [
        # serde reads a number in any field it reads (to name it in its error, or to skip it in a
        # `str`): one beyond a double's range there is "not valid JSON", not the wrong shape.
        ("auto", ['{"type":null}', '{"i\\u0064":null,"candidates":1e400}']),
        # Ollama's `error` is a string field: another JSON type reads as absent (tolerant reader).
        ("ollama", ['{"error":[]}']),
        # The core reads a chunk's `error` whole (serde's untagged enum), every number in it included.
        ("openai-completions", ['{"type":[],"error":{"id":1e400}}']),
        ("openai-chat", ['{"id":"x"}', '{"error":{"code":1e400}}']),
        ("ollama", ['{"model":1e400}']),
        # A repeated key whose last value is beyond a double's range: "not valid JSON" too.
        ("anthropic", ['{"type":null,"type":null,"id":null,"type":1e400}']),
        # ... and one whose earlier value is beyond it while the last is not: serde reads every value.
        ("anthropic", ['{"id"\t:\t{}}', '{"type":1e400,"type":1e400,"type":null}']),
        # A repeated `type` in a first payload of another family: the wrong-family fault in both.
        ("openai-completions", ['{"type":"message_start","type":"message_start"}']),
    ],
)
def test_found_divergences_same_on_both(family: str, payloads: list[str]) -> None:
    """Inputs `test_raw_payloads_same_on_both` found the backends disagreeing on."""
    check_end(same_on_both([body(family, *payloads)], family, on_error="emit"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_corpus_payloads_respelled_same_on_both(data: st.DataObject) -> None:
    require_corpus()
    family, body = data.draw(st.sampled_from(BODIES), label="body")
    out = []
    for payload in sse_data(body):
        text = data.draw(raw_json.respelled(json.loads(payload), SAME)) if payload.startswith("{") else payload
        out.append(f"data: {text}\n\n")
    check_end(same_on_both(["".join(out).encode()], family, on_error="emit"))


def body(family: str, *payloads: str) -> bytes:
    return "".join(f"data: {p}\n\n" for p in payloads).encode()


CHAT = '{"id":"x","model":"m","choices":[{"index":%s,"delta":{"content":"a"%s}}]%s}'
ANTHROPIC_START = '{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":%s}}}'
BLOCK_START = '{"type":"content_block_start","index":%s,"content_block":{"type":"text","text":""}}'
KNOWN = {
    "chat -0 index": ("openai-chat", CHAT % ("-0", "", "")),
    "chat -0 usage": ("openai-chat", CHAT % ("0", "", ',"usage":{"prompt_tokens":-0,"completion_tokens":1}')),
    "anthropic -0 usage": ("anthropic", ANTHROPIC_START % "-0"),
    "anthropic -0 index": ("anthropic", ANTHROPIC_START % "1" + "\n\ndata: " + BLOCK_START % "-0"),
    "chat repeated choices": ("openai-chat", CHAT.replace('"choices"', '"choices":null,"choices"', 1) % ("0", "", "")),
    "chat repeated content": ("openai-chat", CHAT % ("0", ',"content":"b"', "")),
}


@pytest.mark.parametrize(("family", "payload"), KNOWN.values(), ids=KNOWN.keys())
def test_minus_zero_and_repeated_keys_same_on_both(family: str, payload: str) -> None:
    """The spellings serde's derived structs refuse where the core reads the field (issue 17)."""
    same_on_both([body(family, payload, "[DONE]" if family == "openai-chat" else "{}")], family, on_error="emit")


@pytest.mark.parametrize(
    ("payload", "same_as"),
    [
        (CHAT % ("-0", "", ""), CHAT % ("0", "", "")),
        (CHAT % ("0", ',"content":"b"', ""), CHAT.replace('"a"', '"b"') % ("0", "", "")),
        (CHAT.replace('"choices"', '"choices":null,"choices"', 1) % ("0", "", ""), CHAT % ("0", "", "")),
        (
            CHAT % ("0", "", ',"usage":{"prompt_tokens":-0,"prompt_tokens":2}'),
            CHAT % ("0", "", ',"usage":{"prompt_tokens":2}'),
        ),
    ],
    ids=["-0 index", "repeated content", "repeated choices", "repeated usage field"],
)
def test_minus_zero_is_zero_and_the_last_key_wins(backend: ModuleType, payload: str, same_as: str) -> None:
    """Read as `json.loads` reads them: the events of the plain spelling (not merely equal on both)."""
    got, want = (modeled(backend.parse(body("openai-chat", p, "[DONE]"), "openai-chat")) for p in (payload, same_as))
    assert got == want
    assert "error" not in [e["type"] for e in got]


def modeled(events: list[Any]) -> list[dict[str, Any]]:
    """The events as dicts without the raw text kept as sent (`provider_metadata_json`)."""
    return [{k: v for k, v in e.to_dict().items() if k != "provider_metadata_json"} for e in events]


@pytest.mark.parametrize("spelling", ["-0.0", "0.0", "1E+2"])
def test_a_float_in_an_integer_field_is_passed_over(backend: ModuleType, spelling: str) -> None:
    """`-0` is the one float-looking integer: `json.loads` gives a float for these, a number of another
    kind in an integer field, which the tolerant reader passes over (tests/test_tolerant_types.py):
    the choice's `index` reads as absent, the choice is the first as when it is not sent."""
    got = backend.parse(body("openai-chat", CHAT % (spelling, "", ""), "[DONE]"), "openai-chat")
    absent = CHAT.replace('"index":%s,', "") % ("", "")
    assert modeled(got) == modeled(backend.parse(body("openai-chat", absent, "[DONE]"), "openai-chat"))


@pytest.mark.parametrize(
    ("family", "payload"),
    [
        ("openai-chat", CHAT % ("0e0", "", ',"created":1E+0,"usage":{"prompt_tokens":1E+2}')),
        ("openai-chat", CHAT.replace('"model"', '"obfuscation":"a","obfuscation":"b","model"') % ("0", "", "")),
        ("openai-chat", CHAT % ("0", "", ',"x":' + "1" * 40)),
        ("anthropic", ANTHROPIC_START % "7E+2"),
    ],
    ids=["exponents", "repeated key nobody reads", "long digits nobody reads", "anthropic exponent"],
)
def test_raw_spellings_the_backends_agree_on(family: str, payload: str) -> None:
    same_on_both([body(family, payload, "[DONE]" if family == "openai-chat" else "{}")], family, on_error="emit")


@pytest.mark.parametrize(
    ("spelling", "where"),
    [("-0", "usage"), ("-0.0", "usage"), ('"-0"', "usage"), ("-0e0", "usage"), ("-0", "gateway"), ("0", "usage")],
)
def test_a_cost_of_zero_is_positive_zero(spelling: str, where: str) -> None:
    """serde_json reads `-0` as -0.0 and Python's `json` as the integer 0: equal as floats, but their
    `repr` and `to_dict()` differ. A cost of zero is 0.0 whatever its sign, on both backends."""
    cost = f',"cost":{spelling}' if where == "usage" else ""
    # Vercel's gateway sends its cost on a delta's `provider_metadata`.
    delta = f'"provider_metadata":{{"gateway":{{"cost":{spelling}}}}}' if where == "gateway" else ""
    usage = f'"usage":{{"prompt_tokens":1,"completion_tokens":1{cost}}}'
    finish = f'{{"id":"x","model":"m","choices":[{{"index":0,"delta":{{{delta}}},"finish_reason":"stop"}}],{usage}}}'
    items = same_on_both([body("openai-chat", CHAT % ("0", "", ""), finish, "[DONE]")], "openai-chat")
    (usage,) = [i["usage"] for i in items if isinstance(i, dict) and i["type"] == "finish"]
    assert repr(usage["cost"]) == "0.0"
    assert json.dumps(usage["cost"]) == "0.0"
