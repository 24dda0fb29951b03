"""Materials: upload files to a course, follow the processing jobs live, see each document's status."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import attempt, client, flash, pick_course, refresh_page, show_flash
from ui_teacher.widgets import ACTIVE, badge, show_job

FILE_TYPES = ["pdf", "docx", "pptx", "md", "txt", "html", "htm"]


def size_words(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def upload_form(course_id: str) -> None:
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            "Add files (PDF, DOCX, PPTX, Markdown, text, HTML)", type=FILE_TYPES, accept_multiple_files=True
        )
        submitted = st.form_submit_button("Upload and process", type="primary")
    if submitted:
        if not files:
            st.warning("Choose one or more files first.")
            return
        parts = [(f.name, f.getvalue()) for f in files]
        reply = attempt("upload the files", client().upload, course_id, parts)
        if reply is not None:
            flash(f"Uploaded {len(reply['documents'])} file(s); processing has started.")
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
        st.markdown(f"**{doc['filename']}** {badge(doc.get('status'))}")
        facts = [doc.get("file_type", "").upper(), size_words(int(doc.get("size_bytes") or 0))]
        if doc.get("page_count"):
            facts.append(f"{doc['page_count']} pages")
        if doc.get("chunk_count"):
            facts.append(f"{doc['chunk_count']} passages")
        st.caption(" · ".join(facts))
        if doc.get("error"):
            st.error(f"This file could not be used: {doc['error']}")
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
