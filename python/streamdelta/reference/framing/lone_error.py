"""A lone JSON body (an error a server sends instead of a stream): twin of ``rust/core/src/framing/lone_error.rs``."""

from __future__ import annotations

import json
import math
from typing import Any

from .. import depth
from ..events import ErrorEvent, Finish, Usage
from ..families import has_lone_surrogate

PROVIDER_ERROR = "provider_error"
# The members an AWS REST-JSON error body (Bedrock's 4xx and 5xx) is made of: see lone_error.rs.
_AWS_ERROR_MEMBERS = frozenset(("message", "Message", "__type"))


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # serde_json: "number out of range"
        raise ValueError(text)
    return value


def _int(text: str) -> int:
    value = int(text)
    float(value)  # serde_json reads an integer beyond 64 bits as a double: OverflowError beyond its range
    return value


def _provider_message(data: str) -> str | None:
    """The provider's message when ``data`` is an error body, the whole body when it names none."""
    if depth.check(data) is not None:
        return None
    try:
        body = json.loads(data, parse_constant=_not_json, parse_float=_float, parse_int=_int)
    except (ValueError, OverflowError):
        return None
    if not isinstance(body, dict) or ("\\u" in data and has_lone_surrogate(data)):
        return None

    def message(obj: dict[str, Any]) -> str:
        text = obj.get("message")
        return text if isinstance(text, str) else data

    error = body.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        return message(error)
    if body.get("object") == "error":
        return message(body)
    return _aws_message(body)


def _aws_message(body: dict[str, Any]) -> str | None:
    """The message of an AWS error body, read as botocore reads it: ``message``, else ``Message``."""
    if not body.keys() <= _AWS_ERROR_MEMBERS:
        return None
    text = body.get("message", body.get("Message"))
    return text if isinstance(text, str) else None


def lone_error(data: str, out: list[Any]) -> bool:
    """Appends the events of an error body (``error(kind="provider_error")``, ``finish(reason="error")``);
    False when ``data`` is not one."""
    text = _provider_message(data)
    if text is None:
        return False
    out.append(ErrorEvent(text, PROVIDER_ERROR, data))
    out.append(Finish("error", None, Usage(), None))
    return True
