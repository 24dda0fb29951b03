"""Lesson: the text as students read it, its citations (document and page), edit and regenerate."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui_teacher.api import ApiClient, ApiError, Json, page_image
from ui_teacher.session import attempt, client, flash, pick_course, show_flash
from ui_teacher.text import esc, lesson_markdown
from ui_teacher.widgets import ACTIVE, citation_line, has_page_image, show_job, watch_job

LESSON = "lesson_id"
REGEN = "regen_job"


def pick_lesson(course_id: str) -> str | None:
    outline = attempt("load the outline", client().get, f"/api/v1/courses/{course_id}/outline")
    if outline is None:
        return None
    choices: dict[str, str] = {}
    for m_index, module in enumerate(outline.get("modules") or [], start=1):
        for l_index, lesson in enumerate(module.get("lessons") or [], start=1):
            choices[lesson["id"]] = f"{m_index}.{l_index} {lesson['title']}"
    if not choices:
        st.info("This course has no lessons yet. They appear once its materials are processed.")
        return None
    ids = list(choices)
    current = st.session_state.get(LESSON) or st.query_params.get("lesson")  # ?lesson=: a reload keeps it
    chosen: str = st.selectbox(
        "Lesson", ids, index=ids.index(current) if current in ids else 0, format_func=lambda i: choices[i]
    )
    st.session_state[LESSON] = chosen
    if st.query_params.get("lesson") != chosen:
        st.query_params["lesson"] = chosen
    return chosen


def fetcher(api: ApiClient, course_id: str, document_id: str) -> Callable[[], bytes]:
    """Fetched only when the teacher clicks: the browser can't send the bearer token on a plain link."""

    def fetch() -> bytes:
        try:
            return api.download(course_id, document_id).content
        except ApiError as exc:
            return f"Could not download the document: {exc.message}".encode()

    return fetch


def sources(lesson: Json) -> None:
    citations = lesson.get("citations") or []
    if not citations:
        st.caption("This lesson has no citations.")
        return
    st.subheader("Sources")
    for citation in citations:
        st.markdown(citation_line(citation))
        # A toggle, not an expander: an expander's body runs (and would fetch) even when closed.
        key = f"page-{lesson['id']}-{citation['number']}"
        if has_page_image(citation) and st.toggle(f"Show page {citation['page']}", key=key):
            try:
                png = page_image(client(), lesson["course_id"], citation["document_id"], int(citation["page"]))
                st.image(png, caption=f"{citation['document_name']}, page {citation['page']}")
            except ApiError as exc:
                st.warning(f"Could not show the page: {exc.message}")
    pages: dict[str, tuple[str, list[int]]] = {}
    for c in citations:
        name, seen = pages.setdefault(c["document_id"], (c.get("document_name") or "document", []))
        page = int(c.get("page") or 0)
        if page not in seen:
            seen.append(page)
    st.caption("Or download a cited document and go to the page number shown.")
    api = client()
    for doc_id, (name, cited) in pages.items():
        listed = ", ".join(str(p) for p in sorted(cited))
        st.download_button(
            esc(f"{name} (page{'s' if len(cited) > 1 else ''} {listed})"),
            icon=":material/download:",
            data=fetcher(api, lesson["course_id"], doc_id),
            file_name=name,
            key=f"dl-{lesson['id']}-{doc_id}",
            on_click="ignore",
            use_container_width=True,
        )


def edit_form(lesson: Json) -> None:
    with st.expander("Edit this lesson", icon=":material/edit:"), st.form(f"edit-{lesson['id']}"):
        title = st.text_input("Title", value=lesson["title"], max_chars=300)
        body = st.text_area("Text (Markdown)", value=lesson["body"], height=400)
        if st.form_submit_button("Save changes", type="primary"):
            patch = {"title": title.strip(), "body": body}
            if attempt("save the lesson", client().patch, f"/api/v1/lessons/{lesson['id']}", patch) is not None:
                flash("Lesson saved.")
                st.rerun()


def regenerate(lesson: Json) -> None:
    job_id = st.session_state.get(REGEN, {}).get(lesson["id"])
    if job_id:
        job = attempt("load the job", client().get, f"/api/v1/jobs/{job_id}")
        if job and job.get("status") in ACTIVE:
            watch_job(job_id, key=f"regen-{lesson['id']}")
            return
        if job:
            show_job(job, key=f"regen-{lesson['id']}")
    if st.button(
        "Regenerate this lesson", icon=":material/refresh:", help="Write the lesson again from the course material"
    ):
        job = attempt("regenerate the lesson", client().post, f"/api/v1/lessons/{lesson['id']}/regenerate")
        if job is not None:
            st.session_state.setdefault(REGEN, {})[lesson["id"]] = job["id"]
            st.rerun()


st.title("Lesson")
show_flash()
course = pick_course()
lesson_id = pick_lesson(course["id"]) if course else None
if lesson_id:
    current = attempt("load the lesson", client().get, f"/api/v1/lessons/{lesson_id}")
    if current is not None:
        st.header(esc(current["title"]))
        if current.get("edited_by_teacher"):
            st.caption("Edited by you")
        st.markdown(lesson_markdown(current["body"]))
        sources(current)
        st.divider()
        edit_form(current)
        regenerate(current)
