"""Base64 for file data (``file.data``): twin of ``rust/core/src/b64.rs``.

One lenient rule on both backends: the standard or the URL-safe alphabet, ASCII whitespace anywhere
skipped (MIME line breaks), ``=`` padding optional but only at the end, the unused bits of the last
character ignored. Anything else is not base64 (``None``).
"""

from __future__ import annotations

import base64
import binascii
import re

_WHITESPACE = re.compile(r"[ \t\n\x0c\r]")
_BODY = re.compile(r"[A-Za-z0-9+/\-_]*")
_PADDING = " \t\n\x0c\r="


def encode(data: bytes) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def decode(text: str) -> bytes | None:
    """The bytes of base64 text under the module's rule, or None."""
    body = _WHITESPACE.sub("", text.rstrip(_PADDING))
    if _BODY.fullmatch(body) is None or len(body) % 4 == 1:
        return None
    body = body.replace("-", "+").replace("_", "/")
    try:
        # b64decode ignores the unused bits of the last character, as the core does.
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error:  # pragma: no cover - the checks above leave nothing it refuses
        return None
