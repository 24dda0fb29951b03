"""Quizzes: one radio group per question, an immediate score with explanations and cited pages, retakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views.common import Ctx, Problem, inline, md_escape, need_course, need_login

MAX_QUESTIONS = 30  # radio groups made up front; a longer quiz shows its first MAX_QUESTIONS
LETTERS = "ABCDEFGH"


@dataclass
class QuizView:
    picker: gr.Dropdown
    start: gr.Button
    heading: gr.Markdown
    radios: list[gr.Radio]
    submit: gr.Button
    retake: gr.Button
    result: gr.Markdown
    state: gr.State  # {"quiz_id", "question_ids"} of the quiz on screen


def quiz_label(q: dict[str, Any]) -> str:
    kind = "Final quiz" if q.get("kind") == "final" else "Module quiz"
    return f"{q['title']} · {kind} · {q.get('question_count', '?')} questions"


def option_label(index: int | None, options: list[str]) -> str:
    if index is None or not 0 <= index < len(options):
        return "*no answer*"
    return f"{LETTERS[index]}. {md_escape(options[index])}"


def result_markdown(attempt: dict[str, Any]) -> str:
    score = float(attempt.get("score") or 0)
    lines = [
        f"## Your score: {score:g}% ({attempt.get('correct', 0)} of {attempt.get('total', 0)} correct)",
        "",
    ]
    for i, r in enumerate(attempt.get("results") or [], start=1):
        options = [str(o) for o in r.get("options") or []]
        mark = "✓ Correct" if r.get("correct") else "✗ Not quite"
        lines.append(f"**{i}. {md_escape(r.get('prompt', ''))}**\n")
        lines.append(f"**{mark}.** Your answer: {option_label(r.get('chosen_index'), options)}")
        if not r.get("correct"):
            lines.append(f"  \nCorrect answer: {option_label(r.get('correct_index'), options)}")
        if r.get("explanation"):
            lines.append(f"\n{md_escape(r['explanation'])}")
        cited = r.get("citation") or {}
        if cited:
            where = f"{md_escape(cited.get('document_name') or 'course document')}, page {cited.get('page', '?')}"
            lines.append(f"\n**Source:** {where}")
            if cited.get("quote"):
                lines.append(f"\n> {md_escape(cited['quote'])}")
        lines.append("")
    return "\n".join(lines)


def build(ctx: Ctx, tab: gr.Tab) -> QuizView:
    state = gr.State({})
    with gr.Row(equal_height=False):
        picker = gr.Dropdown(
            label="Quiz", choices=[], value=None, interactive=True, elem_id="quiz-picker", scale=3, min_width=220
        )
        start = gr.Button("Start quiz", variant="primary", elem_id="start-quiz", scale=1, min_width=120)
    heading = gr.Markdown("*Pick a quiz of the open course.*", elem_id="quiz-heading")
    radios = [
        gr.Radio(label=f"Question {i + 1}", choices=[], type="index", visible=False, elem_id=f"quiz-q{i + 1}")
        for i in range(MAX_QUESTIONS)
    ]
    with gr.Row():
        submit = gr.Button("Submit answers", variant="primary", visible=False, elem_id="submit-quiz", min_width=140)
        retake = gr.Button("Retake quiz", visible=False, elem_id="retake-quiz", min_width=140)
    result = gr.Markdown(elem_id="quiz-result")

    @inline(at=1, count=2)
    def list_quizzes(token: str, course_id: str) -> tuple[Any, Any]:
        need_login(token)
        if not course_id:
            return gr.update(choices=[], value=None), "*Open a course first (tab “Courses”).*"
        quizzes = ctx.api(token).quizzes(course_id)
        choices = [(quiz_label(q), str(q["id"])) for q in quizzes]
        return gr.update(choices=choices), (gr.skip() if quizzes else "*This course has no quizzes yet.*")

    @inline(at=1, count=MAX_QUESTIONS + 5)
    def start_quiz(token: str, course_id: str, quiz_id: str | None) -> tuple[Any, ...]:
        need_course(token, course_id)
        if not quiz_id:
            raise Problem("Pick a quiz first.")
        detail = ctx.api(token).quiz(quiz_id)
        questions = list(detail.get("questions") or [])[:MAX_QUESTIONS]
        quiz = detail.get("quiz") or {}
        updates = []
        for i in range(MAX_QUESTIONS):
            if i < len(questions):
                q = questions[i]
                choices = [f"{LETTERS[j]}. {o}" for j, o in enumerate(q.get("options") or [])]
                label = f"{i + 1}. {q.get('prompt', '')}"
                updates.append(gr.update(label=label, choices=choices, value=None, visible=True, interactive=True))
            else:
                updates.append(gr.update(choices=[], value=None, visible=False))
        heading = (
            f"## {md_escape(quiz.get('title') or 'Quiz')}\n{len(questions)} questions: choose one answer "
            "for each, then submit."
        )
        new_state = {"quiz_id": quiz_id, "question_ids": [str(q["id"]) for q in questions]}
        return (new_state, heading, *updates, gr.update(visible=True), gr.update(visible=False), "")

    @inline(at=0, count=MAX_QUESTIONS + 3)
    def submit_quiz(token: str, quiz: dict[str, Any], *answers: int | None) -> tuple[Any, ...]:
        need_login(token)
        if not quiz.get("quiz_id"):
            raise Problem("Start a quiz first.")
        ids: list[str] = list(quiz.get("question_ids") or [])
        chosen = {qid: int(a) for qid, a in zip(ids, answers, strict=False) if a is not None}
        missing = len(ids) - len(chosen)
        if missing == len(ids):
            raise Problem("Answer at least one question before submitting.")
        note = f"*{missing} question(s) left unanswered count as wrong.*\n\n" if missing else ""
        attempt = ctx.api(token).submit(str(quiz["quiz_id"]), chosen)
        locked = [gr.update(interactive=False) if i < len(ids) else gr.skip() for i in range(MAX_QUESTIONS)]
        return (note + result_markdown(attempt), *locked, gr.update(visible=False), gr.update(visible=True))

    def retake_quiz(quiz: dict[str, Any]) -> tuple[Any, ...]:
        count = len(quiz.get("question_ids") or [])
        reset = [gr.update(value=None, interactive=True) if i < count else gr.skip() for i in range(MAX_QUESTIONS)]
        return ("", *reset, gr.update(visible=count > 0), gr.update(visible=False))

    tab.select(list_quizzes, [ctx.token, ctx.course_id], [picker, heading], api_name="quizzes")
    start.click(
        start_quiz,
        [ctx.token, ctx.course_id, picker],
        [state, heading, *radios, submit, retake, result],
        api_name="start_quiz",
    )
    submit.click(submit_quiz, [ctx.token, state, *radios], [result, *radios, submit, retake], api_name="submit_quiz")
    retake.click(retake_quiz, [state], [result, *radios, submit, retake], api_name="retake")
    return QuizView(picker, start, heading, radios, submit, retake, result, state)
