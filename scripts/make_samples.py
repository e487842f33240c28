"""Copies a handful of corpus streams into python/streamdelta/samples/ (run from the repo root).

The bodies are byte-exact copies of recorded responses from charmbracelet/fantasy (Apache-2.0);
its LICENSE and NOTICE are copied beside them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, "python")
from streamdelta import cassettes

CORPUS = Path("../shared/corpus/fantasy")
OUT = Path("python/streamdelta/samples")
PICKS = {
    "openai-chat": "TestOpenAICommon/openai-gpt-4o-mini/tool_streaming.yaml",
    "openrouter-chat": "TestOpenRouterThinking/anthropic/thinking-streaming.yaml",
    "openai-responses": "TestOpenAIResponsesCommon/openai-gpt-4o-mini/tool_streaming.yaml",
    "anthropic": "TestAnthropicThinking/claude-sonnet-4/thinking-streaming.yaml",
    "gemini": "TestGoogleCommon/gemini-2.5-flash/tool_streaming.yaml",
    "bedrock": "TestBedrockCommon/bedrock-anthropic-claude-haiku-4-5/tool_streaming.yaml",
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rel in PICKS.items():
        streams = [i for i in cassettes.load(CORPUS / "cassettes" / rel) if i.is_streaming]
        for n, item in enumerate(streams):
            suffix = "eventstream" if item.is_aws_event_stream else "sse"
            (OUT / f"{name}-{n}.{suffix}").write_bytes(item.body)
    for legal in ("LICENSE", "NOTICE"):
        shutil.copy(CORPUS / legal, OUT / legal)


if __name__ == "__main__":
    main()
