"""Course: publish state and enrollment code; the outline, with renaming and reordering."""

from __future__ import annotations

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import attempt, client, flash, pick_course, show_flash
from ui_teacher.widgets import badge, counts_line

LESSON = "lesson_id"


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


def act(course: Json, verb: str, done: str) -> None:
    if attempt(f"{verb} the course", client().post, f"/api/v1/courses/{course['id']}/{verb}") is not None:
        flash(done)
        st.rerun()


def moved(ids: list[str], index: int, step: int) -> list[str]:
    out = list(ids)
    other = index + step
    if 0 <= other < len(out):
        out[index], out[other] = out[other], out[index]
    return out


def lesson_order(modules: list[Json], module_id: str, index: int, step: int) -> dict[str, list[str]]:
    """The API takes the order of every lesson of the course at once; move one within its module."""
    order = {m["id"]: [x["id"] for x in m.get("lessons") or []] for m in modules}
    order[module_id] = moved(order[module_id], index, step)
    return order


def reorder(course_id: str, body: Json) -> None:
    if attempt("reorder", client().post, f"/api/v1/courses/{course_id}/outline/reorder", body) is not None:
        st.rerun()


def arrows(key: str, index: int, count: int) -> int:
    """Up/down buttons side by side; returns -1, +1 or 0."""
    up, down = st.columns(2)
    if up.button("↑", key=f"up-{key}", disabled=index == 0, help="Move up", use_container_width=True):
        return -1
    if down.button("↓", key=f"down-{key}", disabled=index == count - 1, help="Move down", use_container_width=True):
        return 1
    return 0


def module_block(course_id: str, modules: list[Json], index: int) -> None:
    module = modules[index]
    module_ids = [m["id"] for m in modules]
    with st.expander(f"Module {index + 1}: {module['title']}", expanded=index == 0):
        with st.form(f"rename-{module['id']}", border=False):
            title = st.text_input("Module title", value=module["title"], key=f"title-{module['id']}")
            if st.form_submit_button("Rename") and title.strip() and title.strip() != module["title"]:
                body = {"title": title.strip()}
                if attempt("rename the module", client().patch, f"/api/v1/modules/{module['id']}", body) is not None:
                    flash("Module renamed.")
                    st.rerun()
        step = arrows(f"m-{module['id']}", index, len(modules))
        if step:
            reorder(course_id, {"modules": moved(module_ids, index, step)})
        lessons = module.get("lessons") or []
        for i, lesson in enumerate(lessons):
            st.markdown(f"**{i + 1}. {lesson['title']}**")
            if lesson.get("summary"):
                st.caption(lesson["summary"][:240])
            open_col, up_col, down_col = st.columns([2, 1, 1])
            if open_col.button("Open", key=f"open-{lesson['id']}", use_container_width=True):
                st.session_state[LESSON] = lesson["id"]
                st.switch_page("views/lesson.py")
            if up_col.button("↑", key=f"lup-{lesson['id']}", disabled=i == 0, use_container_width=True):
                reorder(course_id, {"lessons": lesson_order(modules, module["id"], i, -1)})
            last = i == len(lessons) - 1
            if down_col.button("↓", key=f"ldown-{lesson['id']}", disabled=last, use_container_width=True):
                reorder(course_id, {"lessons": lesson_order(modules, module["id"], i, 1)})


st.title("🗂️ Course")
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
