"""My courses: each course's state, counts and last job; create a new course."""

from __future__ import annotations

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import COURSE, attempt, client, flash, show_flash
from ui_teacher.text import esc
from ui_teacher.widgets import badge, counts_line, job_title, job_words

LANGUAGES = ["en", "hi", "fr", "de", "es", "pt", "it", "nl", "ta", "te", "bn", "mr"]


def open_course(course_id: str, page: str) -> None:
    st.session_state[COURSE] = course_id
    st.switch_page(page)


def course_card(course: Json) -> None:
    with st.container(border=True):
        st.markdown(f"#### {esc(course['title'])}")
        st.markdown(f"{badge(course.get('state'))} · {counts_line(course)}")
        if course.get("status") == "published" and course.get("enrollment_code"):
            st.markdown(f"Enrollment code: `{course['enrollment_code']}`")
        job = course.get("last_job")
        if job:
            st.caption(esc(f"Last job — {job_title(job)}: {job_words(job)}"))
        row = st.container(horizontal=True)
        if row.button("Open course", key=f"open-{course['id']}", icon=":material/account_tree:"):
            open_course(course["id"], "views/outline.py")
        if row.button("Materials", key=f"mat-{course['id']}", icon=":material/upload_file:"):
            open_course(course["id"], "views/materials.py")


def create_form() -> None:
    with st.expander("Create a course", icon=":material/add:"), st.form("new-course", clear_on_submit=True):
        title = st.text_input("Title", max_chars=300)
        description = st.text_area("Description (optional)", max_chars=5000)
        language = st.selectbox("Language", LANGUAGES, index=0)
        if st.form_submit_button("Create course", type="primary"):
            if not title.strip():
                st.error("Give the course a title.")
                return
            body = {"title": title.strip(), "description": description.strip(), "language": language}
            course = attempt("create the course", client().post, "/api/v1/courses", body)
            if course is not None:
                st.session_state[COURSE] = course["id"]
                flash(f"Course “{course['title']}” created. Upload its materials next.")
                st.switch_page("views/materials.py")


st.title("My courses")
show_flash()
create_form()
courses = attempt("load your courses", client().courses)
if courses is not None:
    if not courses:
        st.info("No courses yet: create one above, then upload your PDFs, slides or notes.")
    for item in courses:
        course_card(item)
