"""What every view shares: the per-user state, error handling, citations and audio files."""

from __future__ import annotations

import functools
import html
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import gradio as gr

from ui_common.http import HttpApi
from ui_student.api import Api, ApiError

P = ParamSpec("P")
R = TypeVar("R")
MEDIA_DIR = Path(tempfile.gettempdir()) / "profai-student-media"
MEDIA_MAX_AGE_SECONDS = 3600


@dataclass
class Ctx:
    """The API's address and the components that every view reads or writes.

    The states are the only per-user memory of the app: the token, the open course, lesson
    and chat session. Everything else is asked of the API each time. `language` is the
    answer-language picker, which the tutor, read-aloud and voice questions all follow.
    """

    api_url: str
    token: gr.State
    course_id: gr.State
    lesson_id: gr.State
    session_id: gr.State
    tabs: gr.Tabs
    course_header: gr.Markdown
    language: gr.Dropdown
    # The app's one client of the API (pooled connections, ui_common/http.py).
    http: HttpApi | None = None

    def api(self, token: str) -> Api:
        return Api(self.api_url, token, http=self.http)

    def anonymous_api(self, request: gr.Request | None) -> Api:
        """The API for logging in or registering, on behalf of the browser's address."""
        client = getattr(request, "client", None)
        return Api(self.api_url, "", client_ip=str(getattr(client, "host", "") or ""), http=self.http)


class Problem(Exception):
    """Something the student can fix (a missing field, no course open): shown next to the control."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def warn(message: str) -> str:
    """A status line (Markdown with a styled block) that says what went wrong."""
    text = message[:1].upper() + message[1:]  # the API's messages start in lower case
    return f"<div class='problem' role='alert'>⚠️ {esc(text)}</div>"


def failed(message: str, at: int, count: int) -> Any:
    """Outputs that leave everything as it is except the status at `at`, which shows `message`.

    Errors never go through `gr.Error`: its modal and the red "Error" marks it puts on every
    output would cover the form and leave its controls unusable until a reload.
    """
    if count == 1:
        return warn(message)
    return tuple(warn(message) if i == at else gr.skip() for i in range(count))


def inline(at: int = 0, count: int = 1) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """An event handler whose `ApiError` or `Problem` shows in its status output (index `at` of `count`)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except (ApiError, Problem) as exc:
                return cast(R, failed(exc.message, at, count))

        return wrapper

    return decorate


def inline_stream(at: int, count: int) -> Callable[[Callable[P, Iterator[R]]], Callable[P, Iterator[R]]]:
    """`inline` for generators (streamed answers, audio being prepared)."""

    def decorate(fn: Callable[P, Iterator[R]]) -> Callable[P, Iterator[R]]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
            try:
                yield from fn(*args, **kwargs)
            except (ApiError, Problem) as exc:
                yield cast(R, failed(exc.message, at, count))

        return wrapper

    return decorate


def need_login(token: str) -> None:
    if not token:
        raise Problem("Please log in first.")


def need_course(token: str, course_id: str) -> None:
    need_login(token)
    if not course_id:
        raise Problem("Open a course first (tab “Courses”).")


def need_lesson(token: str, lesson_id: str) -> None:
    need_login(token)
    if not lesson_id:
        raise Problem("Open a lesson first: pick one in the course outline.")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def md_escape(text: object) -> str:
    """Plain text safe inside Markdown (titles written by teachers or generated)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", str(text))


def audio_file(data: bytes, suffix: str = ".mp3") -> str:
    """Bytes of speech as a temporary file for `gr.Audio`."""
    if not data:
        raise Problem("The server sent no audio.")
    return temp_file(data, suffix)


def temp_file(data: bytes, suffix: str) -> str:
    """Bytes from the API as a temporary file for a Gradio media component (Gradio copies it into its cache).

    Files older than an hour are removed on the way, so the folder never grows.
    """
    MEDIA_DIR.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - MEDIA_MAX_AGE_SECONDS
    for old in MEDIA_DIR.glob("*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    path = MEDIA_DIR / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return str(path)


def skip() -> Any:
    """Leave an output as it is."""
    return gr.skip()
