"""Invoke chunks of the text vendors (Meta Llama, Mistral, Amazon Titan, Cohere): twin of
``rust/core/src/families/bedrock/vendors.rs``. Each chunk is a piece of text (part ``0``); the chunk
that names a stop reason ends the stream."""

from __future__ import annotations

from typing import Any, TypeVar

from ...events import Finish
from .. import incomplete
from ..fields import RAW, STR, U64, check, list_of, parse_object, raw_json, struct
from ..parts import Parts
from .shared import Counts, finish_reason, provider_error, raw_object, unexpected

_PART = "0"
_METRICS = "amazon-bedrock-invocationMetrics"

# The core's `TextChunkWire` and the structs it holds.
_PIECE = struct(text=STR, stop_reason=STR, finish_reason=STR)
_CONTENT = struct(content=STR)
_CHOICE = struct(message=_CONTENT, delta=_CONTENT, stop_reason=STR, finish_reason=STR)
_CHUNK = struct(
    generation=STR,
    prompt_token_count=U64,
    generation_token_count=U64,
    stop_reason=STR,
    outputs=list_of(_PIECE),
    choices=list_of(_CHOICE),
    outputText=STR,
    inputTextTokenCount=U64,
    totalOutputTextTokenCount=U64,
    completionReason=STR,
    text=STR,
    finish_reason=STR,
    generations=list_of(_PIECE),
    **{_METRICS: RAW},
)


T = TypeVar("T")


def _first(*values: T | None) -> T | None:
    for value in values:
        if value is not None:
            return value
    return None


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.counts = Counts()
        self.metrics_raw: str | None = None
        self.finished = False

    def chunk(self, data: str, out: list[Any]) -> None:
        c = check(parse_object(data), _CHUNK)
        if self.finished:
            raise unexpected("a `chunk` after the end of the message")
        stop = _first(c.get("stop_reason"), c.get("completionReason"), c.get("finish_reason"))
        for text in (c.get("generation"), c.get("outputText"), c.get("text")):
            if text is not None:
                self._text(text, out)
        for piece in (c.get("outputs") or []) + (c.get("generations") or []):
            self._text(piece.get("text") or "", out)
            stop = _first(stop, piece.get("stop_reason"), piece.get("finish_reason"))
        for choice in c.get("choices") or []:
            for content in (choice.get("message"), choice.get("delta")):
                if content is not None:
                    self._text(content.get("content") or "", out)
            stop = _first(stop, choice.get("stop_reason"), choice.get("finish_reason"))
        self.counts.report(
            _first(c.get("prompt_token_count"), c.get("inputTextTokenCount")),
            _first(c.get("generation_token_count"), c.get("totalOutputTextTokenCount")),
            None,
            None,
        )
        if type(c.get(_METRICS)) is dict:
            raw = raw_json(data, (_METRICS,))
            self.counts.fill_from_metrics(raw)
            self.metrics_raw = raw
        if stop is not None:
            self.parts.close_all(out)
            metadata = raw_object(((_METRICS, self.metrics_raw),))
            out.append(Finish(finish_reason(stop), stop, self.counts.usage(), metadata))
            self.finished = True

    def _text(self, text: str, out: list[Any]) -> None:
        if text:
            self.parts.text(_PART, text, out)

    def provider_error(self, message: str, kind: str, raw: str | None, out: list[Any]) -> None:
        provider_error(self.parts, self.counts, message, kind, raw, out)
        self.finished = True

    def end(self, out: list[Any]) -> None:
        if not self.finished:
            incomplete(self.parts, self.counts.usage(), out)
            self.finished = True
