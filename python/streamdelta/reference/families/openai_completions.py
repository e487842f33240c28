"""The ``openai-completions`` wire family (legacy ``/v1/completions``): twin of
``rust/core/src/families/openai_completions/mod.rs``.

Each chunk is checked against its own schema, then handed to the ``openai-chat`` decoder in chat's
shape (a choice's ``text`` as ``delta.content``): every other rule is chat's, but for the token logprobs:
a choice's ``logprobs`` object goes as sent on its text delta when it holds a member.
"""

from __future__ import annotations

from typing import Any

from . import openai_chat
from .fields import opt_list, opt_str, opt_u64, parse_object, raw_json


class Decoder(openai_chat.Decoder):
    def _token_logprobs(self, data: str, n: int, value: Any) -> tuple[str | None, None]:
        """The object of parallel lists as sent, when it holds a member (the core's ``logprobs_object``)."""
        return (raw_json(data, ("choices", n, "logprobs")) if type(value) is dict and value else None, None)

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
                    "logprobs": choice.get("logprobs"),
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
