"""Generated media as ``file`` events, both backends: Gemini ``inlineData`` parts, OpenAI chat
``delta.audio``, OpenRouter chat ``delta.images``.

Neither corpus holds a recording of any of them (the only ``inlineData`` of the fantasy cassettes is
an image the user uploaded, in a request), so the bodies are built here from the providers' API
references: Gemini's ``Part.inlineData`` (``mimeType``, base64 ``data``), OpenAI's
``ChatCompletionStreamResponseDelta.audio`` (a first chunk with the ``id``, then base64 ``data`` and
``transcript`` fragments, a last one with ``expires_at`` alone; a streamed answer is ``pcm16``),
OpenRouter's image generation guide (``delta.images``: ``image_url`` items holding a base64 data URL).

Oracles: google-genai's own types (``GenerateContentResponse``, whose ``Part.inline_data`` decodes
the bytes), the openai SDK's chunk types (``ChoiceDelta.audio``) with the bytes decoded here by the
``base64`` module, and for OpenRouter a reading of the payloads in the test."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any

import pytest

from .invariants import check_ordering, dicts
from .test_openai_chat import chunk, sse

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
PCM = [bytes(range(i, i + 30)) for i in (0, 100, 200)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def parsed(backend: ModuleType, body: bytes, family: str) -> tuple[list[dict[str, Any]], Any]:
    parser = backend.StreamParser(family)
    events = parser.feed(body) + parser.close()
    return dicts(events), parser.message


def files_of(events: list[dict[str, Any]]) -> list[tuple[str, str, bytes, bool]]:
    return [
        (e["id"], e["media_type"], base64.b64decode(e["data"]), e["partial"]) for e in events if e["type"] == "file"
    ]


# --- Gemini ---------------------------------------------------------------------------------------


def gemini_chunk(*parts: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "gemini-2.5-flash-image", "responseId": "r1"}


GEMINI = [
    gemini_chunk({"text": "Here is "}),
    gemini_chunk({"text": "your cat."}, {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}}),
    gemini_chunk({"text": "And a sound."}),
    gemini_chunk({"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": b64(PCM[0])}}, finish="STOP"),
]
# Gemini 3 Pro Image: interim images while it thinks (`thought: true`), the final one signed.
GEMINI_THINKING = [
    gemini_chunk({"text": "Composing", "thought": True}),
    gemini_chunk({"inlineData": {"mimeType": "image/png", "data": b64(PNG[:20])}, "thought": True}),
    gemini_chunk(
        {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}, "thoughtSignature": "c2ln"}, finish="STOP"
    ),
]


def gemini_files(chunks: list[dict[str, Any]]) -> list[tuple[str, bytes, bool]]:
    """(mime type, bytes, thought) of every `inline_data` part, as google-genai's types read them."""
    genai_types = pytest.importorskip("google.genai.types")
    out = []
    for c in chunks:
        response = genai_types.GenerateContentResponse.model_validate(c)
        for part in response.candidates[0].content.parts:
            if part.inline_data is not None:
                out.append((part.inline_data.mime_type, part.inline_data.data, bool(part.thought)))
    return out


@pytest.mark.parametrize("chunks", [GEMINI, GEMINI_THINKING], ids=["image-and-audio", "thinking-image"])
def test_gemini_inline_data_is_google_genais(backend: ModuleType, chunks: list[dict[str, Any]]) -> None:
    events, message = parsed(backend, sse(*chunks, done=False), "gemini")
    check_ordering(events)
    want = gemini_files(chunks)
    assert [(t, d, p) for _, t, d, p in files_of(events)] == want
    assert [f.id for f in message.files] == [f"file_{n}" for n in range(len(want))]
    assert [(f.media_type, f.data, f.partial) for f in message.files] == want


def test_gemini_file_keeps_wire_order(backend: ModuleType) -> None:
    _, message = parsed(backend, sse(*GEMINI, done=False), "gemini")
    assert [(p.kind, p.text) for p in message.parts] == [
        ("text", "Here is your cat."),
        ("file", ""),
        ("text", "And a sound."),
        ("file", ""),
    ]
    assert message.text == "Here is your cat.And a sound."


def test_gemini_signed_image(backend: ModuleType) -> None:
    events, message = parsed(backend, sse(*GEMINI_THINKING, done=False), "gemini")
    kinds = [e["type"] for e in events if e["type"] not in ("stream_start", "finish")]
    assert kinds == [
        "reasoning_start",
        "reasoning_delta",
        "reasoning_end",
        "file",
        "reasoning_start",
        "reasoning_end",
        "file",
    ]
    assert [e["signature"] for e in events if e["type"] == "reasoning_end"] == [None, "c2ln"]
    assert message.reasoning_signatures == ("c2ln",)


@pytest.mark.parametrize(
    "inline",
    [{"mimeType": "image/png", "data": "not base64!"}, {"mimeType": "image/png"}, "x", {"data": 1}],
    ids=["not-base64", "no-data", "not-an-object", "data-number"],
)
def test_gemini_inline_data_that_is_no_file(backend: ModuleType, inline: Any) -> None:
    body = sse(gemini_chunk({"inlineData": inline}, finish="STOP"), done=False)
    events, _ = parsed(backend, body, "gemini")
    assert files_of(events) == []
    assert [(e["kind"], json.loads(e["raw"])) for e in events if e["type"] == "unknown"] == [("inlineData", inline)]
    assert events[-1]["type"] == "finish"


def test_gemini_media_type_defaults(backend: ModuleType) -> None:
    body = sse(gemini_chunk({"inlineData": {"data": b64(PNG)}}, finish="STOP"), done=False)
    events, _ = parsed(backend, body, "gemini")
    assert files_of(events) == [("file_0", "application/octet-stream", PNG, False)]


# --- OpenAI chat audio ----------------------------------------------------------------------------

AUDIO_ID = "audio_67153952b364819093d6a4aac6e0767a"
AUDIO = sse(
    chunk({"role": "assistant", "refusal": None}),
    chunk({"content": None, "audio": {"id": AUDIO_ID, "transcript": "Hi"}}),
    chunk({"audio": {"data": b64(PCM[0]), "transcript": " there"}}),
    chunk({"audio": {"data": b64(PCM[1])}}),
    chunk({"audio": {"data": b64(PCM[2]), "transcript": "!"}}),
    chunk({"audio": {"expires_at": 1729447778}}),
    chunk({}, "stop"),
)


def sdk_audio(body: bytes) -> tuple[str | None, bytes, str]:
    """(id, bytes, transcript) of choice 0's `delta.audio` chunks read with the openai SDK's types."""
    from openai._models import construct_type
    from openai.types.chat import ChatCompletionChunk

    id, data, transcript = None, b"", ""
    for line in body.decode().splitlines():
        if not line.startswith("data: {"):
            continue
        # The SDK's own lenient construction, as its stream does.
        for choice in construct_type(type_=ChatCompletionChunk, value=json.loads(line[6:])).choices:
            audio = choice.delta.audio
            if audio is not None:
                id = audio.id or id
                data += base64.b64decode(audio.data or "")
                transcript += audio.transcript or ""
    return id, data, transcript


def test_chat_audio_is_one_file_and_its_transcript_the_text(backend: ModuleType) -> None:
    pytest.importorskip("openai")
    events, message = parsed(backend, AUDIO, "openai-chat")
    check_ordering(events)
    id, data, transcript = sdk_audio(AUDIO)
    assert files_of(events) == [(id, "audio/pcm", data, False)]
    assert message.text == transcript == "Hi there!"
    # The file when the choice finishes: after its text, before the finish.
    kinds = [e["type"] for e in events]
    assert kinds[-3:] == ["text_end", "file", "finish"]
    assert [p.kind for p in message.parts] == ["text", "file"]


def test_chat_audio_of_a_cut_stream_is_kept(backend: ModuleType) -> None:
    body = sse(chunk({"audio": {"id": AUDIO_ID, "data": b64(PCM[0])}}), done=False)
    events, _ = parsed(backend, body, "openai-chat")
    assert files_of(events) == [(AUDIO_ID, "audio/pcm", PCM[0], False)]
    assert [e["type"] for e in events][-3:] == ["file", "error", "finish"]


def test_chat_audio_chunk_not_base64(backend: ModuleType) -> None:
    bad = {"data": "%%%"}
    body = sse(chunk({"audio": {"id": AUDIO_ID, "data": b64(PCM[0])}}), chunk({"audio": bad}), chunk({}, "stop"))
    events, _ = parsed(backend, body, "openai-chat")
    assert files_of(events) == [(AUDIO_ID, "audio/pcm", PCM[0], False)]
    assert [(e["kind"], json.loads(e["raw"])) for e in events if e["type"] == "unknown"] == [("audio", bad)]


# --- OpenRouter images ----------------------------------------------------------------------------


def image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


IMAGES = sse(
    chunk({"role": "assistant", "content": "Here it is:"}),
    chunk({"content": "", "images": [image(f"data:image/png;base64,{b64(PNG)}")]}),
    chunk({"content": " enjoy"}),
    chunk({"images": [image(f"data:image/jpeg;base64,{b64(PNG[:9])}"), image("https://example.com/a.png")]}),
    chunk({}, "stop"),
)


def wire_images(body: bytes) -> list[tuple[str, bytes]]:
    """(media type, bytes) of every base64 data URL of `delta.images`, read here with json and base64."""
    out = []
    for line in body.decode().splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:])["choices"]:
                for item in choice["delta"].get("images") or []:
                    url = item["image_url"]["url"]
                    if url.startswith("data:"):
                        head, data = url[5:].split(";base64,", 1)
                        out.append((head, base64.b64decode(data)))
    return out


def test_openrouter_images_are_files(backend: ModuleType) -> None:
    events, message = parsed(backend, IMAGES, "openai-chat")
    check_ordering(events)
    assert [(t, d) for _, t, d, _ in files_of(events)] == wire_images(IMAGES)
    assert len(message.files) == 2
    assert len({f.id for f in message.files}) == 2
    # The list with a URL that is no data URL is kept whole.
    unknown = [json.loads(e["raw"]) for e in events if e["type"] == "unknown"]
    assert unknown == [[image(f"data:image/jpeg;base64,{b64(PNG[:9])}"), image("https://example.com/a.png")]]
    assert [p.kind for p in message.parts] == ["text", "file", "text", "file"]
    assert message.text == "Here it is: enjoy"


def test_image_items_of_another_type_are_passed_over(backend: ModuleType) -> None:
    """An item of the list that is not an object is left out, as in every list of structs (tolerant
    reader); the others are read."""
    with_other = dicts(
        backend.parse(sse(chunk({"images": [1, image(f"data:image/png;base64,{b64(PNG)}")]})), "openai-chat")
    )
    alone = dicts(backend.parse(sse(chunk({"images": [image(f"data:image/png;base64,{b64(PNG)}")]})), "openai-chat"))
    assert with_other == alone
    assert [e["type"] for e in alone].count("file") == 1


# --- Responses code interpreter images ------------------------------------------------------------

CODE_IMAGE = (
    "public/openai-responses/pydantic+pydantic-ai__models.test_openai_responses."
    "test_openai_responses_code_execution_return_image_stream__0.sse"
)


def code_images_on_the_wire(body: bytes) -> list[tuple[str, str, bytes]]:
    """(id, media type, bytes) of the base64 data URL image outputs of each `code_interpreter_call`
    item at its `output_item.done`, read here with json and base64."""
    out = []
    for line in body.decode().splitlines():
        if not line.startswith("data: {"):
            continue
        d = json.loads(line[6:])
        item = d.get("item") or {}
        if d.get("type") == "response.output_item.done" and item.get("type") == "code_interpreter_call":
            for n, output in enumerate(item.get("outputs") or []):
                url = output.get("url") or ""
                if output.get("type") == "image" and url.startswith("data:"):
                    head, data = url[5:].split(";base64,", 1)
                    out.append((f"{item['id']}:{n}", head, base64.b64decode(data)))
    return out


def test_code_interpreter_images_are_files(backend: ModuleType) -> None:
    from .conftest import public_bodies

    bodies = dict(public_bodies("openai-responses"))
    if CODE_IMAGE not in bodies:
        pytest.skip("no public corpus")
    body = bodies[CODE_IMAGE]
    events, message = parsed(backend, body, "openai-responses")
    want = code_images_on_the_wire(body)
    assert want
    assert [(i, t, d) for i, t, d, _ in files_of(events)] == want
    # Each after the call's result, which holds the outputs as sent.
    kinds = [e["type"] for e in events]
    first = kinds.index("file")
    assert kinds[first - 1] == "tool_result"
    assert [f.id for f in message.files] == [i for i, _, _ in want]


# --- Back out: chat's audio and images written by the openai-chat encoder -------------------------


def encoded(backend: ModuleType, events: list[Any], family: str = "openai-chat") -> bytes:
    encoder = backend.Encoder(family)
    return encoder.feed([backend.from_dict(e) for e in events]) + encoder.close()


def as_written(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as chat writes them back (docs/encoding.md): a stream start without `created`
    says 0, and the usage chunk is the finish's metadata."""
    out = []
    for e in events:
        if e["type"] == "stream_start":
            e = {**e, "created": e["created"] or 0}
        elif e["type"] == "finish":
            e = {**e, "provider_metadata_json": None}
        out.append(e)
    return out


def wire_content(body: bytes) -> str:
    """Choice 0's `delta.content`, read here with json."""
    out = ""
    for line in body.decode().splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:])["choices"]:
                out += choice["delta"].get("content") or ""
    return out


def test_chat_audio_goes_back_as_delta_audio(backend: ModuleType) -> None:
    """The file is one `delta.audio` chunk with its id and data (the openai SDK's chunk type reads
    them back), its transcript the content; parsed again, the same events."""
    pytest.importorskip("openai")
    events, _ = parsed(backend, AUDIO, "openai-chat")
    body = encoded(backend, events)
    assert sdk_audio(body) == (AUDIO_ID, b"".join(PCM), "")
    assert wire_content(body) == "Hi there!"
    assert as_written(parsed(backend, body, "openai-chat")[0]) == as_written(events)


def test_openrouter_images_go_back_as_data_urls(backend: ModuleType) -> None:
    """Each image file is a `delta.images` data URL where the text stood; parsed again, the same
    events but the list the decoder could not read (an unknown, which no target carries)."""
    events, _ = parsed(backend, IMAGES, "openai-chat")
    body = encoded(backend, events)
    assert wire_images(body) == [(t, d) for _, t, d, _ in files_of(events)] == wire_images(IMAGES)[:2]
    assert wire_content(body) == "Here it is: enjoy"
    known = [e for e in events if e["type"] != "unknown"]
    assert as_written(parsed(backend, body, "openai-chat")[0]) == as_written(known)


def test_chat_carries_no_other_file(backend: ModuleType) -> None:
    """A preview, audio of another type than pcm16 (chat names none) and a document have no place
    in a chunk (docs/encoding.md)."""
    events = [
        {"type": "file", "id": "f1", "media_type": "image/png", "data": b64(PNG), "partial": True},
        {"type": "file", "id": "f2", "media_type": "audio/wav", "data": b64(PCM[0]), "partial": False},
        {"type": "file", "id": "f3", "media_type": "application/pdf", "data": b64(PNG), "partial": False},
    ]
    body = encoded(backend, events)
    assert b"audio" not in body
    assert b"images" not in body
    assert files_of(parsed(backend, body, "openai-chat")[0]) == []


def test_gemini_image_and_sound_into_chat(backend: ModuleType) -> None:
    """Gemini's final images cross into chat as OpenRouter images; its L16 sound (not chat's pcm16
    by name) is dropped, and the thought image, a preview, too."""
    events, _ = parsed(backend, sse(*GEMINI_THINKING, *GEMINI, done=False), "gemini")
    chat = encoded(backend, events)
    finals = [(t, d) for _, t, d, partial in files_of(events) if not partial and t.startswith("image/")]
    assert len(finals) == 2
    assert wire_images(chat) == finals
    again = files_of(parsed(backend, chat, "openai-chat")[0])
    assert [(t, d, partial) for _, t, d, partial in again] == [(t, d, False) for t, d in finals]
