"""Student tutor app (Gradio Blocks). It talks to the core API over HTTP only.

Per-user memory is `gr.State` (token, open course, lesson, chat session), so any replica
behind sticky sessions can serve any student; the browser keeps a copy of the token and the
open course in localStorage (`gr.BrowserState`, see `views/auth.py`) so that a reload keeps
the student signed in. `launch(settings)` is what `profai ui-student` runs; it honours
GRADIO_ROOT_PATH for serving behind a path such as /student.
"""

from __future__ import annotations

import os
from typing import Any

import gradio as gr

from ui_student import audio_stream
from ui_student.api import connect
from ui_student.settings import StudentAppSettings
from ui_student.views import auth, chat, courses, languages, lesson, navigation, progress, quiz
from ui_student.views.common import Ctx

LESSON_TAB = "lesson"

CSS = """
.gradio-container { max-width: 1100px !important; width: 100% !important; margin: 0 auto; }
#app-header { align-items: center; flex-wrap: nowrap; }
#app-header h1 { margin: 0; font-size: 1.6rem; }
#user-line { font-size: 0.9rem; opacity: 0.85; }
[id^="quiz-q"] [data-testid="block-info"] { font-size: 0.95rem; font-weight: 600;
  color: var(--body-text-color); }
.citations details { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 6px 10px; margin: 6px 0; background: var(--background-fill-secondary); }
.citations summary { cursor: pointer; }
.citations summary:focus-visible { outline: 2px solid var(--color-accent); outline-offset: 2px; }
.citations blockquote { margin: 8px 0 4px 0; padding-left: 10px; border-left: 3px solid var(--color-accent);
  white-space: normal; }
.muted { opacity: 0.7; }
#lesson-body { line-height: 1.6; }
#outline-column { position: sticky; top: 8px; align-self: flex-start; max-height: 92vh; overflow-y: auto; }
.outline details.module { border-bottom: 1px solid var(--border-color-primary); padding: 4px 0; }
.outline summary { cursor: pointer; font-weight: 600; padding: 4px 2px; }
.outline ol { list-style: none; margin: 2px 0 6px 0; padding: 0; }
.outline button.lesson { display: block; width: 100%; text-align: left; padding: 5px 8px; margin: 1px 0;
  border: 0; border-radius: 6px; background: transparent; color: var(--body-text-color); cursor: pointer;
  font-size: 0.92rem; }
.outline button.lesson:hover { background: var(--background-fill-secondary); }
.outline button.lesson.current { background: var(--color-accent-soft); font-weight: 600; }
.outline button.lesson.done .mark { color: var(--color-green-500, #16a34a); }
.outline .mark { display: inline-block; width: 1.2em; }
.citations button.show-page { margin: 4px 0 2px 0; padding: 4px 10px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill); }
.citations details.cited-now { outline: 2px solid var(--color-accent); }
a[href*="#cite-"] { text-decoration: none; font-weight: 600; color: var(--link-text-color) !important;
  cursor: pointer; }
.problem { color: var(--error-text-color, #b91c1c); background: var(--error-background-fill, #fef2f2);
  border: 1px solid var(--error-border-color, #fecaca); border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.stream-player audio { width: 100%; }
.stream-player .audio-state { margin: 2px 0 0 0; font-size: 0.9rem; opacity: 0.8; }
#login-status p, #courses-status p, #lesson-status p, #chat-status p { margin: 4px 0; }
@media (max-width: 640px) {
  .gradio-container { padding: 6px !important; }
  #app-header h1 { font-size: 1.3rem; }
  [role="tablist"] button { padding-left: 8px !important; padding-right: 8px !important; }
  .actions button { flex: 1 1 30%; }
  #chatbot { height: 360px !important; }
  #outline-column { position: static; max-height: none; }
}
"""


def build(api_url: str, storage_secret: str | None = None) -> gr.Blocks:
    """The app; `storage_secret` keys the remembered login in the browser (random when None)."""
    with gr.Blocks(title="ProfessorAI · Student", delete_cache=(3600, 3600)) as app:
        stored = auth.browser_store(storage_secret)  # top level: never inside a hidden panel
        token = gr.State("")
        course_id = gr.State("")
        lesson_id = gr.State("")
        session_id = gr.State("")
        with gr.Row(elem_id="app-header", equal_height=True):
            gr.Markdown("# ProfessorAI", elem_id="app-title")
            logout = gr.Button("Log out", size="sm", visible=False, elem_id="logout-button", scale=0, min_width=90)
        user_line = gr.Markdown(elem_id="user-line")
        auth_view = auth.build()
        with gr.Column(visible=False, elem_id="main-panel") as main:
            # Above the tabs: the lesson's Listen follows the language as much as the tutor does.
            with gr.Row(equal_height=True, elem_id="course-bar"):
                with gr.Column(scale=3, min_width=200):
                    course_header = gr.Markdown("*No course open.*", elem_id="course-header")
                language = languages.picker()
            with gr.Tabs(elem_id="main-tabs", overflow_behavior="wrap") as tabs:
                ctx = Ctx(
                    api_url, token, course_id, lesson_id, session_id, tabs, course_header, language, connect(api_url)
                )
                with gr.Tab("Courses", id="courses", elem_id="tab-courses"):
                    courses_view = courses.build()
                with gr.Tab("Course", id=LESSON_TAB, elem_id="tab-lesson"):
                    lesson_view = lesson.build(ctx)
                with gr.Tab("Tutor", id="tutor", elem_id="tab-tutor") as tutor_tab:
                    chat.build(ctx, tutor_tab)
                with gr.Tab("Quizzes", id="quizzes", elem_id="tab-quizzes") as quiz_tab:
                    quiz.build(ctx, quiz_tab)
                with gr.Tab("Progress", id="progress", elem_id="tab-progress") as progress_tab:
                    progress.build(ctx, progress_tab)
        restored = auth.wire(app, ctx, auth_view, main, user_line, logout, courses_view, stored)
        navigation.wire(ctx, courses_view, lesson_view, stored, restored, LESSON_TAB)
    return app


def launch(settings: StudentAppSettings | None = None, **kwargs: Any) -> None:
    settings = settings or StudentAppSettings()
    kwargs.setdefault("root_path", os.environ.get("GRADIO_ROOT_PATH") or None)
    secret = settings.ui_student_storage_secret
    build(settings.api_url, secret.get_secret_value() if secret else None).queue(default_concurrency_limit=8).launch(
        server_name=settings.ui_host,
        server_port=settings.ui_student_port,
        show_error=True,
        css=CSS,
        footer_links=["api"],
        # Before Gradio's own routes: the players' audio, passed through from the API as it is made.
        app_kwargs={"routes": [audio_stream.route()]},
        **kwargs,
    )


if __name__ == "__main__":
    launch()
