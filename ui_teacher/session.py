"""The console's session: the API client for the logged-in teacher, error display, the chosen course."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import streamlit as st

from ui_teacher import remember
from ui_teacher.api import ApiClient, ApiError, Json
from ui_teacher.text import esc

T = TypeVar("T")

TOKEN = "token"
USER = "user"
COURSE = "course_id"
NOTICE = "_notice"
FLASH = "_flash"
FLASH_SHOWN = "_flash_shown"
# A flash that only holds while a job runs ("processing has started"): gone once it ends.
FLASH_WHILE_JOB = "_flash_while_job"


def client() -> ApiClient:
    return ApiClient(token=st.session_state.get(TOKEN))


def logged_in() -> bool:
    return bool(st.session_state.get(TOKEN))


def sign_in(reply: Json) -> None:
    st.session_state[TOKEN] = reply["token"]
    st.session_state[USER] = reply.get("user") or {}
    remember.remember(reply["token"])


def sign_out() -> None:
    for key in (TOKEN, USER, COURSE):
        st.session_state.pop(key, None)
    remember.forget()


def restore() -> None:
    """On a browser session's first run: sign back in with the remembered token, if the API still takes it."""
    token = remember.recall_once()
    if not token or logged_in():
        return
    try:
        user = ApiClient(token=token).get("/api/v1/auth/me")
    except ApiError as exc:
        if exc.status in (401, 403):
            remember.forget()  # revoked or expired: the browser forgets it too
        else:  # the API is down: say so on the login page; the cookie stays for the next try
            st.session_state[NOTICE] = f"Could not restore your session: {exc.message}"
        return
    if isinstance(user, dict) and user.get("role") != "student":
        st.session_state[TOKEN] = token
        st.session_state[USER] = user


def show_error(exc: ApiError, doing: str = "") -> None:
    """An API failure as a message, never a traceback. A 401 means the token expired: log in again."""
    if exc.status == 401 and logged_in():
        sign_out()
        st.session_state[NOTICE] = "Your session has ended. Please log in again."
        st.rerun()
    prefix = f"Could not {doing}: " if doing else ""
    st.error(esc(prefix + exc.message))


def attempt(doing: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one API call; on failure show why and return None."""
    try:
        return fn(*args, **kwargs)
    except ApiError as exc:
        show_error(exc, doing)
        return None


def flash(message: str, while_job_runs: bool = False) -> None:
    """A success message that survives the st.rerun() that follows an action.

    `while_job_runs`: the message holds only while the job it announces runs; the full rerun
    when that job ends (`refresh_page`) drops it, and the job's own status says how it went.
    """
    st.session_state[FLASH] = message
    st.session_state[FLASH_WHILE_JOB] = while_job_runs


def show_flash() -> None:
    """Show the pending message, once; remember it while it is on screen (see `refresh_page`)."""
    message = st.session_state.pop(FLASH, None)
    st.session_state[FLASH_SHOWN] = message
    # Always one slot, message or not: when a message stops holding, what follows keeps its
    # place, and a polling fragment below is redrawn where it was rather than a second time.
    slot = st.empty()
    if message:
        slot.success(esc(message))


def refresh_page() -> NoReturn:
    """Rerun the whole page because the server changed (a watched job ended), not because the teacher acted.

    A full rerun redraws the page without the message the last full run showed, since `show_flash`
    consumed it. When the rerun follows an action at once (Retry, then the retried job fails again
    before the first poll) the message would vanish before anyone could read it; so what is on
    screen is queued again. A teacher's next action clears it as usual.
    """
    shown = st.session_state.get(FLASH_SHOWN)
    if shown and not st.session_state.get(FLASH_WHILE_JOB):
        st.session_state[FLASH] = shown
    st.rerun(scope="app")


def pick_course(courses: list[Json] | None = None, label: str = "Course") -> Json | None:
    """A course picker shared by the course pages; remembers the choice across pages."""
    if courses is None:
        courses = attempt("load your courses", client().courses)
        if courses is None:
            return None
    if not courses:
        st.info("You have no courses yet. Create one under **My courses**.")
        return None
    ids = [c["id"] for c in courses]
    by_id = {c["id"]: c for c in courses}
    # The URL names the course (?course=...), so that a reload or a shared link opens the same one.
    current = st.session_state.get(COURSE) or st.query_params.get("course")
    index = ids.index(current) if current in ids else 0
    chosen = st.selectbox(label, ids, index=index, format_func=lambda cid: by_id[cid]["title"], key=f"pick-{label}")
    st.session_state[COURSE] = chosen
    if st.query_params.get("course") != chosen:
        st.query_params["course"] = chosen
    return by_id[chosen]
