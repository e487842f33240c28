"""The accepted values of the ``family`` and ``on_error`` options, for type checkers: a misspelt
family (``"anthropc"``) is an error where it is written, not when the parser is made."""

from __future__ import annotations

from typing import Literal

__all__ = ["Family", "OnError", "RequestFamily", "Target", "TargetFraming"]

# `FAMILIES` and "auto"; tests/test_typing.py holds the two in step.
Family = Literal[
    "auto",
    "openai-chat",
    "openai-responses",
    "anthropic",
    "gemini",
    "bedrock",
    "ollama",
    "openai-completions",
    "cohere",
]
OnError = Literal["raise", "emit"]
# The families `Message.to_request` and `tool_result_request` write a request turn for.
RequestFamily = Literal["openai-chat", "openai-responses", "anthropic", "gemini", "bedrock"]
# `TARGETS`: the families the encoders write (`Encoder`, `Translator(to=...)`).
Target = Literal["openai-chat", "anthropic", "openai-responses", "gemini", "bedrock"]
# How the output is framed: the family's own ("auto"), or named: "sse", "json-array" (Gemini without
# `alt=sse`), "eventstream" (Bedrock).
TargetFraming = Literal["auto", "sse", "json-array", "eventstream"]
