"""My courses: join with an enrollment code, pick a course, see its modules and lessons with completion marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.api import Api, ApiError
from ui_student.views.common import Ctx, friendly, md_escape, need_login

NO_COURSE = "*No course open yet: join one with its code, or pick one of your courses above.*"


@dataclass
class CoursesView:
    code: gr.Textbox
    join: gr.Button
    courses: gr.Dropdown
    open: gr.Button
    refresh: gr.Button
    outline: gr.Markdown
    lessons: gr.Dropdown
    open_lesson: gr.Button
    status: gr.Markdown


def course_choices(api: Api) -> list[tuple[str, str]]:
    return [(str(c["title"]), str(c["id"])) for c in api.courses()]


def courses_update(api: Api, value: str | None = None) -> Any:
    """The course picker after a login or a join; keeps (or sets) the chosen course."""
    choices = course_choices(api)
    ids = [cid for _, cid in choices]
    chosen = value if value in ids else (ids[0] if len(ids) == 1 else None)
    return gr.update(choices=choices, value=chosen)


def outline_view(api: Api, course_id: str) -> tuple[str, str, Any]:
    """(course header, outline markdown, lesson picker) for one course, with completion marks."""
    outline = api.outline(course_id)
    try:
        done: dict[str, Any] = dict(api.course_progress(course_id).get("completed_lessons") or {})
    except ApiError:
        done = {}  # progress is a nicety here; the outline still shows
    title = md_escape(outline.get("course_title") or "Course")
    lines: list[str] = []
    choices: list[tuple[str, str]] = []
    total = 0
    for m_index, module in enumerate(outline.get("modules") or [], start=1):
        lines.append(f"### Module {m_index}: {md_escape(module['title'])}")
        for l_index, lesson in enumerate(module.get("lessons") or [], start=1):
            total += 1
            finished = lesson["id"] in done
            number = f"{m_index}.{l_index}"
            mark = " · *done*" if finished else ""
            lines.append(f"- {'✓' if finished else '○'} **{number}** {md_escape(lesson['title'])}{mark}")
            choices.append((f"{number} {lesson['title']}{' ✓' if finished else ''}", str(lesson["id"])))
        lines.append("")
    if not total:
        lines = ["*This course has no lessons yet.*"]
    completed = sum(1 for _, lid in choices if lid in done)
    percent = round(100 * completed / total) if total else 0
    header = f"**Course:** {title} · {completed}/{total} lessons done ({percent}%)"
    return header, "\n".join(lines), gr.update(choices=choices, value=None)


def build(ctx: Ctx) -> CoursesView:
    with gr.Row(equal_height=False, elem_classes=["picker-row"]):
        courses = gr.Dropdown(
            label="My courses",
            choices=[],
            value=None,
            interactive=True,
            elem_id="course-picker",
            info="The published courses you are enrolled in.",
            scale=3,
            min_width=200,
        )
        with gr.Column(scale=1, min_width=120):
            open_course = gr.Button("Open course", variant="primary", elem_id="open-course")
            refresh = gr.Button("Refresh list", size="sm", elem_id="refresh-courses")
    with gr.Row(equal_height=False, elem_classes=["picker-row"]):
        code = gr.Textbox(
            label="Join a course",
            placeholder="Enrollment code, e.g. X7K2QP",
            elem_id="join-code",
            max_lines=1,
            info="Your teacher gives you this code.",
            scale=3,
            min_width=200,
        )
        join = gr.Button("Join course", elem_id="join-button", scale=1, min_width=120)
    status = gr.Markdown(elem_id="courses-status")
    outline = gr.Markdown(NO_COURSE, elem_id="outline", label="Course outline")
    with gr.Row(equal_height=False):
        lessons = gr.Dropdown(
            label="Lesson", choices=[], value=None, interactive=True, elem_id="lesson-picker", scale=3, min_width=220
        )
        open_lesson = gr.Button("Open lesson", variant="primary", elem_id="open-lesson", scale=1, min_width=120)

    @friendly
    def my_courses(token: str) -> tuple[Any, str]:
        need_login(token)
        api = ctx.api(token)
        update = courses_update(api)
        count = len(update.get("choices") or [])
        message = f"You are enrolled in {count} course(s)." if count else "You are not enrolled in any course yet."
        return update, message

    @friendly
    def join_course(token: str, enrollment_code: str) -> tuple[Any, str, str]:
        need_login(token)
        cleaned = enrollment_code.strip().upper()
        if len(cleaned) < 4:
            raise gr.Error(
                "Enter the enrollment code your teacher gave you (at least 4 characters).", print_exception=False
            )
        api = ctx.api(token)
        course = api.join(cleaned)
        message = f"✓ You joined **{md_escape(course['title'])}**."
        return courses_update(api, str(course["id"])), message, ""

    @friendly
    def open_chosen(token: str, course_id: str | None) -> tuple[str, str, str, Any]:
        need_login(token)
        if not course_id:
            raise gr.Error("Pick one of your courses first.", print_exception=False)
        header, body, lesson_picker = outline_view(ctx.api(token), course_id)
        return course_id, header, body, lesson_picker

    open_outputs = [ctx.course_id, ctx.course_header, outline, lessons]
    refresh.click(my_courses, [ctx.token], [courses, status], api_name="my_courses")
    join.click(join_course, [ctx.token, code], [courses, status, code], api_name="join").success(
        open_chosen, [ctx.token, courses], open_outputs, api_visibility="private"
    )
    code.submit(join_course, [ctx.token, code], [courses, status, code], api_visibility="private").success(
        open_chosen, [ctx.token, courses], open_outputs, api_visibility="private"
    )
    open_course.click(open_chosen, [ctx.token, courses], open_outputs, api_name="open_course")
    courses.input(open_chosen, [ctx.token, courses], open_outputs, api_visibility="private")
    return CoursesView(code, join, courses, open_course, refresh, outline, lessons, open_lesson, status)
