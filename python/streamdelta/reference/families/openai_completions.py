"""The ``openai-completions`` wire family (legacy ``/v1/completions``): twin of
``rust/core/src/families/openai_completions/mod.rs``.

Each chunk is checked against its own schema, then handed to the ``openai-chat`` decoder in chat's
shape (a choice's ``text`` as ``delta.content``): every other rule is chat's, but for the token logprobs:
a choice's ``logprobs`` object goes as sent on its text delta when it holds a member.
"""

from __future__ import annotations

from typing import Any

from ..events import TextDelta
from . import openai_chat
from .fields import opt_list, opt_str, opt_u64, parse_object, raw_json


class Decoder(openai_chat.Decoder):
    def payload(self, event: str, data: str, out: list[Any]) -> None:
        if self.terminal(data, out):
            return
        d = parse_object(data)
        choices = []
        listed = opt_list(d, "choices")
        for choice in listed or ():
            text = opt_str(choice, "text")
            choices.append(
                {
                    "index": opt_u64(choice, "index"),
                    "delta": None if text is None else {"content": text},
                    "finish_reason": opt_str(choice, "finish_reason"),
                }
            )
        chunk = {
            "id": opt_str(d, "id"),
            "model": opt_str(d, "model"),
            "choices": None if listed is None else choices,
            "usage": d.get("usage"),
            "error": d.get("error"),
        }
        if any(type(c.get("logprobs")) is dict and c["logprobs"] for c in listed or ()):
            self._with_logprobs(data, chunk, listed or [], out)
            return
        self.apply(data, chunk, out)

    def _with_logprobs(self, data: str, chunk: dict[str, Any], listed: list[dict[str, Any]], out: list[Any]) -> None:
        """Chat's events, then each choice's object put on the text delta its text made: the chunk's text
        deltas are its choices with text, in order (the core's ``with_logprobs``)."""
        objects = [
            raw_json(data, ("choices", n, "logprobs")) if type(c.get("logprobs")) is dict and c["logprobs"] else None
            for n, c in enumerate(listed)
            if opt_str(c, "text")
        ]
        start = len(out)
        self.apply(data, chunk, out)
        deltas = (i for i in range(start, len(out)) if type(out[i]) is TextDelta)
        for i, logprobs in zip(deltas, objects, strict=False):
            out[i] = TextDelta(out[i].id, out[i].text, logprobs)
