"""The ProfessorAI API as the student app uses it, on the UIs' shared client (ui_common/http.py).

An `Api` holds the caller's token (kept in the user's `gr.State`) and the app's one `HttpApi`
(its pooled connections, made once in `build`): a new `Api` per request costs nothing.
Every failure (an error reply, a refused connection, a timeout) becomes an `ApiError` with a
message fit to show to the student.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from ui_common.http import ApiError, HttpApi, api_error_shape, bearer

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


def error_of(response: httpx.Response) -> ApiError:
    """The API's `{"error": {"code", "message"}}`, or a plain message for any other body."""
    status = response.status_code
    code, message = api_error_shape(response)
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

    # The app's shared client (`connect`); an Api made without one opens its own.
    http: HttpApi | None = field(default=None, compare=False, repr=False)

    def _headers(self) -> dict[str, str]:
        headers = bearer(self.token)
        if self.client_ip:
            headers["X-Forwarded-For"] = self.client_ip
        return headers

    def _http(self) -> HttpApi:
        return self.http if self.http is not None else connect(self.base_url)

    def request(self, method: str, path: str, *, timeout: httpx.Timeout = TIMEOUT, **kwargs: Any) -> httpx.Response:
        return self._http().request(method, path, headers=self._headers(), timeout=timeout, **kwargs)

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
        path = f"/api/v1/courses/{course_id}/chat/stream"
        for event in self._http().events("POST", path, headers=self._headers(), timeout=AUDIO_TIMEOUT, json=body):
            if event.get("type") == "error":
                raise ApiError(
                    str(event.get("message") or "The tutor could not answer."), 200, str(event.get("code") or "")
                )
            yield event

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


def connect(base_url: str, transport: httpx.BaseTransport | None = None) -> HttpApi:
    """The student app's client of the API at `base_url` (one per app process: see `build`)."""
    return HttpApi(base_url, timeout=TIMEOUT, error_of=error_of, unreachable=_unreachable, transport=transport)
