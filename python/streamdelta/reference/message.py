"""The final response assembled from the normalized events: twin of ``rust/core/src/message.rs``."""

from __future__ import annotations

from typing import Any

from .events import ErrorEvent, Finish, Message, ReasoningEnd, Source, StreamStart, TextDelta, ToolCall, Usage
from .events import ReasoningDelta as _ReasoningDelta


class MessageBuilder:
    """Folds events into the parts of a ``Message``."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.reasoning_signatures: list[str] = []
        self.tool_calls: list[Any] = []
        self.sources: list[Any] = []
        self.finish_reason: str | None = None
        self.raw_finish_reason: str | None = None
        self.usage: Usage | None = None
        self.provider_metadata_json: str | None = None
        self.errors: list[Any] = []

    def apply(self, event: Any) -> None:
        cls = type(event)
        if cls is TextDelta:
            self.text.append(event.text)
        elif cls is _ReasoningDelta:
            self.reasoning.append(event.text)
        elif cls is StreamStart:
            if event.id is not None:
                self.id = event.id
            if event.model is not None:
                self.model = event.model
        elif cls is ReasoningEnd:
            if event.signature is not None:
                self.reasoning_signatures.append(event.signature)
        elif cls is ToolCall or cls is Source or cls is ErrorEvent:
            (self.tool_calls if cls is ToolCall else self.sources if cls is Source else self.errors).append(event)
        elif cls is Finish:
            self.finish_reason = event.reason
            self.raw_finish_reason = event.raw_reason
            self.usage = event.usage
            self.provider_metadata_json = event.provider_metadata_json

    def build(self) -> Any:
        return Message(
            id=self.id,
            model=self.model,
            text="".join(self.text),
            reasoning="".join(self.reasoning),
            reasoning_signatures=tuple(self.reasoning_signatures),
            tool_calls=tuple(self.tool_calls),
            sources=tuple(self.sources),
            finish_reason=self.finish_reason,
            raw_finish_reason=self.raw_finish_reason,
            usage=self.usage,
            provider_metadata_json=self.provider_metadata_json,
            errors=tuple(self.errors),
        )
