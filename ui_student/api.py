"""A typed HTTP client of the ProfessorAI API, as the student app uses it.

The client holds only the API's base URL and the caller's token: a new one is made per
request from values kept in the user's `gr.State`, so the app keeps no state of its own.
Every failure (an error reply, a refused connection, a timeout) becomes an `ApiError` with a
message fit to show to the student.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
AUDIO_TIMEOUT = httpx.Timeout(180.0, connect=5.0)
STATUS_MESSAGES = {
    400: "That request was not valid: please check what you entered.",
    401: "Your session has ended: please log in again.",
    403: "You are not allowed to do that.",
    404: "Not found: it may have been removed, or you are not enrolled in this course.",
    413: "That is too large.",
    429: "Too many requests: please wait a moment and try again.",
    503: "The service is busy or unavailable right now: please try again shortly.",
}

Json = dict[str, Any]


@dataclass(frozen=True)
class Speech:
    audio: bytes
    language: str  # what the audio is spoken in: without a model the server reads a lesson as written


class ApiError(Exception):
    """A failed API call: a human message, the HTTP status (0 when the API was unreachable) and the error code."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


def error_of(response: httpx.Response) -> ApiError:
    """The API's `{"error": {"code", "message"}}`, or a plain message for any other body."""
    status = response.status_code
    code, message = "", ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = str(body["error"].get("code") or "")
        message = str(body["error"].get("message") or "")
    if not message or message.lower().startswith("validation failed"):
        message = STATUS_MESSAGES.get(status, message or f"The server answered with an error ({status}).")
    return ApiError(message[:1].upper() + message[1:], status, code)


def _unreachable(exc: httpx.HTTPError) -> ApiError:
    if isinstance(exc, httpx.TimeoutException):
        return ApiError("The server took too long to answer: please try again.", 0, "timeout")
    return ApiError("Cannot reach the ProfessorAI server: please try again in a moment.", 0, "unreachable")


@dataclass(frozen=True)
class Api:
    """The API at `base_url`, called as the user whose bearer `token` it carries."""

    base_url: str
    token: str = ""
    # The browser's address on logins and registrations: the API limits those per client
    # address, which must be the student's, not this app's (trusted from FORWARDED_ALLOW_IPS).
    client_ip: str = ""

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.client_ip:
            headers["X-Forwarded-For"] = self.client_ip
        return headers

    def _client(self, timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
        return httpx.Client(base_url=self.base_url.rstrip("/"), headers=self._headers(), timeout=timeout)

    def request(self, method: str, path: str, *, timeout: httpx.Timeout = TIMEOUT, **kwargs: Any) -> httpx.Response:
        try:
            with self._client(timeout) as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc
        if response.status_code >= 400:
            raise error_of(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError("The server sent an answer this app cannot read.", response.status_code) from exc

    # --- accounts -------------------------------------------------------------------------
    def login(self, email: str, password: str) -> Json:
        return dict(self.json("POST", "/api/v1/auth/login", json={"email": email, "password": password}))

    def register(self, email: str, password: str, name: str = "") -> Json:
        body = {"email": email, "password": password, "name": name, "role": "student"}
        return dict(self.json("POST", "/api/v1/auth/register", json=body))

    def logout(self) -> None:
        self.request("POST", "/api/v1/auth/logout")

    def me(self) -> Json:
        return dict(self.json("GET", "/api/v1/auth/me"))

    # --- courses and content --------------------------------------------------------------
    def courses(self) -> list[Json]:
        return list(self.json("GET", "/api/v1/courses"))

    def join(self, code: str) -> Json:
        return dict(self.json("POST", "/api/v1/enrollments", json={"code": code}))

    def outline(self, course_id: str) -> Json:
        return dict(self.json("GET", f"/api/v1/courses/{course_id}/outline"))

    def lesson(self, lesson_id: str) -> Json:
        return dict(self.json("GET", f"/api/v1/lessons/{lesson_id}"))

    def page_image(self, course_id: str, document_id: str, page: int) -> bytes:
        """A cited page of a PDF as PNG, rendered by the API (students of the course may fetch it)."""
        path = f"/api/v1/courses/{course_id}/documents/{document_id}/pages/{page}"
        return self.request("GET", path).content

    def complete(self, lesson_id: str) -> Json:
        return dict(self.json("POST", f"/api/v1/lessons/{lesson_id}/complete"))

    def course_progress(self, course_id: str) -> Json:
        return dict(self.json("GET", f"/api/v1/courses/{course_id}/progress"))

    def my_progress(self) -> list[Json]:
        return list(self.json("GET", "/api/v1/me/progress"))

    # --- tutor chat -----------------------------------------------------------------------
    def ask(self, course_id: str, question: str, session_id: str | None = None, language: str = "en") -> Json:
        body = chat_body(question, session_id, language)
        return dict(self.json("POST", f"/api/v1/courses/{course_id}/chat", json=body))

    def ask_stream(
        self, course_id: str, question: str, session_id: str | None = None, language: str = "en"
    ) -> Iterator[Json]:
        """The SSE events of an answer (token*, citations, done), each as its JSON data; error events raise."""
        body = chat_body(question, session_id, language)
        try:
            with (
                self._client(AUDIO_TIMEOUT) as client,
                client.stream("POST", f"/api/v1/courses/{course_id}/chat/stream", json=body) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    raise error_of(response)
                for event in parse_sse(response.iter_lines()):
                    if event.get("type") == "error":
                        raise ApiError(
                            str(event.get("message") or "The tutor could not answer."),
                            200,
                            str(event.get("code") or ""),
                        )
                    yield event
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc

    def chat_sessions(self, course_id: str) -> list[Json]:
        return list(self.json("GET", f"/api/v1/courses/{course_id}/chat/sessions"))

    def chat_session(self, session_id: str) -> Json:
        return dict(self.json("GET", f"/api/v1/chat/sessions/{session_id}"))

    # --- quizzes --------------------------------------------------------------------------
    def quizzes(self, course_id: str) -> list[Json]:
        return list(self.json("GET", f"/api/v1/courses/{course_id}/quizzes"))

    def quiz(self, quiz_id: str) -> Json:
        return dict(self.json("GET", f"/api/v1/quizzes/{quiz_id}"))

    def submit(self, quiz_id: str, answers: dict[str, int]) -> Json:
        return dict(self.json("POST", f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": answers}))

    # --- audio ----------------------------------------------------------------------------
    def tts(self, text: str, fmt: str = "mp3", language: str | None = None) -> bytes:
        body: Json = {"text": text, "format": fmt}
        if language:
            body["language"] = language
        return self.request("POST", "/api/v1/tts", json=body, timeout=AUDIO_TIMEOUT).content

    def lesson_audio(self, lesson_id: str, fmt: str = "mp3", language: str | None = None) -> Speech:
        """The lesson read aloud; in the course's language unless `language` is given."""
        return self._speech(f"/api/v1/lessons/{lesson_id}/audio", fmt, language)

    def lecture(self, lesson_id: str, language: str | None = None) -> Json:
        params = {"language": language} if language else None
        return dict(self.json("GET", f"/api/v1/lessons/{lesson_id}/lecture", params=params, timeout=AUDIO_TIMEOUT))

    def lecture_audio(self, lesson_id: str, fmt: str = "mp3", language: str | None = None) -> Speech:
        return self._speech(f"/api/v1/lessons/{lesson_id}/lecture/audio", fmt, language)

    def _speech(self, path: str, fmt: str, language: str | None) -> Speech:
        reply = self.request("GET", path, params=audio_params(fmt, language), timeout=AUDIO_TIMEOUT)
        return Speech(reply.content, reply.headers.get("content-language", language or ""))

    def stt(self, filename: str, data: bytes, language: str = "") -> Json:
        form = {"language": language} if language else None
        files = {"audio": (filename, data)}
        return dict(self.json("POST", "/api/v1/stt", files=files, data=form, timeout=AUDIO_TIMEOUT))


def audio_params(fmt: str, language: str | None) -> dict[str, str]:
    return {"format": fmt, "language": language} if language else {"format": fmt}


def chat_body(question: str, session_id: str | None, language: str) -> Json:
    body: Json = {"question": question, "language": language or "en"}
    if session_id:
        body["session_id"] = session_id
    return body


def parse_sse(lines: Iterator[str]) -> Iterator[Json]:
    """Server-sent events → the JSON object in each event's data (the event name lands in `type`)."""
    name = ""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data:
                yield _event(name, "\n".join(data))
            name, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield _event(name, "\n".join(data))


def _event(name: str, data: str) -> Json:
    try:
        value = json.loads(data)
    except ValueError:
        value = {"text": data}
    if not isinstance(value, dict):
        value = {"value": value}
    value.setdefault("type", name or "message")
    return value
