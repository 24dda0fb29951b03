"""The lesson reader: text with its citations, Listen, Teach me (class mode), Mark complete."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views import languages, pages
from ui_student.views.common import (
    Ctx,
    audio_file,
    citations_html,
    friendly,
    friendly_stream,
    md_escape,
    need_lesson,
    need_login,
)
from ui_student.views.courses import CoursesView, outline_view

NO_LESSON = "*Open a lesson from “My courses”.*"


@dataclass
class LessonView:
    title: gr.Markdown
    body: gr.Markdown
    citations: gr.HTML
    listen: gr.Button
    teach: gr.Button
    complete: gr.Button
    audio: gr.Audio
    lecture_box: gr.Accordion
    lecture: gr.Markdown
    lecture_audio: gr.Audio
    status: gr.Markdown
    page_viewer: pages.PageViewer


def build(ctx: Ctx) -> LessonView:
    title = gr.Markdown("## Lesson", elem_id="lesson-title")
    with gr.Row(elem_classes=["actions"]):
        listen = gr.Button("Listen", elem_id="listen-button", min_width=110)
        teach = gr.Button("Teach me", elem_id="teach-button", min_width=110)
        complete = gr.Button("Mark complete", variant="primary", elem_id="complete-button", min_width=110)
    status = gr.Markdown(elem_id="lesson-status")
    audio = gr.Audio(
        label="Lesson read aloud", type="filepath", interactive=False, visible=False, elem_id="lesson-audio"
    )
    with gr.Accordion("Class mode: the lecture", open=True, visible=False, elem_id="lecture-box") as lecture_box:
        lecture_audio = gr.Audio(label="Lecture audio", type="filepath", interactive=False, elem_id="lecture-audio")
        lecture = gr.Markdown(elem_id="lecture-script")
    body = gr.Markdown(NO_LESSON, elem_id="lesson-body")
    with gr.Accordion("Sources cited in this lesson", open=True, elem_id="lesson-citations-box"):
        citations = gr.HTML(citations_html([]), elem_id="lesson-citations")
        viewer = pages.build(ctx, "lesson")

    @friendly
    def listen_lesson(token: str, lesson_id: str, language_code: str | None) -> tuple[Any, str]:
        need_lesson(token, lesson_id)
        asked = languages.for_lesson(language_code)
        speech = ctx.api(token).lesson_audio(lesson_id, "mp3", asked)
        return gr.update(value=audio_file(speech.audio), visible=True), languages.spoken_note(asked, speech.language)

    @friendly_stream
    def teach_me(token: str, lesson_id: str, language_code: str | None) -> Iterator[tuple[Any, Any, Any, str]]:
        need_lesson(token, lesson_id)
        asked = languages.for_lesson(language_code)
        api = ctx.api(token)
        script = api.lecture(lesson_id, asked)
        text = str(script.get("script") or "")
        yield gr.update(visible=True), text, gr.update(value=None), "Preparing the lecture audio…"
        speech = api.lecture_audio(lesson_id, "mp3", asked)
        yield gr.update(visible=True), text, gr.update(value=audio_file(speech.audio)), \
            languages.spoken_note(asked, speech.language)

    listen.click(listen_lesson, [ctx.token, ctx.lesson_id, ctx.language], [audio, status], api_name="listen")
    teach.click(
        teach_me,
        [ctx.token, ctx.lesson_id, ctx.language],
        [lecture_box, lecture, lecture_audio, status],
        api_name="teach_me",
    )
    return LessonView(
        title, body, citations, listen, teach, complete, audio, lecture_box, lecture, lecture_audio, status, viewer
    )


def wire(ctx: Ctx, view: LessonView, courses: CoursesView, lesson_tab: str) -> None:
    """Opening a lesson from the course outline, and marking it complete (which updates the outline)."""

    @friendly
    def open_lesson(token: str, lesson_id: str | None) -> tuple[Any, ...]:
        need_login(token)
        if not lesson_id:
            raise gr.Error("Pick a lesson first.", print_exception=False)
        lesson = ctx.api(token).lesson(lesson_id)
        title = f"## {md_escape(lesson['title'])}"
        body = str(lesson.get("body") or "*This lesson has no text yet.*")
        cited = list(lesson.get("citations") or [])
        return (
            lesson_id,
            title,
            body,
            citations_html(cited, open_first=False),
            gr.Tabs(selected=lesson_tab),
            gr.update(value=None, visible=False),
            gr.update(visible=False),
            "",
            gr.update(value=None),
            "",
            *pages.offer(cited),
        )

    @friendly
    def mark_complete(token: str, lesson_id: str, course_id: str) -> tuple[str, str, str, Any]:
        need_lesson(token, lesson_id)
        api = ctx.api(token)
        api.complete(lesson_id)
        header, outline, picker = outline_view(api, course_id) if course_id else (gr.skip(),) * 3
        if course_id:
            picker = gr.update(choices=picker.get("choices"), value=lesson_id)
        return "✓ Lesson marked complete.", header, outline, picker

    outputs = [
        ctx.lesson_id,
        view.title,
        view.body,
        view.citations,
        ctx.tabs,
        view.audio,
        view.lecture_box,
        view.lecture,
        view.lecture_audio,
        view.status,
        *view.page_viewer.outputs,
    ]
    courses.open_lesson.click(open_lesson, [ctx.token, courses.lessons], outputs, api_name="open_lesson")
    view.complete.click(
        mark_complete,
        [ctx.token, ctx.lesson_id, ctx.course_id],
        [view.status, ctx.course_header, courses.outline, courses.lessons],
        api_name="mark_complete",
    )
