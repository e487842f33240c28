"""Type stubs of the Rust extension ``streamdelta._core``."""

from typing import Any, Callable, ClassVar, Final, Iterable, Literal, Union, final, overload

from typing_extensions import Buffer, Self

from streamdelta._types import Family, OnError, Target, TargetFraming

__all__ = [
    "BUILD_PROFILE",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EVENT_BYTES",
    "FAMILIES",
    "TARGETS",
    "Encoder",
    "ErrorEvent",
    "File",
    "Finish",
    "JsonAccumulator",
    "JsonDelta",
    "Message",
    "MessageBatch",
    "Part",
    "Raw",
    "ReasoningDelta",
    "ReasoningEnd",
    "ReasoningStart",
    "RefusalDelta",
    "RefusalEnd",
    "RefusalStart",
    "SSEDecoder",
    "ServerSentEvent",
    "Source",
    "StreamParser",
    "StreamStart",
    "TextDelta",
    "TextEnd",
    "TextStart",
    "ToolCall",
    "ToolInputDelta",
    "ToolInputEnd",
    "ToolInputStart",
    "ToolResult",
    "Translator",
    "Unknown",
    "Usage",
    "__version__",
    "_force_panic",
    "message_batch",
    "parse",
    "parse_many",
]

__version__: Final[str]
DEFAULT_MAX_EVENT_BYTES: Final[int]
BUILD_PROFILE: Final[str]
"""``"debug"`` when built with debug assertions (``maturin develop`` without ``--release``), else ``"release"``."""

Chunk = Union[bytes, bytearray, memoryview, str]
Body = Union[Buffer, str]

@final
class ServerSentEvent:
    """One server-sent event, as dispatched by the WHATWG event-stream rules."""

    __match_args__ = ("event", "data", "id", "retry")

    @property
    def event(self) -> str:
        """The event type; ``"message"`` when the stream named none."""
    @property
    def data(self) -> str:
        """The data lines of the event, joined with ``\\n``."""
    @property
    def id(self) -> str:
        """The last event ID as of this event (it persists across events)."""
    @property
    def retry(self) -> int | None:
        """The ``retry`` value given inside this event's block, if any."""
    def __new__(cls, event: str = "message", data: str = "", id: str = "", retry: int | None = None) -> Self: ...
    def json(self) -> Any:
        """The data parsed as JSON."""
    def to_dict(self) -> dict[str, Any]:
        """The event as a plain dict, the same from both backends."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[..., Self], tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which ``__new__`` takes back in order."""

@final
class SSEDecoder:
    """Incremental WHATWG event-stream decoder: ``feed()`` chunks split anywhere, get events."""

    def __new__(cls, *, max_event_bytes: int = ..., flush_at_eof: bool = False) -> Self: ...
    def feed(self, chunk: Chunk) -> list[ServerSentEvent]:
        """Feeds a chunk (bytes, bytearray, memoryview or str); returns the events it completed.

        Raises ``StreamParseError`` when a line or an event exceeds ``max_event_bytes``; the
        exception's ``events`` holds what the chunk completed before the fault.
        """
    def close(self) -> list[ServerSentEvent]:
        """Ends the stream; returns the pending event only when made with ``flush_at_eof=True``."""
    @property
    def last_event_id(self) -> str:
        """The last event ID string, as of the last dispatched event."""
    @property
    def retry(self) -> int | None:
        """The reconnection time (ms) most recently set by a ``retry`` field, or None."""

FAMILIES: Final[list[str]]
TARGETS: Final[list[str]]

class _Event:
    type: ClassVar[str]
    def to_dict(self) -> dict[str, Any]:
        """The event as a plain dict (``type`` first), the same from both backends."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[..., Self], tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which ``__new__`` takes back in order."""

@final
class StreamStart(_Event):
    """The response id, model and creation time (unix seconds), when the wire reports them."""

    __match_args__ = ("id", "model", "created")
    id: Final[str | None]
    model: Final[str | None]
    created: Final[int | None]
    def __new__(cls, id: str | None = None, model: str | None = None, created: int | None = None) -> Self: ...

@final
class TextStart(_Event):
    """A text part of choice ``choice`` (0 unless n > 1) opens."""

    __match_args__ = ("id", "choice")
    id: Final[str]
    choice: Final[int]
    def __new__(cls, id: str, choice: int | None = None) -> Self: ...

@final
class TextDelta(_Event):
    """Text of an open text part; ``logprobs``: its tokens' log probabilities as sent (a JSON array's
    text, the legacy completions' object's), when sent."""

    __match_args__ = ("id", "text", "logprobs")
    id: Final[str]
    text: Final[str]
    logprobs: Final[str | None]
    def __new__(cls, id: str, text: str, logprobs: str | None = None) -> Self: ...

@final
class TextEnd(_Event):
    """A text part closes."""

    __match_args__ = ("id",)
    id: Final[str]
    def __new__(cls, id: str) -> Self: ...

@final
class ReasoningStart(_Event):
    """A reasoning (thinking) part opens."""

    __match_args__ = ("id", "choice")
    id: Final[str]
    choice: Final[int]
    def __new__(cls, id: str, choice: int | None = None) -> Self: ...

@final
class ReasoningDelta(_Event):
    """Text of an open reasoning part."""

    __match_args__ = ("id", "text")
    id: Final[str]
    text: Final[str]
    def __new__(cls, id: str, text: str) -> Self: ...

@final
class ReasoningEnd(_Event):
    """A reasoning part closes, with its signature (to send back) and whether it was redacted."""

    __match_args__ = ("id", "signature", "redacted")
    id: Final[str]
    signature: Final[str | None]
    redacted: Final[bool]
    def __new__(cls, id: str, signature: str | None = None, redacted: bool | None = None) -> Self: ...

@final
class RefusalStart(_Event):
    """A refusal part opens: the model declines, kept apart from text."""

    __match_args__ = ("id", "choice")
    id: Final[str]
    choice: Final[int]
    def __new__(cls, id: str, choice: int | None = None) -> Self: ...

@final
class RefusalDelta(_Event):
    """Text of an open refusal part; ``logprobs`` as on ``TextDelta``."""

    __match_args__ = ("id", "text", "logprobs")
    id: Final[str]
    text: Final[str]
    logprobs: Final[str | None]
    def __new__(cls, id: str, text: str, logprobs: str | None = None) -> Self: ...

@final
class RefusalEnd(_Event):
    """A refusal part closes."""

    __match_args__ = ("id",)
    id: Final[str]
    def __new__(cls, id: str) -> Self: ...

@final
class ToolInputStart(_Event):
    """A tool call begins to stream."""

    __match_args__ = ("id", "name", "choice", "provider_executed")
    id: Final[str]
    name: Final[str]
    choice: Final[int]
    provider_executed: Final[bool]
    def __new__(cls, id: str, name: str, choice: int | None = None, provider_executed: bool | None = None) -> Self: ...

@final
class ToolInputDelta(_Event):
    """A raw fragment of a tool call's JSON arguments, exactly as sent."""

    __match_args__ = ("id", "delta")
    id: Final[str]
    delta: Final[str]
    def __new__(cls, id: str, delta: str) -> Self: ...

@final
class ToolInputEnd(_Event):
    """A streamed tool call's arguments are complete; its ``ToolCall`` follows at once."""

    __match_args__ = ("id",)
    id: Final[str]
    def __new__(cls, id: str) -> Self: ...

@final
class ToolCall(_Event):
    """A complete tool call, ready to run; ``id`` is what the tool result must carry back."""

    __match_args__ = ("id", "name", "arguments", "provider_executed", "call_type")
    id: Final[str]
    name: Final[str]
    arguments: Final[str]
    provider_executed: Final[bool]
    call_type: Final[str | None]
    """The wire's own type for a call that is not the family's plain function call (Responses
    ``custom_tool_call``, ``apply_patch_call``, ``web_search_call``, ...): what a request writes it
    back as; None otherwise. Left out of ``to_dict()`` and ``repr`` while None."""
    def __new__(
        cls,
        id: str,
        name: str,
        arguments: str,
        provider_executed: bool | None = None,
        call_type: str | None = None,
    ) -> Self: ...
    @property
    def input(self) -> Any:
        """The arguments parsed strictly as JSON (on each access): invalid arguments raise
        ``StreamParseError`` with the byte offset, truncated ones ``JsonIncompleteError``."""

@final
class ToolResult(_Event):
    """The result of a tool the provider ran (web search, code execution, MCP, ...): ``id`` is the
    id of the call it answers, ``result`` its raw JSON text; ``output`` parses it."""

    __match_args__ = ("id", "name", "result", "is_error", "provider_executed")
    id: Final[str]
    name: Final[str]
    result: Final[str]
    is_error: Final[bool]
    provider_executed: Final[bool]
    def __new__(
        cls,
        id: str,
        name: str,
        result: str,
        is_error: bool | None = None,
        provider_executed: bool | None = None,
    ) -> Self: ...
    @property
    def output(self) -> Any:
        """The result parsed strictly as JSON (on each access), as ``ToolCall.input`` parses arguments."""

@final
class File(_Event):
    """Generated media (an image, audio): ``data`` is the decoded bytes; ``partial`` marks a preview
    (a partial image). ``to_dict()`` gives ``data`` as base64 text."""

    __match_args__ = ("id", "media_type", "data", "partial")
    id: Final[str]
    media_type: Final[str]
    data: Final[bytes]
    partial: Final[bool]
    def __new__(cls, id: str, media_type: str, data: bytes, partial: bool | None = None) -> Self: ...

@final
class Source(_Event):
    """A citation or search source: ``kind`` is ``url`` (with its ``url``) or ``document``; offsets,
    cited text and file ids stay in ``provider_metadata_json``."""

    __match_args__ = ("id", "url", "title", "kind", "media_type", "filename", "provider_metadata_json")
    id: Final[str]
    url: Final[str | None]
    title: Final[str | None]
    kind: Final[str]
    media_type: Final[str | None]
    filename: Final[str | None]
    provider_metadata_json: Final[str | None]
    def __new__(
        cls,
        id: str,
        url: str | None = None,
        title: str | None = None,
        kind: str | None = None,
        media_type: str | None = None,
        filename: str | None = None,
        provider_metadata_json: str | None = None,
    ) -> Self: ...
    @property
    def provider_metadata(self) -> Any:
        """``provider_metadata_json`` parsed (None when absent)."""

@final
class Usage:
    """Token usage with one meaning for every provider (cached tokens inside ``input_tokens``,
    reasoning tokens inside ``output_tokens``)."""

    __match_args__ = (
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "reasoning_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cost",
    )
    input_tokens: Final[int]
    output_tokens: Final[int]
    total_tokens: Final[int]
    reasoning_tokens: Final[int]
    cache_read_tokens: Final[int]
    cache_write_tokens: Final[int]
    cost: Final[float | None]
    def __new__(
        cls,
        input_tokens: int = 0,
        output_tokens: int = 0,
        total_tokens: int = 0,
        reasoning_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        cost: float | None = None,
    ) -> Self: ...
    def to_dict(self) -> dict[str, Any]:
        """The usage as a plain dict, the same from both backends."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[..., Self], tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which ``__new__`` takes back in order."""

@final
class Finish(_Event):
    """The response ended: ``reason`` is one of stop, length, tool_calls, content_filter, error, other."""

    __match_args__ = ("reason", "raw_reason", "usage", "provider_metadata_json")
    reason: Final[str]
    raw_reason: Final[str | None]
    usage: Final[Usage | None]
    provider_metadata_json: Final[str | None]
    def __new__(
        cls,
        reason: str,
        raw_reason: str | None = None,
        usage: Usage | None = None,
        provider_metadata_json: str | None = None,
    ) -> Self: ...
    @property
    def provider_metadata(self) -> Any:
        """``provider_metadata_json`` parsed (None when absent)."""

@final
class ErrorEvent(_Event):
    """An error the provider sent mid-stream, or one the parser reports (``incomplete_stream``,
    ``parse_error``)."""

    __match_args__ = ("message", "kind", "raw")
    message: Final[str]
    kind: Final[str]
    raw: Final[str | None]
    def __new__(cls, message: str, kind: str, raw: str | None = None) -> Self: ...

@final
class Unknown(_Event):
    """A payload, item or content block the decoder does not model:
    its type as `kind`, and its JSON text `raw` as sent."""

    __match_args__ = ("kind", "raw")
    kind: Final[str]
    raw: Final[str]
    def __new__(cls, kind: str, raw: str) -> Self: ...

@final
class Raw(_Event):
    """One payload exactly as sent, ahead of the events it produced (``StreamParser(include_raw=True)``)."""

    __match_args__ = ("data",)
    data: Final[str]
    def __new__(cls, data: str) -> Self: ...

Event = Union[
    StreamStart,
    TextStart,
    TextDelta,
    TextEnd,
    ReasoningStart,
    ReasoningDelta,
    ReasoningEnd,
    RefusalStart,
    RefusalDelta,
    RefusalEnd,
    ToolInputStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolCall,
    ToolResult,
    File,
    Source,
    Finish,
    ErrorEvent,
    Unknown,
    Raw,
]

@final
class Part:
    """One content part of a ``Message``, in wire order: what a next request sends back. ``kind`` is
    ``text``, ``reasoning``, ``refusal`` (with their ``text``; reasoning with its ``signature`` and
    ``redacted``), or ``tool_call``, ``tool_result``, ``file`` (with that event as ``value``); ``id``
    is the part's id; ``logprobs`` (text and refusal parts) its deltas' ``logprobs`` joined (one array of
    their entries; the legacy completions' objects: one object of their lists joined), when sent."""

    type: ClassVar[None]
    __match_args__ = ("kind", "id", "text", "signature", "redacted", "value", "logprobs")
    kind: Final[str]
    id: Final[str]
    text: Final[str]
    signature: Final[str | None]
    redacted: Final[bool]
    value: Final[ToolCall | ToolResult | File | None]
    logprobs: Final[str | None]
    def __new__(
        cls,
        kind: str,
        id: str,
        text: str | None = None,
        signature: str | None = None,
        redacted: bool | None = None,
        value: ToolCall | ToolResult | File | None = None,
        logprobs: str | None = None,
    ) -> Self: ...
    def to_dict(self) -> dict[str, Any]:
        """The part as a plain dict (its value too)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[..., Self], tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which ``__new__`` takes back in order."""

@final
class Message:
    """The final response assembled from the events so far.

    Built by hand, a field left out or given as None takes what a new parser's message holds:
    empty text and tuples, None for the rest.
    """

    type: ClassVar[None]
    __match_args__ = (
        "id",
        "model",
        "text",
        "reasoning",
        "reasoning_signatures",
        "tool_calls",
        "sources",
        "finish_reason",
        "raw_finish_reason",
        "usage",
        "provider_metadata_json",
        "errors",
        "created",
        "refusal",
        "tool_results",
        "files",
        "parts",
        "choices",
        "logprobs",
    )

    id: Final[str | None]
    model: Final[str | None]
    text: Final[str]
    reasoning: Final[str]
    reasoning_signatures: Final[tuple[str, ...]]
    tool_calls: Final[tuple[ToolCall, ...]]
    sources: Final[tuple[Source, ...]]
    finish_reason: Final[str | None]
    raw_finish_reason: Final[str | None]
    usage: Final[Usage | None]
    provider_metadata_json: Final[str | None]
    errors: Final[tuple[ErrorEvent, ...]]
    created: Final[int | None]
    refusal: Final[str]
    tool_results: Final[tuple[ToolResult, ...]]
    files: Final[tuple[File, ...]]
    parts: Final[tuple[Part, ...]]
    choices: Final[tuple[Message, ...]]
    # The text parts' `logprobs` joined as `Part.logprobs` (None when none were sent).
    logprobs: Final[str | None]
    def __new__(
        cls,
        id: str | None = None,
        model: str | None = None,
        text: str | None = None,
        reasoning: str | None = None,
        reasoning_signatures: tuple[str, ...] | None = None,
        tool_calls: tuple[ToolCall, ...] | None = None,
        sources: tuple[Source, ...] | None = None,
        finish_reason: str | None = None,
        raw_finish_reason: str | None = None,
        usage: Usage | None = None,
        provider_metadata_json: str | None = None,
        errors: tuple[ErrorEvent, ...] | None = None,
        created: int | None = None,
        refusal: str | None = None,
        tool_results: tuple[ToolResult, ...] | None = None,
        files: tuple[File, ...] | None = None,
        parts: tuple[Part, ...] | None = None,
        choices: tuple[Message, ...] | None = None,
        logprobs: str | None = None,
    ) -> Self: ...
    def to_dict(self) -> dict[str, Any]:
        """The message as a plain dict (nested values too)."""
    @overload
    def to_request(self, family: Literal["openai-responses"]) -> list[dict[str, Any]]: ...
    @overload
    def to_request(self, family: Literal["openai-chat", "anthropic", "gemini", "bedrock"]) -> dict[str, Any]:
        """The assistant turn for the next request to ``family``, in that provider's request
        format: one message dict, or for ``openai-responses`` the list of input items."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Callable[..., Self], tuple[Any, ...]]:
        """Pickling and copying: the class and the field values, which ``__new__`` takes back in order."""

@final
class Encoder:
    """Events in, the wire bytes of ``family`` (one of ``TARGETS``) out: what that provider would
    have sent and its official client accepts. ``framing``: ``"auto"``, the family's own (SSE;
    Bedrock's AWS event-stream), or ``"json-array"`` for Gemini's endpoint without ``alt=sse``.
    What a target cannot carry is dropped by the rules of ``docs/encoding.md``."""

    def __new__(cls, family: Target, *, framing: TargetFraming = "auto") -> Self: ...
    def feed(self, events: Iterable[Event]) -> bytes:
        """The wire bytes of these events (either backend's event classes). After ``close()`` it
        raises ``ValueError``."""
    def close(self) -> bytes:
        """Ends the body (Gemini's JSON array needs its ``]``); a second call returns ``b""``."""

@final
class Translator:
    """A stream of one family (``family``, or detected) translated into another's wire bytes
    (``to``) as it comes, parsed and encoded without making an event object. Options as for
    ``StreamParser`` and ``Encoder``. A ``StreamParseError`` (with no ``events``) keeps the bytes
    of the events before the fault for the next call."""

    def __new__(
        cls,
        to: Target,
        family: Family = "auto",
        *,
        framing: TargetFraming = "auto",
        on_error: OnError = "raise",
        max_event_bytes: int = ...,
        max_open_parts: int = ...,
    ) -> Self: ...
    def feed(self, chunk: Chunk) -> bytes:
        """Feeds a chunk of the input body; returns the output bytes it completed."""
    def close(self) -> bytes:
        """Ends the input: the last output bytes."""
    @property
    def message(self) -> Message:
        """The response assembled from the input so far."""

@final
class StreamParser:
    """One response stream: ``feed()`` the body's chunks, get normalized events.

    ``family`` is one of ``FAMILIES`` or ``"auto"`` (detected from the first payload).
    Limits against hostile input raise ``StreamParseError`` naming the option to raise:
    ``max_event_bytes`` (one SSE line or event, default 16 MiB) and ``max_open_parts`` (text,
    reasoning and tool-call parts open at once, default 1024); JSON payloads may nest at most 100
    levels (a fixed limit). ``on_error="emit"`` turns every such fault, and every faulty payload,
    into ``ErrorEvent(kind="parse_error")`` and reads on. One parser serves one stream: a call
    that overlaps another call on the same parser (another thread), or on an accumulator of a
    call still streaming that ``tool_input()`` gave out, raises ``RuntimeError``.
    """

    def __new__(
        cls,
        family: Family = "auto",
        *,
        on_error: OnError = "raise",
        max_event_bytes: int = ...,
        max_open_parts: int = ...,
        include_raw: bool = False,
    ) -> Self: ...
    def feed(self, chunk: Chunk) -> list[Event]:
        """Feeds a chunk of the response body; returns the events it completed.

        Raises ``StreamParseError`` (offset, event index, excerpt, and ``events`` parsed before
        the fault); the parser stays usable and reads the rest of the chunk on the next call.
        After ``close()`` it raises ``ValueError`` and changes nothing.

        A chunk over 1 MiB is parsed a MiB at a time with the GIL released (other threads run
        meanwhile; the events are the same), and signals are handled between those slices: when
        a handler raises (Ctrl-C's ``KeyboardInterrupt``), the call stops with that exception, the
        events it had parsed stay queued (``message`` holds them already) and the unread rest of
        the chunk stays too; the next ``feed()`` or ``close()`` returns the queued events first,
        then those of the rest, as if the chunk had been fed whole. (The reference backend is
        plain Python: an interrupt lands wherever it lands, and the parser is best discarded.)
        """
    def close(self) -> list[Event]:
        """Ends the stream: the last event, the ends of open parts, and a report of a cut stream.
        A second call adds nothing (or finishes the end when the first one raised).

        The unread rest of a chunk an interrupt stopped is read here as ``feed()`` reads it: in
        slices with the GIL released, stopped by a signal handler that raises (the next
        ``close()`` then returns the queued events first). A fault there closes the stream all
        the same."""
    @property
    def message(self) -> Message:
        """The response assembled from the events so far."""
    def tool_input(self, id: str) -> JsonAccumulator:
        """The live arguments of tool call ``id``: a ``JsonAccumulator`` fed every fragment of that
        call, so ``snapshot()`` shows them while they stream. ``KeyError`` for an id not seen."""
    @property
    def family(self) -> str | None:
        """The wire family in use (None until detected)."""

def parse(
    body: Chunk,
    family: Family = "auto",
    *,
    on_error: OnError = "raise",
    max_event_bytes: int = ...,
    max_open_parts: int = ...,
    include_raw: bool = False,
) -> list[Event]:
    """Parses a whole response body; returns its events (the end-of-stream ones included), and
    with ``include_raw=True`` each payload as a ``Raw`` event ahead of the events it produced.

    A body over 1 MiB is parsed as ``StreamParser.feed`` parses a large chunk: with the GIL
    released, and stopped by a signal handler that raises (the events are then dropped)."""

def parse_many(
    bodies: Iterable[Body],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
    max_event_bytes: int = ...,
    max_open_parts: int = ...,
) -> list[Message]:
    """Parses many whole bodies on a pool of ``threads`` threads (default: one per core) with the
    GIL released; returns the ``Message`` of each, in order, equal to what a ``StreamParser`` fed
    the body and closed holds. Bodies are ``bytes``, ``str`` or any buffer (copied).

    ``on_error="emit"`` (the default) keeps a faulty body's errors in its ``Message.errors``;
    ``on_error="raise"`` raises the ``StreamParseError`` of the first faulty body, its text led by
    ``body {index}:`` and its ``index`` set (``events`` is empty: the batch makes none).
    """

@final
class MessageBatch:
    """Messages as Arrow columns, one row per body (``streamdelta.arrow.SCHEMA``), made by
    ``message_batch``. Arrow libraries import it without a copy through the ``PyCapsule``
    interface: ``pyarrow.record_batch(batch)``, ``pyarrow.table(batch)``."""

    @property
    def num_rows(self) -> int: ...
    def __len__(self) -> int: ...
    def __arrow_c_schema__(self) -> object: ...
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

def message_batch(
    bodies: Iterable[Any],
    family: Family = "auto",
    *,
    threads: int | None = None,
    on_error: OnError = "emit",
    max_event_bytes: int = ...,
    max_open_parts: int = ...,
) -> MessageBatch:
    """``parse_many`` with the messages as Arrow columns, built without a Python object each.
    Each item of ``bodies`` is a body or an Arrow array (``__arrow_c_array__``) of ``binary``,
    ``large_binary``, ``string`` or ``large_string`` bodies, read in place (a null is an empty body).
    """

DEFAULT_MAX_DEPTH: Final[int]

@final
class JsonDelta:
    """What a fragment changed in a JSON document.

    ``kind`` is ``"begin_object"`` / ``"begin_array"`` (a container opens at ``path``), ``"value"``
    (a complete scalar, strings included), ``"string_append"`` (characters added to the string value
    being written at ``path``) or ``"end"`` (the container at ``path`` closes). Object keys are not
    streamed: a member first shows up in the path of its value's deltas.
    """

    __match_args__ = ("path", "kind", "value")

    @property
    def path(self) -> tuple[str | int, ...]:
        """Keys and indexes from the root to the value concerned."""
    @property
    def kind(self) -> str:
        """``begin_object``, ``begin_array``, ``value``, ``string_append`` or ``end``."""
    @property
    def value(self) -> Any:
        """The scalar (``value``), the new characters (``string_append``), else None."""
    def __new__(cls, path: tuple[str | int, ...], kind: str, value: Any = None) -> Self: ...
    def to_dict(self) -> dict[str, Any]:
        """The delta as a plain dict (the path as a list), the same from both backends."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class JsonAccumulator:
    """Accumulates one JSON document fed in fragments split anywhere; work is proportional to the
    new bytes, never a re-parse of the prefix.

    After invalid input the accumulator keeps what it had before the faulty byte and raises the same
    error on every later ``feed()`` or ``value()`` until ``reset()``.
    """

    def __new__(cls, max_depth: int = ...) -> Self:
        """``max_depth``: how deep objects and arrays may nest; deeper input raises ``StreamParseError``."""
    @property
    def max_depth(self) -> int: ...
    @property
    def is_complete(self) -> bool:
        """The text fed so far is a whole JSON document (a top-level number ends with the input)."""
    def feed(self, fragment: Chunk) -> list[JsonDelta]:
        """Feeds a fragment (str or bytes; UTF-8 may be cut anywhere); returns what it changed.

        Invalid JSON raises ``StreamParseError`` (a ``ValueError``) naming the byte offset; its
        ``events`` holds the deltas before the fault.
        """
    def snapshot(self) -> Any:
        """The best current value of the incomplete document, as
        ``jiter.from_json(prefix, partial_mode="trailing-strings")`` gives it; None before any value shows."""
    def value(self) -> Any:
        """The complete document. Raises ``JsonIncompleteError`` if it is not finished, and
        ``StreamParseError`` if it is invalid."""
    def reset(self) -> None:
        """Forgets everything fed so far (a fault too); ``max_depth`` stays."""

def _force_panic(message: str) -> None:
    """Panics in Rust (tests only): the panic reaches Python as ``pyo3_runtime.PanicException``."""
