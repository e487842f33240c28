"""The ``openai-completions`` wire family (legacy ``/v1/completions``): twin of
``rust/core/src/families/openai_completions/mod.rs``.

Each chunk is checked against its own schema, then handed to the ``openai-chat`` decoder in chat's
shape (a choice's ``text`` as ``delta.content``): every other rule is chat's. ``logprobs`` is passed over.
"""

from __future__ import annotations

from typing import Any

from . import openai_chat
from .fields import opt_list, opt_str, opt_u64, parse_object


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
        self.apply(data, chunk, out)
