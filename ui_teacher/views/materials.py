"""Materials: upload files to a course, follow the processing jobs live, see each document's status."""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui_teacher.api import ApiClient, ApiError, Json
from ui_teacher.session import attempt, client, flash, pick_course, refresh_page, show_flash
from ui_teacher.text import esc
from ui_teacher.widgets import ACTIVE, badge, show_job

TYPE_WORDS = {"pdf": "PDF", "docx": "Word (DOCX)", "pptx": "PowerPoint (PPTX)", "md": "Markdown", "txt": "text"}


def size_words(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


@st.cache_data(ttl=60, show_spinner=False)
def api_limits(base_url: str) -> Json:
    """The API's own upload limits; a minute old at most, so a changed MAX_FILE_MB shows soon."""
    return ApiClient(base_url).limits()


def limits_line(limits: Json) -> str:
    kinds = ", ".join(TYPE_WORDS.get(t, t.upper()) for t in limits["file_types"])
    return (
        f"Up to {limits['max_files_per_request']} files at a time, each at most {limits['max_file_mb']:g} MB "
        f"and {limits['max_pages']} pages: {kinds}."
    )


def upload_form(course_id: str) -> None:
    try:
        limits = api_limits(client().base_url)
    except ApiError as exc:
        limits = None
        st.warning(f"Could not load the upload limits: {exc.message}. The API checks every file anyway.")
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            "Add files",
            type=[e.lstrip(".") for e in limits["extensions"]] if limits else None,
            max_upload_size=max(1, round(limits["max_file_mb"])) if limits else None,
            accept_multiple_files=True,
            help=limits_line(limits) if limits else None,
        )
        if limits:
            st.caption(limits_line(limits))
        submitted = st.form_submit_button("Upload and process", type="primary")
        # Inside the form: a refusal shows under the button, next to the files it is about.
        if submitted:
            send(course_id, files or [], limits)


def send(course_id: str, files: list[UploadedFile], limits: Json | None) -> None:
    if not files:
        st.warning("Choose one or more files first (files the uploader marked in red are not sent).")
        return
    if limits and len(files) > limits["max_files_per_request"]:
        st.error(f"Choose at most {limits['max_files_per_request']} files at a time; you chose {len(files)}.")
        return
    parts = [(f.name, f.getvalue()) for f in files]
    reply = attempt("upload the files", client().upload, course_id, parts)
    if reply is not None:
        flash(f"Uploaded {len(reply['documents'])} file(s); processing has started.", while_job_runs=True)
        st.rerun()


def jobs_section(course_id: str, jobs: list[Json]) -> None:
    if not jobs:
        return
    st.subheader("Processing")
    active = [j for j in jobs if j.get("status") in ACTIVE]
    for job in active:
        show_job(job, key="active")
    finished = [j for j in jobs if j.get("status") not in ACTIVE]
    if finished and not active:
        show_job(finished[0], key="latest")
    older_failed = [j for j in finished[1:] if j.get("status") == "failed"]
    if older_failed:
        with st.expander(f"Earlier failed jobs ({len(older_failed)})"):
            for job in older_failed[:10]:
                show_job(job, key="older")


def status_panel(course_id: str, polling: bool) -> None:
    """Jobs and documents. While a job runs this reruns every second (a fragment), then once more in full."""
    jobs = attempt("load the jobs", client().get, f"/api/v1/courses/{course_id}/jobs")
    jobs_section(course_id, jobs or [])
    docs = attempt("load the documents", client().get, f"/api/v1/courses/{course_id}/documents")
    if docs is not None:
        st.subheader(f"Documents ({len(docs)})")
        if not docs:
            st.info("No documents yet. Upload the material the course should be built from.")
        for document in docs:
            document_row(course_id, document)
    if polling and jobs is not None and not any(j.get("status") in ACTIVE for j in jobs):
        refresh_page()  # stop polling; keeps the message of the action that started this job


def document_row(course_id: str, doc: Json) -> None:
    with st.container(border=True):
        st.markdown(f"**{esc(doc['filename'])}** {badge(doc.get('status'))}")
        facts = [doc.get("file_type", "").upper(), size_words(int(doc.get("size_bytes") or 0))]
        if doc.get("page_count"):
            facts.append(f"{doc['page_count']} pages")
        if doc.get("chunk_count"):
            facts.append(f"{doc['chunk_count']} passages")
        st.caption(" · ".join(facts))
        if doc.get("error"):
            st.error(esc(f"This file could not be used: {doc['error']}"))
        confirm_key = f"confirm-del-{doc['id']}"
        if st.session_state.get(confirm_key):
            st.warning("Remove this document and everything generated from it?")
            yes, no = st.columns(2)
            if yes.button("Yes, remove", key=f"yes-{doc['id']}", type="primary"):
                st.session_state.pop(confirm_key, None)
                path = f"/api/v1/courses/{course_id}/documents/{doc['id']}"
                if attempt("remove the document", client().delete, path) is not None:
                    flash(f"Removing {doc['filename']}; the course is being updated.")
                    st.rerun()
            if no.button("Cancel", key=f"no-{doc['id']}"):
                st.session_state.pop(confirm_key, None)
                st.rerun()
        elif st.button("Remove", key=f"del-{doc['id']}", icon=":material/delete:"):
            st.session_state[confirm_key] = True
            st.rerun()


st.title("Materials")
show_flash()
course = pick_course()
if course is not None:
    upload_form(course["id"])
    recent = attempt("load the jobs", client().get, f"/api/v1/courses/{course['id']}/jobs") or []
    running = any(j.get("status") in ACTIVE for j in recent)
    st.fragment(partial(status_panel, course["id"], running), run_every=1.0 if running else None)()
