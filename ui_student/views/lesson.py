"""The Course tab: the clickable outline beside the open lesson (text, sources, Listen, Teach me, Mark complete)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student import audio_stream
from ui_student.views import citations as cites
from ui_student.views import languages, outline, pages
from ui_student.views.common import Ctx, inline_stream, md_escape, need_lesson

NO_LESSON = "*Pick a lesson in the outline.*"
PAUSE_ALL = "() => { document.querySelectorAll('audio').forEach((a) => a.pause()); }"
PREPARING = "⏳ Preparing audio… the first words take a few seconds."


@dataclass
class LessonView:
    outline: gr.HTML
    title: gr.Markdown
    body: gr.Markdown
    citations: gr.HTML
    listen: gr.Button
    teach: gr.Button
    complete: gr.Button
    next: gr.Button
    audio: gr.HTML  # a streaming player (ui_student/audio_stream.py)
    lecture_box: gr.Accordion
    lecture: gr.Markdown
    lecture_audio: gr.HTML
    status: gr.Markdown
    page_viewer: pages.PageViewer

    @property
    def pane(self) -> list[Any]:
        """What `shown` fills, in its order."""
        return [
            self.title,
            self.body,
            self.citations,
            self.audio,
            self.lecture_box,
            self.lecture,
            self.lecture_audio,
            self.status,
            *self.page_viewer.outputs,
        ]


def shown(lesson: dict[str, Any] | None) -> tuple[Any, ...]:
    """Values for `LessonView.pane`: the lesson with clickable citation markers, its audio cleared."""
    if lesson is None:
        return ("## Lesson", NO_LESSON, cites.NO_CITATIONS, *cleared(), "", *pages.offer([]))
    cited = list(lesson.get("citations") or [])
    body = cites.link_markers(str(lesson.get("body") or "*This lesson has no text yet.*"), "lesson")
    return (
        f"## {md_escape(lesson['title'])}",
        body,
        cites.citations_html(cited, "lesson"),
        *cleared(),
        "",
        *pages.offer(cited),
    )


def cleared() -> tuple[Any, ...]:
    """The lesson audio, lecture box, lecture text and lecture audio of a freshly opened lesson."""
    return gr.update(value="", visible=False), gr.update(visible=False), "", gr.update(value="")


def build(ctx: Ctx) -> LessonView:
    with gr.Row(equal_height=False, elem_id="course-view"):
        with gr.Column(scale=3, min_width=320, elem_id="lesson-column"):
            title = gr.Markdown("## Lesson", elem_id="lesson-title")
            with gr.Row(elem_classes=["actions"]):
                listen = gr.Button("Listen", elem_id="listen-button", min_width=110)
                teach = gr.Button("Teach me", elem_id="teach-button", min_width=110)
                complete = gr.Button("Mark complete", variant="primary", elem_id="complete-button", min_width=110)
                next_lesson = gr.Button("Next lesson →", elem_id="next-lesson", min_width=110)
            status = gr.Markdown(elem_id="lesson-status")
            # Players of the API's audio stream: they start at the first sentence (audio_stream.py).
            audio = gr.HTML("", visible=False, elem_id="lesson-audio", js_on_load=audio_stream.JS)
            with gr.Column(visible=False, elem_id="lecture-box") as lecture_box:
                gr.Markdown("**Class mode: the lecture**", elem_id="lecture-label")
                lecture_audio = gr.HTML("", elem_id="lecture-audio", js_on_load=audio_stream.JS)
                with gr.Accordion("What the lecturer says (text)", open=False, elem_id="lecture-text-box"):
                    lecture = gr.Markdown(elem_id="lecture-script")
            body = gr.Markdown(NO_LESSON, elem_id="lesson-body")
            gr.Markdown("### Sources", elem_id="lesson-sources-title")
            # Always on screen with the lesson, unlike the hidden players: it installs their script too,
            # before the first click on Listen or Teach me.
            citations = gr.HTML(cites.NO_CITATIONS, elem_id="lesson-citations", js_on_load=cites.JS + audio_stream.JS)
            viewer = pages.build(ctx, "lesson", citations)
        with gr.Column(scale=1, min_width=240, elem_id="outline-column"):
            outline_box = gr.HTML(outline.NO_COURSE, elem_id="outline", js_on_load=outline.JS)

    @inline_stream(at=1, count=2)
    def listen_lesson(token: str, lesson_id: str, language_code: str | None) -> Iterator[tuple[Any, str]]:
        need_lesson(token, lesson_id)
        asked = languages.for_lesson(language_code)
        yield gr.update(value="", visible=False), PREPARING
        ticket, spoken = audio_stream.open_speech(ctx.api(token), f"/api/v1/lessons/{lesson_id}/audio", "mp3", asked)
        player = audio_stream.player(ticket, "lesson")
        yield gr.update(value=player, visible=True), languages.spoken_note(asked, spoken)

    @inline_stream(at=3, count=4)
    def teach_me(token: str, lesson_id: str, language_code: str | None) -> Iterator[tuple[Any, Any, Any, str]]:
        need_lesson(token, lesson_id)
        asked = languages.for_lesson(language_code)
        api = ctx.api(token)
        yield gr.skip(), gr.skip(), gr.update(value=""), "⏳ Writing the lecture…"
        script = api.lecture(lesson_id, asked)
        text = str(script.get("script") or "")
        yield gr.update(visible=True), text, gr.update(value=""), PREPARING
        ticket, spoken = audio_stream.open_speech(api, f"/api/v1/lessons/{lesson_id}/lecture/audio", "mp3", asked)
        note = languages.spoken_note(asked, spoken)
        yield gr.update(visible=True), text, gr.update(value=audio_stream.player(ticket, "lecture")), note

    # One voice at a time: starting one player's audio pauses whatever else is playing.
    for button in (listen, teach):
        button.click(None, js=PAUSE_ALL)
    listen.click(listen_lesson, [ctx.token, ctx.lesson_id, ctx.language], [audio, status], api_name="listen")
    teach.click(
        teach_me,
        [ctx.token, ctx.lesson_id, ctx.language],
        [lecture_box, lecture, lecture_audio, status],
        api_name="teach_me",
    )
    return LessonView(
        outline_box,
        title,
        body,
        citations,
        listen,
        teach,
        complete,
        next_lesson,
        audio,
        lecture_box,
        lecture,
        lecture_audio,
        status,
        viewer,
    )
