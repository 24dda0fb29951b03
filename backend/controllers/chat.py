"""The course tutor over HTTP (full answer or SSE), websocket, and the legacy /api/chat."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.exceptions import NotAuthorizedException, WebSocketDisconnect, WebSocketException
from litestar.response import Stream

from backend.auth import resolve_secret
from backend.db import ServicesDep, SessionDep
from backend.errors import close_for_outage, outage_event
from backend.rate_limits import IN_FLIGHT_RETRY_AFTER, at_capacity_message, holding, per_user, refusal_message
from backend.schemas.chat import ChatIn, ChatMessageOut, ChatOut, ChatSessionDetailOut, ChatSessionOut, LegacyChatIn
from backend.schemas.common import Input
from backend.sse import EventStream
from core.audio.stream import speak_stream, transcribe
from core.audio.text import readable_in, speakable
from core.errors import DomainError, Forbidden, InvalidInput
from core.security.concurrency import AtCapacity, Kind
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.services.chat import ChatHistory, ChatService, Turn

log = logging.getLogger(__name__)
LOGIN_TIMEOUT_SECONDS = 10.0
PrincipalRequest = Request[Principal, Any, Any]


def chat_service(svc: ServicesDep) -> ChatService:
    return ChatService(
        svc.sessions, svc.settings, svc.retriever, svc.files, svc.reads, svc.tutor_pages,
        writer=svc.chat_writer, answerer=svc.answerer,
    )


def _error_event(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, DomainError):
        return {"type": "error", "code": exc.code, "message": exc.message}
    if (event := outage_event(exc)) is not None:
        return event
    log.exception("chat stream failed", exc_info=exc)
    return {"type": "error", "code": "internal_error", "message": "something went wrong on our side"}


async def _guarded(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """The events, then an error event if the stream breaks: a client is never left hanging."""
    try:
        async for event in events:
            yield event
    except Exception as exc:  # noqa: BLE001 - reported to the client as an event, and logged
        yield _error_event(exc)


async def _primed(service: ChatService, turn: Turn) -> AsyncIterator[dict[str, Any]]:
    """Start the answer before the response does, so a provider down at once is a real 503.

    After the first event the status line has gone out; later failures become error events.
    """
    events = service.stream(turn)
    first = await anext(events)

    async def rest() -> AsyncIterator[dict[str, Any]]:
        yield first
        async for event in events:
            yield event

    return _guarded(rest())


class ChatController(Controller):
    path = "/api/v1"
    tags = ["chat"]

    @post(
        "/courses/{course_id:str}/chat",
        status_code=200,
        guards=[per_user(Rule.CHAT)],
        summary="Ask the course tutor; the full answer",
    )
    async def ask(self, course_id: str, data: ChatIn, request: PrincipalRequest, svc: ServicesDep) -> ChatOut:
        reply = await chat_service(svc).ask(request.user, course_id, data.question, data.session_id, data.language)
        return ChatOut.of(reply)

    @post(
        "/courses/{course_id:str}/chat/stream",
        status_code=200,
        guards=[per_user(Rule.CHAT)],
        summary="Ask the course tutor; SSE events token*, citations, done (or error)",
    )
    async def ask_stream(
        self, course_id: str, data: ChatIn, request: PrincipalRequest, svc: ServicesDep
    ) -> Stream:
        service = chat_service(svc)

        async def start() -> AsyncIterator[dict[str, Any]]:
            turn = await service.prepare(request.user, course_id, data.question, data.session_id, data.language)
            return await _primed(service, turn)

        return EventStream(await holding(svc, Kind.STREAM, request.user.user_id, start))

    @get("/courses/{course_id:str}/chat/sessions", summary="My chat sessions in this course")
    async def sessions(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> list[ChatSessionOut]:
        rows = await ChatHistory(session).sessions(request.user, course_id)
        return [ChatSessionOut.of(s, n) for s, n in rows]

    @get("/chat/sessions/{session_id:str}", summary="One of my chat sessions with its messages")
    async def session_detail(
        self, session_id: str, request: PrincipalRequest, session: SessionDep
    ) -> ChatSessionDetailOut:
        chat, messages = await ChatHistory(session).messages(request.user, session_id)
        return ChatSessionDetailOut(ChatSessionOut.of(chat, len(messages)), [ChatMessageOut.of(m) for m in messages])

    @websocket("/ws/courses/{course_id:str}/chat")
    async def chat_socket(
        self, socket: WebSocket[Principal | None, Any, Any], course_id: str, svc: ServicesDep
    ) -> None:
        await socket.accept()
        try:
            await _converse(socket, course_id, svc)
        except Exception as exc:
            # The database or the store went away: 1013 (try again later), not Litestar's 4500.
            if not await close_for_outage(socket, exc):
                raise


async def _converse(socket: WebSocket[Principal | None, Any, Any], course_id: str, svc: ServicesDep) -> None:
    service = chat_service(svc)
    principal = socket.user or await _first_message_login(socket, svc)
    if principal is None:
        return
    try:
        if not principal.can_write():
            raise Forbidden("this API key is read-only (scope 'write' is missing)")
        await service.check_course(principal, course_id)
    except DomainError as exc:
        await socket.send_json(_error_event(exc))
        await socket.close(code=4404 if exc.code == "not_found" else 4403, reason=exc.message[:120])
        return
    while True:
        try:
            message = await socket.receive()
        except WebSocketDisconnect:
            return
        if message["type"] == "websocket.disconnect":
            return
        refusal = await svc.limits.acquire(Rule.CHAT, principal.user_id)
        if refusal is not None:
            await socket.send_json(
                {
                    "type": "error",
                    "code": "too_many_requests",
                    "message": refusal_message(refusal),
                    "retry_after": refusal.retry_after,
                }
            )
            continue
        try:
            text = message.get("text")
            ask = _parse_socket_message(text if isinstance(text, str) else None)
            question = await _question_of(socket, svc, ask)
            turn = await service.prepare(principal, course_id, question, ask.session_id, ask.language)
        except Exception as exc:  # noqa: BLE001 - the client gets an error event and may ask again
            await socket.send_json(_error_event(exc))
            continue
        try:
            slot = await svc.inflight.take(Kind.STREAM, principal.user_id)
        except AtCapacity as exc:
            await socket.send_json(
                {
                    "type": "error",
                    "code": "too_many_requests",
                    "message": at_capacity_message(exc),
                    "retry_after": IN_FLIGHT_RETRY_AFTER,
                }
            )
            continue
        try:
            parts: list[str] = []
            async for event in _guarded(service.stream(turn)):
                if event["type"] == "token":
                    parts.append(event["text"])
                elif event["type"] == "done" and ask.audio:
                    await _send_audio(socket, svc, "".join(parts), turn.answer_language)
                await socket.send_json(event)
        finally:
            await svc.inflight.release(Kind.STREAM, principal.user_id, slot)


class SocketLogin(msgspec.Struct, forbid_unknown_fields=True):
    token: str


async def _first_message_login(socket: WebSocket[Any, Any, Any], svc: ServicesDep) -> Principal | None:
    """A socket opened without credentials must send {"token": ...} first; it gets
    {"type": "ready"} back, or an error event and the socket closed (4401)."""
    try:
        raw = await asyncio.wait_for(socket.receive_text(), LOGIN_TIMEOUT_SECONDS)
        login = msgspec.json.decode(raw, type=SocketLogin)
        principal = await resolve_secret(svc, login.token.strip())
    except (WebSocketDisconnect, WebSocketException):
        return None
    except (TimeoutError, msgspec.DecodeError, NotAuthorizedException) as exc:
        message = (
            exc.detail
            if isinstance(exc, NotAuthorizedException)
            else 'send {"token": "<your API token>"} as the first message'
        )
        await socket.send_json({"type": "error", "code": "unauthenticated", "message": message})
        await socket.close(code=4401, reason=message[:120])
        return None
    await socket.send_json({"type": "ready"})
    return principal


class SocketAsk(Input):
    question: str | None = None
    recording: str | None = None  # a spoken question: base64 of a WAV, MP3, WebM or OGG recording
    session_id: str | None = None
    language: str | None = None  # the student's; left out, the question's own
    audio: bool = False  # ask for spoken audio events (see _send_audio)


def _parse_socket_message(raw: str | None) -> SocketAsk:
    if raw is None:
        raise InvalidInput('send JSON text messages; a recording goes base64-encoded in "recording"')
    try:
        ask = msgspec.json.decode(raw, type=SocketAsk)
    except msgspec.DecodeError as exc:
        raise InvalidInput(f'send a JSON object like {{"question": "..."}}: {exc}') from exc
    if (ask.question is None) == (ask.recording is None):
        raise InvalidInput('send either "question" (text) or "recording" (base64 audio), not both')
    return ask


async def _question_of(socket: WebSocket[Any, Any, Any], svc: ServicesDep, ask: SocketAsk) -> str:
    """The question's text; a recording is transcribed first, and the transcript is sent back
    (a `transcript` event) so the student sees what was heard."""
    if ask.recording is None:
        return ask.question or ""
    try:
        data = base64.b64decode(ask.recording, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f'"recording" is not base64: {exc}') from exc
    heard = await transcribe(svc.audio, data, ask.language or "en")  # checks MAX_AUDIO_MB, MAX_AUDIO_SECONDS
    text = " ".join(heard.text.split())
    await socket.send_json({"type": "transcript", "text": text, "language": heard.language, "duration": heard.duration})
    if not text:
        raise InvalidInput("no speech was recognised in the recording: try again, or type the question")
    return text


async def _send_audio(socket: WebSocket[Any, Any, Any], svc: ServicesDep, text: str, language: str) -> None:
    """The stored answer spoken, as `audio` events (base64 MP3 pieces, one per sentence or so),
    between `citations` and `done`. Audio failing never loses the text answer."""
    try:
        seq = 0
        spoken = readable_in(speakable(text), language)
        async for piece in speak_stream(svc.audio, spoken, fmt="mp3", language=language):
            await socket.send_json(
                {"type": "audio", "format": "mp3", "seq": seq, "data": base64.b64encode(piece).decode()}
            )
            seq += 1
        await socket.send_json({"type": "audio_end", "pieces": seq})
    except Exception as exc:  # noqa: BLE001 - the text answer stands without its audio
        await socket.send_json(_error_event(exc) | {"code": getattr(exc, "code", "audio_failed")})


class LegacyChatController(Controller):
    path = "/api"
    tags = ["legacy"]

    @post(
        "/chat",
        status_code=200,
        guards=[per_user(Rule.CHAT)],
        summary="Legacy: ask the tutor (body: course_id, question, session_id?)",
    )
    async def chat(self, data: LegacyChatIn, request: PrincipalRequest, svc: ServicesDep) -> dict[str, Any]:
        reply = await chat_service(svc).ask(request.user, data.course_id, data.question, data.session_id, data.language)
        return {
            "answer": reply.answer,
            "citations": reply.citations,
            "session_id": reply.session_id,
            "message_id": reply.message_id,
        }
