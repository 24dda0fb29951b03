"""The Courses tab: join with an enrollment code, pick one of my courses (the events are in `navigation`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.api import Api


@dataclass
class CoursesView:
    code: gr.Textbox
    join: gr.Button
    courses: gr.Dropdown
    open: gr.Button
    refresh: gr.Button
    status: gr.Markdown


def course_choices(api: Api) -> list[tuple[str, str]]:
    return [(str(c["title"]), str(c["id"])) for c in api.courses()]


def courses_update(api: Api, value: str | None = None) -> Any:
    """The course picker after a login or a join; keeps (or sets) the chosen course."""
    choices = course_choices(api)
    ids = [cid for _, cid in choices]
    chosen = value if value in ids else (ids[0] if len(ids) == 1 else None)
    return gr.update(choices=choices, value=chosen)


def build() -> CoursesView:
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
    return CoursesView(code, join, courses, open_course, refresh, status)
