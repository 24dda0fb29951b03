"""Course: publish state and enrollment code; the outline, with renaming, reordering and moving lessons."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui_teacher.api import Json
from ui_teacher.ordering import lesson_order, moved, moved_to_module
from ui_teacher.session import attempt, client, flash, pick_course, show_flash
from ui_teacher.text import esc
from ui_teacher.widgets import approve_all_button, badge, counts_line

LESSON = "lesson_id"
# The module that last received a lesson opens, so the teacher sees the lesson in its new place.
RECEIVED = "outline_received"


def publish_box(course: Json) -> None:
    with st.container(border=True):
        st.markdown(f"**Status:** {badge(course.get('state'))} · {counts_line(course)}")
        code = course.get("enrollment_code")
        published = course.get("status") == "published"
        if published:
            st.markdown("Students join with this enrollment code:")
            st.markdown(f"## `{code}`")
            if st.button("Unpublish (back to draft)", key="unpublish"):
                act(course, "unpublish", "The course is a draft again; students no longer see it.")
        else:
            st.caption(f"Enrollment code (works once published): `{code}`")
            if st.button("Publish course", key="publish", type="primary"):
                act(course, "publish", f"Published. Students join with the code {code}.")
        draft_quizzes(course)


def draft_quizzes(course: Json) -> None:
    """Students see approved quizzes only: say how many are drafts and offer to approve them all."""
    quizzes = attempt("load the quizzes", client().get, f"/api/v1/courses/{course['id']}/quizzes") or []
    drafts = sum(q.get("status") == "draft" and q.get("question_count", 0) > 0 for q in quizzes)
    if not drafts:
        return
    st.warning(
        f"{drafts} of {len(quizzes)} quizzes are drafts: students will not see them until approved. "
        "Review them on the Quizzes page, or approve them all here."
    )
    approve_all_button(course["id"], key="approve-all-course")


def act(course: Json, verb: str, done: str) -> None:
    reply = attempt(f"{verb} the course", client().post, f"/api/v1/courses/{course['id']}/{verb}")
    if reply is not None:
        warning = reply.get("warning") if isinstance(reply, dict) else None
        flash(f"{done} Warning: {warning}" if warning else done)
        st.rerun()


def reorder(course_id: str, body: Json) -> None:
    if attempt("reorder", client().post, f"/api/v1/courses/{course_id}/outline/reorder", body) is not None:
        st.rerun()


def move_buttons(row: DeltaGenerator, key: str, index: int, count: int) -> int:
    """Up/down buttons in a row; returns -1, +1 or 0."""
    if row.button("Up", key=f"up-{key}", icon=":material/arrow_upward:", disabled=index == 0, help="Move up"):
        return -1
    last = index == count - 1
    if row.button("Down", key=f"down-{key}", icon=":material/arrow_downward:", disabled=last, help="Move down"):
        return 1
    return 0


def rename(module: Json, row: DeltaGenerator) -> None:
    with row.popover("Rename", icon=":material/edit:"), st.form(f"rename-{module['id']}", border=False):
        title = st.text_input("Module title", value=module["title"], key=f"title-{module['id']}")
        if st.form_submit_button("Save") and title.strip() and title.strip() != module["title"]:
            body = {"title": title.strip()}
            if attempt("rename the module", client().patch, f"/api/v1/modules/{module['id']}", body) is not None:
                flash("Module renamed.")
                st.rerun()


def module_name(modules: list[Json], module_id: str) -> str:
    return next(f"Module {n}: {m['title']}" for n, m in enumerate(modules, start=1) if m["id"] == module_id)


def move_to_module(course_id: str, modules: list[Json], module: Json, lesson: Json, row: DeltaGenerator) -> None:
    """Pick another module; the lesson goes last there. The outcome shows below the row, not in the popover."""
    targets = [m["id"] for m in modules if m["id"] != module["id"]]
    if not targets:
        return
    popover = row.popover("Move to module…", icon=":material/drive_file_move:")
    with popover, st.form(f"move-form-{lesson['id']}", border=False):
        target = st.selectbox(
            "Move to module",
            targets,
            format_func=lambda module_id: module_name(modules, module_id),
            key=f"target-{lesson['id']}",
        )
        go = st.form_submit_button("Move", key=f"move-{lesson['id']}")
    if go and target:
        body = {"lessons": moved_to_module(modules, lesson["id"], target)}
        if attempt("move the lesson", client().post, f"/api/v1/courses/{course_id}/outline/reorder", body) is not None:
            flash(f"Moved “{lesson['title']}” to the end of {module_name(modules, target)}.")
            st.session_state[RECEIVED] = target
            st.rerun()


def module_block(course_id: str, modules: list[Json], index: int) -> None:
    module = modules[index]
    opened = index == 0 or module["id"] == st.session_state.get(RECEIVED)
    with st.expander(f"Module {index + 1}: {esc(module['title'])}", expanded=opened):
        row = st.container(horizontal=True)
        rename(module, row)
        step = move_buttons(row, f"m-{module['id']}", index, len(modules))
        if step:
            reorder(course_id, {"modules": moved([m["id"] for m in modules], index, step)})
        lessons = module.get("lessons") or []
        if not lessons:
            st.caption("No lessons in this module. Move one here from another module.")
        for i, lesson in enumerate(lessons):
            with st.container(border=True):
                st.markdown(f"**{i + 1}. {esc(lesson['title'])}**")
                if lesson.get("summary"):
                    st.caption(esc(lesson["summary"][:240]))
                row = st.container(horizontal=True)
                if row.button("Open", key=f"open-{lesson['id']}", icon=":material/article:", type="primary"):
                    st.session_state[LESSON] = lesson["id"]
                    st.switch_page("views/lesson.py")
                step = move_buttons(row, f"l-{lesson['id']}", i, len(lessons))
                if step:
                    reorder(course_id, {"lessons": lesson_order(modules, module["id"], i, step)})
                move_to_module(course_id, modules, module, lesson, row)


st.title("Course")
show_flash()
picked = pick_course()
if picked is not None:
    course = attempt("load the course", client().course, picked["id"]) or picked
    publish_box(course)
    outline = attempt("load the outline", client().get, f"/api/v1/courses/{course['id']}/outline")
    if outline is not None:
        modules = outline.get("modules") or []
        st.subheader("Outline")
        if not modules:
            st.info("No lessons yet. Upload material under **Materials**; the outline appears when processing ends.")
        for n in range(len(modules)):
            module_block(course["id"], modules, n)
