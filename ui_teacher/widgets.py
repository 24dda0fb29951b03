"""Small pieces several pages share: course state badges, job progress, citations."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import attempt, client, flash, refresh_page
from ui_teacher.text import esc

ACTIVE = ("queued", "running")
STATE_BADGE = {
    "draft": ":gray-badge[:material/edit_note: draft]",
    "processing": ":blue-badge[:material/sync: processing]",
    "ready": ":green-badge[:material/check_circle: ready]",
    "failed": ":red-badge[:material/error: failed]",
    "published": ":violet-badge[:material/public: published]",
    # documents
    "uploaded": ":gray-badge[:material/schedule: waiting]",
    "approved": ":green-badge[:material/check_circle: approved]",
    "active": ":green-badge[:material/check_circle: active]",
    "revoked": ":red-badge[:material/block: revoked]",
}
JOB_WORDS = {
    "ingest": "Processing uploaded files",
    "generate": "Writing course content",
    "cleanup": "Cleaning up",
}


def badge(state: str | None) -> str:
    """A coloured badge (Streamlit markdown) for a course, document, quiz or key state."""
    return STATE_BADGE.get(state or "draft", f":gray-badge[{state}]")


def counts_line(course: Json) -> str:
    counts = course.get("counts") or {}
    parts = [f"{counts.get(k, 0)} {k}" for k in ("documents", "modules", "lessons", "students")]
    return " · ".join(parts)


def job_title(job: Json) -> str:
    return JOB_WORDS.get(job.get("kind", ""), str(job.get("kind", "job")).capitalize())


def job_words(job: Json) -> str:
    """What a job is doing, in words: 'running · embedding — embedding 340/812 chunks (41%)'."""
    status = job.get("status", "")
    stage = job.get("stage") or ""
    message = job.get("message") or ""
    if status == "failed":
        return f"failed: {plain_error(job.get('error') or message)}"
    if status == "succeeded":
        return f"finished: {message}" if message and message != "done" else "finished"
    if status == "queued":
        return message if "wait" in message or "retry" in message else "waiting for a worker"
    pieces = [p for p in (stage, message) if p]
    if len(pieces) == 2 and pieces[1].lower().startswith(pieces[0].lower()):
        pieces = [pieces[1]]
    return f"{' — '.join(pieces) or status} ({job.get('progress', 0)}%)"


def plain_error(error: str) -> str:
    """Job errors are written for people already; only trim the noise around them."""
    text = error.strip().splitlines()[-1] if error.strip() else "something went wrong"
    for prefix in ("PermanentJobError: ", "RuntimeError: ", "ValueError: "):
        text = text.removeprefix(prefix)
    return text


def show_job(job: Json, key: str, on_retry: Callable[[], None] | None = None) -> None:
    """One job: a progress bar while it runs; the reason and a Retry button when it failed."""
    status = job.get("status")
    label = esc(f"{job_title(job)}: {job_words(job)}")
    if status in ACTIVE:
        st.progress(min(100, max(0, int(job.get("progress") or 0))) / 100, text=label)
    elif status == "failed":
        st.error(label)
        if st.button("Retry", key=f"retry-{key}-{job['id']}", help="Run this job again", icon=":material/replay:"):
            retried = attempt("retry the job", client().post, f"/api/v1/jobs/{job['id']}/retry")
            if retried is not None:
                flash("The job was started again.")
                if on_retry:
                    on_retry()
                st.rerun()
    elif status == "succeeded":
        warnings = (job.get("result") or {}).get("warnings") or []
        # the message repeats the warnings for API clients; here each gets a box of its own
        st.success(label.replace(esc(f". Warning: {' '.join(warnings)}"), "") if warnings else label)
        for warning in warnings:
            st.warning(esc(warning))
    else:
        st.info(label)


def watch_job(job_id: str, key: str) -> None:
    """Follow one job live: poll it every second until it ends, then refresh the whole page."""

    def body() -> None:
        job = attempt("load the job", client().get, f"/api/v1/jobs/{job_id}")
        if job is None:
            return
        show_job(job, key)
        if job.get("status") not in ACTIVE:
            # The page shows only active jobs live, so this full rerun shows it as finished.
            refresh_page()

    st.fragment(body, run_every=1.0)()


def citation_line(citation: Json) -> str:
    quote = (citation.get("quote") or "").strip().replace("\n", " ")
    if len(quote) > 220:
        quote = quote[:217] + "…"
    name = esc(citation.get("document_name") or "document")
    where = f"**\\[{citation['number']}\\] {name}, page {citation.get('page')}**"
    return f"{where}  \n> {esc(quote)}" if quote else where


def has_page_image(citation: Json) -> bool:
    """Whether the cited page is a PDF page, which the API can render as an image.

    The citation's file type (detected from the file's content) decides; the document's name
    only when a citation has none.
    """
    file_type = citation.get("file_type")
    if isinstance(file_type, str) and file_type:
        return file_type.lower() == "pdf"
    return str(citation.get("document_name") or "").lower().endswith(".pdf")


def approve_all_button(course_id: str, key: str) -> None:
    if st.button("Approve all quizzes", key=key, icon=":material/done_all:"):
        reply = attempt("approve the quizzes", client().post, f"/api/v1/courses/{course_id}/quizzes/approve")
        if reply is not None:
            flash(f"Approved {reply.get('approved', 0)} quizzes: enrolled students can take them.")
            st.rerun()
