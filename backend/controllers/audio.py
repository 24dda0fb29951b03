"""Speech out and in: text and lessons read aloud, class-mode lectures, transcription.

Audio is streamed: the first sentence plays while the rest is still being synthesized. The
first piece is produced before the response starts, so a bad voice, an unknown language or
a provider that is down still comes back as a JSON error with a 4xx/503 status instead of a
broken 200 stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import Parameter
from litestar.response import Stream

from backend.db import ServicesDep, SessionDep
from backend.rate_limits import per_user
from backend.schemas.common import Input
from core.audio.engines import AudioEngines
from core.audio.formats import MEDIA_TYPES, check_format
from core.audio.lecture import SpokenText, lecture_script, lesson_speech
from core.audio.stream import speak_stream, transcribe
from core.audio.text import readable_in, speakable
from core.errors import InvalidInput, TooLarge
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.services.chat import ChatHistory
from core.services.lesson_speech import SpeakableLesson
from core.services.lesson_speech import lesson_to_speak as speakable_lesson
from core.settings import Settings

PrincipalRequest = Request[Principal, Any, Any]
Format = Literal["wav", "mp3", "ogg"]
FormatParam = Annotated[Format, Parameter(description="Audio format: mp3 (default), ogg or wav")]
LanguageParam = Annotated[
    str | None,
    Parameter(description="Language of the voice, e.g. hi or ta-IN (default: the course's language)", max_length=16),
]
READ_SIZE = 1024 * 1024


class TtsIn(Input):
    text: str
    voice: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    format: Format = "mp3"


class TranscriptOut(msgspec.Struct):
    text: str
    language: str
    duration: float


class LectureOut(msgspec.Struct):
    lesson_id: str
    course_id: str
    title: str
    script: str
    language: str
    source: str


async def audio_response(
    engines: AudioEngines,
    text: str,
    fmt: str,
    *,
    voice: str | None = None,
    language: str | None = None,
    filename: str = "speech",
    headers: dict[str, str] | None = None,
) -> Stream:
    audio_format = check_format(fmt)
    pieces = speak_stream(engines, text, voice, audio_format, language=language, whole_file=True)
    # Pull the first piece now: errors before any byte is sent keep the JSON error shape.
    first = await anext(pieces, b"")

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for piece in pieces:
            yield piece

    return Stream(
        body(),
        media_type=MEDIA_TYPES[audio_format],
        headers={
            "Content-Disposition": f'inline; filename="{filename}.{audio_format}"',
            "Cache-Control": "private, max-age=3600",
            **(headers or {}),
        },
    )


async def spoken_response(
    engines: AudioEngines, spoken: SpokenText, fmt: str, voice: str | None, filename: str
) -> Stream:
    """A lesson or lecture spoken, saying which language it is in: offline, a lesson asked for in
    another language is read in its own (no model to translate it), and the caller can tell."""
    headers = {"Content-Language": spoken.language, "X-Speech-Source": spoken.source}
    return await audio_response(
        engines, spoken.text, fmt, voice=voice, language=spoken.language, filename=filename, headers=headers
    )


def check_text(settings: Settings, text: str) -> str:
    if not text.strip():
        raise InvalidInput("the text is empty")
    if len(text) > settings.max_tts_chars:
        raise TooLarge(f"the text is longer than {settings.max_tts_chars} characters")
    return text


async def lesson_to_speak(session: SessionDep, principal: Principal, lesson_id: str) -> SpeakableLesson:
    """The lesson (core/services/lesson_speech.py), then this request's read transaction ended."""
    lesson = await speakable_lesson(session, principal, lesson_id)
    await session.commit()
    return lesson


async def read_audio_field(request: PrincipalRequest, settings: Settings, fields: tuple[str, ...]) -> tuple[bytes, str]:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput(f"send the recording as multipart/form-data in the field '{fields[0]}'")
    form = await request.form()
    upload = next((form.get(f) for f in fields if isinstance(form.get(f), UploadFile)), None)
    if not isinstance(upload, UploadFile):
        raise InvalidInput(f"no recording in the request: send it in the multipart field '{fields[0]}'")
    limit = int(settings.max_audio_mb * 1024 * 1024)
    data = bytearray()
    while chunk := await upload.read(READ_SIZE):
        data += chunk
        if len(data) > limit:
            raise TooLarge(f"the audio is larger than {settings.max_audio_mb:g} MB")
    language = form.get("language")
    return bytes(data), language if isinstance(language, str) and language.strip() else ""


class AudioController(Controller):
    path = "/api/v1"
    tags = ["audio"]
    guards = [per_user(Rule.AUDIO)]

    @post("/tts", status_code=200, summary="Speak a text (streamed audio; cached)")
    async def tts(self, data: TtsIn, svc: ServicesDep) -> Stream:
        text = check_text(svc.settings, data.text)
        return await audio_response(svc.audio, text, data.format, voice=data.voice, language=data.language)

    @get("/lessons/{lesson_id:str}/audio", summary="The lesson read aloud (streamed audio; cached)")
    async def lesson_audio(
        self,
        lesson_id: str,
        request: PrincipalRequest,
        session: SessionDep,
        svc: ServicesDep,
        format: FormatParam = "mp3",
        voice: str | None = None,
        language: LanguageParam = None,
    ) -> Stream:
        lesson = await lesson_to_speak(session, request.user, lesson_id)
        spoken = await lesson_speech(svc.audio, lesson.title, lesson.body, language, lesson.written_in)
        return await spoken_response(svc.audio, spoken, format, voice, f"lesson-{lesson_id}")

    @get("/chat/messages/{message_id:str}/audio", summary="A tutor answer of mine read aloud (streamed; cached)")
    async def message_audio(
        self,
        message_id: str,
        request: PrincipalRequest,
        session: SessionDep,
        svc: ServicesDep,
        format: FormatParam = "mp3",
        voice: str | None = None,
    ) -> Stream:
        message = await ChatHistory(session).message(request.user, message_id)
        # In the language the answer is written in (stored with it), never a voice that would misread it.
        text, language = readable_in(speakable(message.content), message.language), message.language
        await session.commit()
        return await audio_response(
            svc.audio, text, format, voice=voice, language=language, filename=f"answer-{message_id}",
            headers={"Content-Language": language},
        )

    @get("/lessons/{lesson_id:str}/lecture", summary="Class mode: the lesson as a spoken lecture script")
    async def lecture(
        self,
        lesson_id: str,
        request: PrincipalRequest,
        session: SessionDep,
        svc: ServicesDep,
        language: LanguageParam = None,
    ) -> LectureOut:
        lesson = await lesson_to_speak(session, request.user, lesson_id)
        script = await lecture_script(
            svc.audio, lesson.title, lesson.body, lesson.summary, language, lesson.written_in
        )
        return LectureOut(lesson.id, lesson.course_id, lesson.title, script.text, script.language, script.source)

    @get("/lessons/{lesson_id:str}/lecture/audio", summary="Class mode: the lecture spoken (streamed audio)")
    async def lecture_audio(
        self,
        lesson_id: str,
        request: PrincipalRequest,
        session: SessionDep,
        svc: ServicesDep,
        format: FormatParam = "mp3",
        voice: str | None = None,
        language: LanguageParam = None,
    ) -> Stream:
        lesson = await lesson_to_speak(session, request.user, lesson_id)
        script = await lecture_script(
            svc.audio, lesson.title, lesson.body, lesson.summary, language, lesson.written_in
        )
        return await spoken_response(svc.audio, script, format, voice, f"lecture-{lesson_id}")

    @post(
        "/stt",
        status_code=200,
        summary="Transcribe a recording (multipart: 'audio' as WAV, MP3, WebM or OGG; 'language', e.g. hi)",
    )
    async def stt(self, request: PrincipalRequest, svc: ServicesDep) -> TranscriptOut:
        data, language = await read_audio_field(request, svc.settings, ("audio",))
        result = await transcribe(svc.audio, data, language or None)
        return TranscriptOut(result.text, result.language, result.duration)


class LegacyAudioController(Controller):
    """The older system's audio routes, kept for its existing clients."""

    path = "/api"
    tags = ["legacy"]
    guards = [per_user(Rule.AUDIO)]

    @post("/tts", status_code=200, summary="Legacy: speak a text ({text, voice?, language?, format?})")
    async def tts(self, data: dict[str, Any], svc: ServicesDep) -> Stream:
        text = data.get("text")
        if not isinstance(text, str):
            raise InvalidInput("'text' is required")
        fmt = str(data.get("format") or "mp3")
        voice, language = data.get("voice"), data.get("language")
        return await audio_response(
            svc.audio,
            check_text(svc.settings, text),
            fmt,
            voice=voice if isinstance(voice, str) else None,
            language=language if isinstance(language, str) else None,
        )

    @post("/stt", status_code=200, summary="Legacy: transcribe a recording (multipart field 'audio' or 'file')")
    async def stt(self, request: PrincipalRequest, svc: ServicesDep) -> dict[str, Any]:
        data, language = await read_audio_field(request, svc.settings, ("audio", "file"))
        result = await transcribe(svc.audio, data, language or None)
        return {
            "text": result.text,
            "transcript": result.text,
            "language": result.language,
            "duration": result.duration,
        }
