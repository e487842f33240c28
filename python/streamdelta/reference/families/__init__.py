"""Wire families: twin of ``rust/core/src/families/mod.rs``.

A family decoder sees one payload at a time (the SSE event type and its data) and raises
``PayloadError`` with the message of the fault; the parser adds where it happened.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Callable, Protocol

from ..error import invalid_json, unexpected_payload
from ..events import ErrorEvent, Finish, Source, Usage

if TYPE_CHECKING:
    from .parts import Parts

FAMILIES = (
    "openai-chat",
    "openai-responses",
    "anthropic",
    "gemini",
    "bedrock",
    "ollama",
    "openai-completions",
    "cohere",
)
INCOMPLETE_STREAM = "incomplete_stream"
PARSE_ERROR = "parse_error"


class PayloadError(Exception):
    """A payload the family cannot take; the text is the message of the core's ``ErrorKind``."""


class FamilyDecoder(Protocol):
    parts: Parts

    def payload(self, event: str, data: str, out: list[Any]) -> None: ...
    def end(self, out: list[Any]) -> None: ...


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def stdlib_loads(data: str) -> Any:
    """``data`` parsed by the json module, NaN and Infinity refused as serde does; no other check."""
    return json.loads(data, parse_constant=_reject_constant)


# The parser of every payload; `use_json_loads` swaps it (a module global, read on each call).
_loads: Callable[[str], Any] = stdlib_loads


def use_json_loads(loads: Callable[[str], Any] | None) -> None:
    """Parses payloads with ``loads`` (e.g. ``orjson.loads``) instead of the json module; ``None`` puts the
    json module back. ``loads`` must raise ``ValueError`` on bad JSON and reject NaN / Infinity, as
    orjson does. Raw JSON slices are still located with the json module's scanners, on the same text, so
    the events are the same (tested on every corpus body); orjson does refuse integers beyond 64 bits,
    which the json module reads, and numbers beyond a double's range in fields no family reads, which
    the core skips."""
    global _loads
    _loads = loads or stdlib_loads


def load_json(data: str) -> Any:
    """``data`` parsed by the current payload parser, its errors left as they are (``ValueError``).

    A ``\\u`` escape of an unpaired surrogate is refused wherever it sits, as the core does (I-JSON's
    rule): serde refuses one in every string it decodes, and ``json.loads`` would take one anywhere."""
    value = _loads(data)
    if "\\u" in data and has_lone_surrogate(data):
        raise ValueError("an unpaired surrogate escape")
    return value


def has_lone_surrogate(text: str) -> bool:
    """Whether valid JSON text has a ``\\u`` escape of a surrogate that is not half of a high–low pair."""
    pos = text.find("\\")
    while pos != -1:
        # In valid JSON a backslash always starts an escape, so escapes are read one after another.
        following = pos + 2
        if text[pos + 1 : pos + 2] == "u":
            following = pos + 6
            code = int(text[pos + 2 : pos + 6], 16)
            if 0xD800 <= code <= 0xDBFF:
                low = text[pos + 8 : pos + 12] if text[pos + 6 : pos + 8] == "\\u" else ""
                if not (len(low) == 4 and 0xDC00 <= int(low, 16) <= 0xDFFF):
                    return True
                following = pos + 12
            elif 0xDC00 <= code <= 0xDFFF:
                return True
        pos = text.find("\\", following)
    return False


def parse_json(data: str) -> Any:
    """A payload parsed as JSON; the error text matches the core's (serde takes no NaN or Infinity)."""
    try:
        return load_json(data)
    except (ValueError, RecursionError):  # the depth check comes first, so recursion is a backstop
        raise PayloadError(invalid_json("not valid JSON")) from None


def wrong_shape() -> PayloadError:
    """The error for JSON of a shape the family does not define (serde's `Category::Data`)."""
    return PayloadError(unexpected_payload("JSON of the wrong shape"))


def beyond_double(value: Any) -> bool:
    """A number serde_json refuses as JSON: one beyond a double's range, which json.loads made
    infinite (``1e400``) or kept whole (a 400-digit integer; serde_json reads an integer too large
    for 64 bits as a double)."""
    if type(value) is float:
        return math.isinf(value)
    if type(value) is int:
        try:
            float(value)
        except OverflowError:
            return True
    return False


def not_a_u64(value: Any) -> PayloadError:
    """The error for a value an ``Option<u64>`` field does not take."""
    return PayloadError(invalid_json("not valid JSON")) if beyond_double(value) else wrong_shape()


def incomplete(parts: Parts, usage: Usage, out: list[Any]) -> None:
    """Closes every open part, then reports the cut stream."""
    parts.close_all(out)
    out.append(ErrorEvent("the stream ended before its terminal event", INCOMPLETE_STREAM, None))
    out.append(Finish("error", None, usage, None))


def unix_seconds(value: Any) -> int | None:
    """A creation time sent as a JSON integer (unix seconds); any other value (a float, a string, a
    number beyond ``i64``) tells nothing."""
    if type(value) is int and -(2**63) <= value < 2**63:
        return value
    return None


def data_url(url: str) -> tuple[str, str] | None:
    """The media type and base64 text of a ``data:<type>;base64,<data>`` URL (media sent inline)."""
    if not url.startswith("data:"):
        return None
    media_type, sep, data = url[5:].partition(";base64,")
    return (media_type, data) if sep else None


def sources_once(seen: list[str], sources: list[tuple[str | None, str | None]], out: list[Any]) -> None:
    """A ``Source`` for each (url, title) whose URL the stream did not report before (``seen``), numbered
    ``src_0``, ``src_1``, …: the core's ``source_once``."""
    for url, title in sources:
        if url is None or url in seen:
            continue
        out.append(Source(f"src_{len(seen)}", url, title))
        seen.append(url)


def new_decoder(family: str, max_open_parts: int | None = None) -> FamilyDecoder:
    decoder = _new_decoder(family)
    if max_open_parts is not None:
        decoder.parts.max_open = max_open_parts
    return decoder


def _new_decoder(family: str) -> FamilyDecoder:
    from . import anthropic, bedrock, cohere, gemini, ollama, openai_chat, openai_completions, openai_responses

    if family == "openai-completions":
        return openai_completions.Decoder()
    if family == "cohere":
        return cohere.Decoder()
    if family == "openai-chat":
        return openai_chat.Decoder()
    if family == "openai-responses":
        return openai_responses.Decoder()
    if family == "anthropic":
        return anthropic.Decoder()
    if family == "bedrock":
        return bedrock.Decoder()
    if family == "ollama":
        return ollama.Decoder()
    return gemini.Decoder()


_ANTHROPIC_TYPES = frozenset(
    (
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
    )
)


_COHERE_TYPES = frozenset(
    (
        "message-start",
        "content-start",
        "content-delta",
        "content-end",
        "tool-plan-delta",
        "tool-call-start",
        "tool-call-delta",
        "tool-call-end",
        "citation-start",
        "citation-end",
        "message-end",
    )
)


def _completions_or_chat(choices: Any) -> str:
    """``choices`` without a telling ``object``: a completion when the first choice has ``text`` and no ``delta``."""
    first = choices[0] if type(choices) is list and choices else None
    if type(first) is dict and first.get("text") is not None and first.get("delta") is None:
        return "openai-completions"
    return "openai-chat"


def _marks(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key keeps its last value, as the core's relaxed reading (`families::relaxed`) has it.
    return dict(pairs)


def mismatch(asked: str, event: str, data: str) -> str | None:
    """The fault of a first payload that another family sent, or None (twin of the core's ``mismatch``)."""
    from ..depth import check

    if check(data) is not None:
        return None
    try:
        probe = json.loads(data, parse_constant=_reject_constant)
    except ValueError:
        return None
    if "\\u" in data and has_lone_surrogate(data):
        return None
    # Read with the json module, not the payload parser: the family's decoder parses this payload next.
    found = _detect_value(event, data, probe)
    if found is None or found == asked:
        return None
    try:
        top = json.loads(data, object_pairs_hook=lambda pairs: pairs, parse_constant=_reject_constant)
        marks = _marks(top)
    except (ValueError, TypeError):
        return None
    kind = marks.get("type")
    if (kind is not None and not isinstance(kind, str)) or marks.get("error") is not None or kind == "error":
        return None
    return unexpected_payload(
        f'the payloads look like the `{found}` family, not `{asked}`; pass `family="{found}"` or `"auto"`'
    )


def detect(event: str, data: str) -> str | None:
    """Which family sent this payload (the first of a stream), or None when it cannot tell."""
    try:
        probe = None if data.strip() == "[DONE]" else load_json(data)
    except ValueError:
        return None
    return _detect_value(event, data, probe)


def _detect_value(event: str, data: str, probe: Any) -> str | None:
    """``detect`` of a payload already parsed (``probe``)."""
    if data.strip() == "[DONE]":
        return "openai-chat"
    if not isinstance(probe, dict):
        return None
    from .fields import opt_str  # fields imports this module

    # The core's probe is a serde struct: a `type` or `object` of another JSON type tells nothing.
    if any(probe.get(k) is not None and not isinstance(probe[k], str) for k in ("type", "object")):
        return None
    try:
        kind = opt_str(probe, "type")
        obj = opt_str(probe, "object")
    except PayloadError:
        return None
    error = probe.get("error")
    if not isinstance(error, dict):
        # An `error` of another JSON type is passed over (the tolerant reader), as the core's probe
        # reads it: the other members tell the family.
        error = None
    if kind is not None:
        if kind.startswith("response."):
            return "openai-responses"
        if kind in _ANTHROPIC_TYPES:
            return "anthropic"
        if kind in _COHERE_TYPES:
            return "cohere"
        if kind == "error" and error is not None:
            return "anthropic"
        if kind == "error" and probe.get("message") is not None:
            return "openai-responses"
    if obj is not None and obj.startswith("chat.completion"):
        return "openai-chat"
    if obj == "text_completion":
        return "openai-completions"
    if probe.get("choices") is not None:
        return _completions_or_chat(probe["choices"])
    if any(probe.get(k) is not None for k in ("candidates", "usageMetadata", "promptFeedback")):
        return "gemini"
    if probe.get("done") is not None and (probe.get("created_at") is not None or probe.get("model") is not None):
        return "ollama"
    if error is not None:
        return "gemini" if error.get("status") is not None else "openai-chat"
    if event.startswith("response."):
        return "openai-responses"
    return None
