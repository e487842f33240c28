"""The `openai-chat` wire family. Not implemented yet: every payload is reported as unsupported."""

from __future__ import annotations

from typing import Any

from ..error import unexpected_payload
from ..events import Usage
from . import PayloadError, incomplete
from .parts import Parts


class Decoder:
    def __init__(self) -> None:
        self.parts = Parts()
        self.usage = Usage()

    def payload(self, event: str, data: str, out: list[Any]) -> None:
        raise PayloadError(unexpected_payload("the `openai-chat` family is not implemented yet"))

    def end(self, out: list[Any]) -> None:
        incomplete(self.parts, self.usage, out)
