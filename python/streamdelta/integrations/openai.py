"""streamdelta as the SSE decoder of an ``openai`` client (``OpenAI``, ``AsyncOpenAI``, the Azure ones).

::

    client = openai.OpenAI()
    streamdelta.integrations.openai.install(client)
    for chunk in client.chat.completions.create(..., stream=True):  # unchanged code, faster decoding
        ...

The chunks are the same objects as without it (see ``_sdk`` for the only differences, on input no
provider sends). ``client.copy()`` / ``with_options()`` keep the swap; ``uninstall(client)`` undoes it.

``stream(sdk_stream)`` / ``astream()`` read an SDK stream's body with streamdelta instead, as a
stream object of normalized events (``streamdelta.EventStream``), whether installed or not.
"""

from __future__ import annotations

from openai import _base_client, _streaming

from . import _sdk

__all__ = ["astream", "install", "installed", "stream", "uninstall"]


def install(client: _sdk.SdkClient, *, max_event_bytes: int = _sdk.SDK_MAX_EVENT_BYTES) -> None:
    """Makes ``client`` decode its streams with streamdelta.

    Raises ``TypeError`` for a client that does not use the SDK's own SSE decoder.
    """
    _sdk.install(client, _streaming, _base_client.BaseClient, max_event_bytes)


uninstall = _sdk.uninstall
installed = _sdk.installed
stream = _sdk.stream
astream = _sdk.astream
