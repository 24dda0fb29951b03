"""Quizzes: review each question with its answer and explanation, edit it, approve the quiz."""

from __future__ import annotations

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import attempt, client, flash, pick_course, show_flash
from ui_teacher.text import esc
from ui_teacher.widgets import approve_all_button

LETTERS = "ABCD"
QUIZ = "quiz_id"
KINDS = {
    "cloze": "fill in the blank",
    "definition": "term and definition",
    "true_statement": "which is true",
    "code_output": "code reading",
    "concept": "concept",
}
STATUS = {"draft": ":gray-badge[draft] students can't see it yet", "approved": ":green-badge[approved]"}


def pick_quiz(course_id: str) -> Json | None:
    quizzes = attempt("load the quizzes", client().get, f"/api/v1/courses/{course_id}/quizzes")
    if quizzes is None:
        return None
    if not quizzes:
        st.info("No quizzes yet. They are written after the lessons, when the materials are processed.")
        return None
    by_id = {q["id"]: q for q in quizzes}
    ids = list(by_id)
    current = st.session_state.get(QUIZ)

    def label(qid: str) -> str:
        q = by_id[qid]
        state = "✓" if q.get("status") == "approved" else "draft"
        return f"{q['title']} ({q.get('question_count', 0)} questions, {state})"

    drafts = sum(q.get("status") == "draft" and q.get("question_count", 0) > 0 for q in quizzes)
    if drafts:
        st.caption(f"{drafts} of {len(quizzes)} quizzes are drafts: students can't take them yet.")
        approve_all_button(course_id, key="approve-all-quizzes")
    chosen = st.selectbox("Quiz", ids, index=ids.index(current) if current in ids else 0, format_func=label)
    st.session_state[QUIZ] = chosen
    return by_id[chosen]


def approval(quiz: Json) -> None:
    approved = quiz.get("status") == "approved"
    st.markdown(f"**Status:** {STATUS.get(quiz.get('status', ''), quiz.get('status'))}")
    verb, label = ("unapprove", "Back to draft") if approved else ("approve", "Approve quiz")
    clicked = st.button(label, key=f"{verb}-{quiz['id']}", type="secondary" if approved else "primary")
    if clicked and attempt(f"{verb} the quiz", client().post, f"/api/v1/quizzes/{quiz['id']}/{verb}") is not None:
        flash("Quiz approved: enrolled students can take it." if not approved else "The quiz is a draft again.")
        st.rerun()


def question_view(question: Json, number: int) -> None:
    kind = KINDS.get(question.get("kind") or "", "")
    # A code-reading question's prompt is its question line, then the example's lines.
    prompt, _, code = str(question["prompt"]).partition("\n")
    st.markdown(f"**{number}. {esc(prompt)}**" + (f" :blue-badge[{kind}]" if kind else ""))
    if code:
        st.code(code, language="python")
    answer = question.get("answer_index")
    lines = []
    for i, option in enumerate(question.get("options") or []):
        mark = " :green-badge[:material/check: answer]" if i == answer else ""
        lines.append(f"{LETTERS[i]}. {esc(option)}{mark}")
    st.markdown("  \n".join(lines))
    if question.get("explanation"):
        st.caption(esc(f"Why: {question['explanation']}"))
    citation = question.get("citation")
    if citation:
        st.caption(esc(f"Tests: {citation.get('document_name') or 'document'}, page {citation.get('page')}"))


def question_form(question: Json) -> None:
    with st.expander("Edit question", icon=":material/edit:"), st.form(f"q-{question['id']}"):
        prompt = st.text_area("Question", value=question["prompt"], height=80)
        options = [
            st.text_input(f"Option {LETTERS[i]}", value=opt, key=f"opt-{question['id']}-{i}")
            for i, opt in enumerate((question.get("options") or ["", "", "", ""])[:4])
        ]
        answer = st.radio(
            "Correct answer",
            list(range(4)),
            index=int(question.get("answer_index") or 0),
            format_func=lambda i: LETTERS[i],
            horizontal=True,
            key=f"ans-{question['id']}",
        )
        explanation = st.text_area("Explanation", value=question.get("explanation") or "", height=80)
        if st.form_submit_button("Save question", type="primary"):
            if not prompt.strip() or any(not o.strip() for o in options):
                st.error("The question and all four options need text.")
                return
            body = {
                "prompt": prompt.strip(),
                "options": [o.strip() for o in options],
                "answer_index": answer,
                "explanation": explanation.strip(),
            }
            if attempt("save the question", client().patch, f"/api/v1/questions/{question['id']}", body) is not None:
                flash("Question saved.")
                st.rerun()


st.title("Quizzes")
show_flash()
course = pick_course()
quiz = pick_quiz(course["id"]) if course else None
if quiz is not None:
    detail = attempt("load the quiz", client().get, f"/api/v1/quizzes/{quiz['id']}")
    if detail is not None:
        approval(detail.get("quiz") or quiz)
        for n, item in enumerate(detail.get("questions") or [], start=1):
            with st.container(border=True):
                question_view(item, n)
                question_form(item)
