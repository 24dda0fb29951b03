"""The course tutor: streamed answers, their citations, past sessions (voice: `views/voice.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views import citations as cites_html
from ui_student.views import languages, pages, voice
from ui_student.views.citations import NO_CITATIONS, citations_html, link_markers
from ui_student.views.common import Ctx, Problem, inline, inline_stream, need_course, need_login

Message = dict[str, Any]


@dataclass
class ChatView:
    sessions: gr.Dropdown
    new: gr.Button
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    citations: gr.HTML
    cites: gr.State  # the citations of each chatbot message, by index
    chat_course: gr.State  # the course the conversation on screen belongs to
    language: gr.Dropdown
    page_viewer: pages.PageViewer


def session_choices(sessions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    choices = []
    for s in sessions:
        when = str(s.get("updated_at") or s.get("created_at") or "")[:16].replace("T", " ")
        title = str(s.get("title") or "Conversation")
        choices.append((f"{title} · {when}" if when else title, str(s["id"])))
    return choices


def build(ctx: Ctx, tab: gr.Tab) -> ChatView:
    """The tutor tab's content; selecting `tab` lists the course's sessions."""
    cites = gr.State([])
    chat_course = gr.State("")
    # The language the last answer on screen is written in (the API's `language`): an offline
    # answer is English whatever was picked, and is read aloud in English.
    answer_language = gr.State("")
    with gr.Row(equal_height=False):
        sessions = gr.Dropdown(
            label="Previous conversations",
            choices=[],
            value=None,
            interactive=True,
            elem_id="chat-sessions",
            scale=3,
            min_width=220,
        )
        new = gr.Button("New conversation", elem_id="new-chat", scale=1, min_width=140)
    language = ctx.language
    chatbot = gr.Chatbot(
        label="Tutor",
        elem_id="chatbot",
        height=420,
        buttons=["copy"],
        placeholder="Ask anything about this course: answers quote the course material.",
        feedback_options=None,
    )
    with gr.Row(equal_height=False):
        question = gr.Textbox(
            label="Your question",
            placeholder="Type a question and press Enter",
            elem_id="chat-question",
            scale=4,
            min_width=220,
            max_lines=6,
        )
        ask = gr.Button("Ask", variant="primary", elem_id="ask-button", scale=1, min_width=90)
    status = gr.Markdown(elem_id="chat-status")
    with gr.Accordion(
        "Sources of the last answer (click one to read the quoted passage)", open=True, elem_id="chat-citations-box"
    ):
        citations = gr.HTML(NO_CITATIONS, elem_id="chat-citations", js_on_load=cites_html.JS)
        viewer = pages.build(ctx, "chat", citations)
    voice.build(ctx, chatbot, question, answer_language)

    @inline(at=9, count=10)
    def refresh(token: str, course_id: str, shown_course: str) -> tuple[Any, ...]:
        need_login(token)
        unchanged = (gr.skip(),) * 8
        if not course_id:
            return gr.update(choices=[], value=None), *unchanged, ""
        choices = session_choices(ctx.api(token).chat_sessions(course_id))
        if course_id == shown_course:
            return gr.update(choices=choices), *unchanged, ""
        # Another course: the conversation on screen belonged to the previous one.
        return gr.update(choices=choices, value=None), [], "", NO_CITATIONS, [], course_id, *pages.offer([]), ""

    @inline_stream(at=11, count=12)
    def ask_tutor(
        question_text: str,
        history: list[Message],
        language_code: str | None,
        token: str,
        course_id: str,
        session_id: str,
        message_cites: list[list[dict[str, Any]]],
    ) -> Iterator[tuple[Any, ...]]:
        need_course(token, course_id)
        text = question_text.strip()
        if not text:
            raise Problem("Type a question first (or record one).")
        language_code = languages.checked(language_code)
        api = ctx.api(token)
        history = [*(history or []), {"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
        found: list[dict[str, Any]] = []
        cites_by_message = [*(message_cites or []), [], []][: len(history)]
        answer = ""
        pages_unchanged = (gr.skip(), gr.skip(), gr.skip())
        written_in = ""
        yield history, "", gr.skip(), session_id, gr.skip(), cites_by_message, course_id, "", *pages_unchanged, ""
        for event in api.ask_stream(course_id, text, session_id or None, language_code):
            kind = event.get("type")
            if kind == "token":
                answer += str(event.get("text") or "")
                history[-1] = {"role": "assistant", "content": link_markers(answer, "chat")}
                yield (
                    history,
                    "",
                    gr.skip(),
                    session_id,
                    gr.skip(),
                    cites_by_message,
                    course_id,
                    "",
                    *pages_unchanged,
                    "",
                )
            elif kind == "citations":
                found = list(event.get("citations") or [])
            elif kind == "done":
                session_id = str(event.get("session_id") or session_id)
                written_in = str(event.get("language") or "")
        if not answer:
            history[-1] = {"role": "assistant", "content": "*The tutor gave no answer.*"}
        cites_by_message[-1] = found
        choices = session_choices(api.chat_sessions(course_id))
        yield (
            history,
            "",
            citations_html(found, "chat", open_first=True),
            session_id,
            gr.update(choices=choices, value=session_id),
            cites_by_message,
            course_id,
            written_in,
            *pages.offer(found),
            "",
        )

    @inline(at=8, count=9)
    def load_session(token: str, chosen: str | None) -> tuple[Any, ...]:
        need_login(token)
        if not chosen:
            return [], NO_CITATIONS, "", [], "", *pages.offer([]), ""
        detail = ctx.api(token).chat_session(chosen)
        history: list[Message] = []
        per_message: list[list[dict[str, Any]]] = []
        for m in detail.get("messages") or []:
            role = "user" if m.get("role") == "user" else "assistant"
            content = str(m.get("content") or "")
            history.append({"role": role, "content": link_markers(content, "chat") if role == "assistant" else content})
            per_message.append(list(m.get("citations") or []))
        last: list[dict[str, Any]] = next((c for c in reversed(per_message) if c), [])
        answers = [m for m in detail.get("messages") or [] if m.get("role") == "assistant"]
        written_in = str(answers[-1].get("language") or "") if answers else ""
        return history, citations_html(last, "chat"), chosen, per_message, written_in, *pages.offer(last), ""

    def new_conversation() -> tuple[Any, ...]:
        return [], NO_CITATIONS, "", [], gr.update(value=None), "", "", *pages.offer([]), ""

    def show_message_citations(message_cites: list[list[dict[str, Any]]], evt: gr.SelectData) -> Any:
        index = evt.index if isinstance(evt.index, int) else (evt.index[0] if evt.index else -1)
        if isinstance(index, int) and 0 <= index < len(message_cites or []) and message_cites[index]:
            return citations_html(message_cites[index], "chat"), *pages.offer(message_cites[index])
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()

    # Wherever the citations on screen change, the page picker offers their pages (viewer.outputs).
    ask_inputs = [question, chatbot, language, ctx.token, ctx.course_id, ctx.session_id, cites]
    ask_outputs = [
        chatbot,
        question,
        citations,
        ctx.session_id,
        sessions,
        cites,
        chat_course,
        answer_language,
        *viewer.outputs,
        status,
    ]
    ask.click(ask_tutor, ask_inputs, ask_outputs, api_name="ask")
    question.submit(ask_tutor, ask_inputs, ask_outputs, api_visibility="private")
    sessions.input(
        load_session,
        [ctx.token, sessions],
        [chatbot, citations, ctx.session_id, cites, answer_language, *viewer.outputs, status],
        api_name="load_session",
    )
    new.click(
        new_conversation,
        None,
        [chatbot, citations, ctx.session_id, cites, sessions, question, answer_language, *viewer.outputs, status],
        api_name="new_conversation",
    )
    chatbot.select(show_message_citations, [cites], [citations, *viewer.outputs], api_visibility="private")
    # Opening the tutor lists the course's sessions; another course starts a fresh conversation.
    tab.select(
        refresh,
        [ctx.token, ctx.course_id, chat_course],
        [sessions, chatbot, ctx.session_id, citations, cites, chat_course, *viewer.outputs, status],
        api_name="chat_sessions",
    )
    return ChatView(
        sessions,
        new,
        chatbot,
        question,
        ask,
        citations,
        cites,
        chat_course,
        language,
        viewer,
    )
