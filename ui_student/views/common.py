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
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from ui_student.api import Api, ApiError

P = ParamSpec("P")
R = TypeVar("R")
MEDIA_DIR = Path(tempfile.gettempdir()) / "profai-student-media"
MEDIA_MAX_AGE_SECONDS = 3600
NO_CITATIONS = "<p class='muted'>No citations yet.</p>"


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

    def api(self, token: str) -> Api:
        return Api(self.api_url, token)

    def anonymous_api(self, request: gr.Request | None) -> Api:
        """The API for logging in or registering, on behalf of the browser's address."""
        client = getattr(request, "client", None)
        return Api(self.api_url, "", client_ip=str(getattr(client, "host", "") or ""))


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Turns an `ApiError` into a clear message for the student instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            raise gr.Error(exc.message, print_exception=False) from None

    return wrapper


def friendly_stream(fn: Callable[P, Iterator[R]]) -> Callable[P, Iterator[R]]:
    """`friendly` for generators (streamed answers)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[R]:
        try:
            yield from fn(*args, **kwargs)
        except ApiError as exc:
            raise gr.Error(exc.message, print_exception=False) from None

    return wrapper


def need_login(token: str) -> None:
    if not token:
        raise gr.Error("Please log in first.", print_exception=False)


def need_course(token: str, course_id: str) -> None:
    need_login(token)
    if not course_id:
        raise gr.Error("Open a course first (tab “My courses”).", print_exception=False)


def need_lesson(token: str, lesson_id: str) -> None:
    need_login(token)
    if not lesson_id:
        raise gr.Error("Open a lesson first (tab “My courses”).", print_exception=False)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def md_escape(text: object) -> str:
    """Plain text safe inside Markdown (titles written by teachers or generated)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", str(text))


def citation_number(citation: dict[str, Any], fallback: int) -> int:
    value = citation.get("number", citation.get("n", fallback))
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else fallback


def citations_html(citations: list[dict[str, Any]], open_first: bool = True) -> str:
    """Numbered citations as keyboard-usable disclosure widgets: document and page, then the quote."""
    if not citations:
        return NO_CITATIONS
    items = []
    for i, c in enumerate(citations, start=1):
        n = citation_number(c, i)
        name = c.get("document_name") or "course document"
        page = c.get("page")
        where = f"{esc(name)}, page {esc(page)}" if page not in (None, "") else esc(name)
        quote = esc(c.get("quote") or "").replace("\n", "<br>")
        attrs = " open" if open_first and i == 1 else ""
        items.append(
            f"<details class='citation' id='cite-{n}'{attrs}><summary><b>[{n}]</b> {where}</summary>"
            f"<blockquote>{quote or '<i>no quote</i>'}</blockquote></details>"
        )
    return "<div class='citations' role='list'>" + "".join(items) + "</div>"


def audio_file(data: bytes, suffix: str = ".mp3") -> str:
    """Bytes of speech as a temporary file for `gr.Audio`."""
    if not data:
        raise gr.Error("The server sent no audio.", print_exception=False)
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
