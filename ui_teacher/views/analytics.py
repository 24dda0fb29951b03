"""Analytics: enrolled students, quiz results, the hardest questions, what students ask.

Quiz statistics come from GET /api/v1/quizzes/{id}/stats. Lesson completion, score
distributions and chat topics need GET /api/v1/courses/{id}/analytics; until the API serves it,
the page says so and shows what is available.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui_teacher.api import ApiError, Json
from ui_teacher.session import attempt, client, pick_course, show_error
from ui_teacher.text import esc

BUCKETS = [f"{10 * i}–{10 * i + 9}" for i in range(9)] + ["90–100"]


def course_analytics(course_id: str) -> Json | None:
    """The course-level analytics, or None while the API has no such route (404/405 on a course we can see)."""
    try:
        return client().get(f"/api/v1/courses/{course_id}/analytics")
    except ApiError as exc:
        if exc.status not in (404, 405):
            show_error(exc, "load the analytics")
        return None


def percent_bars(frame: pd.DataFrame, label: str, value: str) -> None:
    """Horizontal bars on a fixed 0-100 % axis, in the frame's order (the course's, not the alphabet's):
    a 25 % bar looks like a quarter, whatever the other values are."""
    height = max(120, 34 * len(frame) + 50)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(value, type="quantitative", scale=alt.Scale(domain=[0, 100]), title=value),
            y=alt.Y(label, type="nominal", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            tooltip=[label, value],
        )
        .properties(height=height)
    )
    st.altair_chart(chart, use_container_width=True)


def quiz_stats(course_id: str) -> list[tuple[Json, Json]]:
    quizzes = attempt("load the quizzes", client().get, f"/api/v1/courses/{course_id}/quizzes") or []
    out = []
    for quiz in quizzes:
        stats = attempt(f"load the results of {quiz['title']}", client().get, f"/api/v1/quizzes/{quiz['id']}/stats")
        if stats is not None:
            out.append((quiz, stats))
    return out


def quiz_section(stats: list[tuple[Json, Json]], extra: Json | None) -> None:
    st.subheader("Quiz results")
    taken = [(q, s) for q, s in stats if s.get("attempts")]
    if not taken:
        st.info("No quiz attempts yet.")
        return
    means = pd.DataFrame(
        {"quiz": [q["title"] for q, _ in taken], "mean score %": [round(s.get("mean_score") or 0, 1) for _, s in taken]}
    )
    st.caption(
        "Mean score of every attempt, per quiz in course order: a short bar marks a quiz, or the lessons "
        "before it, to look at again."
    )
    percent_bars(means, "quiz", "mean score %")
    st.caption(esc(" · ".join(f"{q['title']}: {s['attempts']} attempts by {s['students']} students" for q, s in taken)))
    for item in (extra or {}).get("quiz_scores") or []:
        if any(item.get("buckets") or []):
            st.markdown(f"**Score distribution — {esc(item['title'])}** (best score per student)")
            st.caption("How many students reached each score band: a crowd on the left means most have not got it yet.")
            frame = pd.DataFrame({"score %": BUCKETS, "students": item["buckets"][:10]})
            chart = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    x=alt.X("score %", type="ordinal", sort=None, title="best score %"),
                    y=alt.Y("students", type="quantitative", axis=alt.Axis(tickMinStep=1), title="students"),
                )
                .properties(height=220)
            )
            st.altair_chart(chart, use_container_width=True)


def hardest_section(stats: list[tuple[Json, Json]]) -> None:
    rows = []
    for quiz, s in stats:
        for q in s.get("questions") or []:
            if q.get("answers") and q.get("correct_share") is not None:
                counts = q.get("option_counts") or []
                wrong = max(
                    (i for i in range(len(counts)) if i != q.get("answer_index")), key=counts.__getitem__, default=None
                )
                rows.append(
                    {
                        "question": q["prompt"],
                        "quiz": quiz["title"],
                        "correct %": round(100 * q["correct_share"]),
                        "answers": q["answers"],
                        "most chosen wrong option": "ABCD"[wrong] if wrong is not None and counts[wrong] else "—",
                    }
                )
    st.subheader("Hardest questions")
    if not rows:
        st.info("No answers yet.")
        return
    rows.sort(key=lambda r: (r["correct %"], -r["answers"]))
    st.dataframe(pd.DataFrame(rows[:10]), hide_index=True, use_container_width=True)


def lessons_section(extra: Json, students: int) -> None:
    lessons = extra.get("lessons") or []
    if not lessons:
        return
    st.subheader("Lesson completion")
    st.caption(
        "Share of enrolled students who finished each lesson, in course order: a drop from one lesson "
        "to the next shows where students stop."
    )
    frame = pd.DataFrame(
        {
            # numbered, so that two lessons with one title stay two bars
            "lesson": [f"{n}. {x['title']}" for n, x in enumerate(lessons, start=1)],
            "completed %": [round(100 * x.get("completed", 0) / students) if students else 0 for x in lessons],
        }
    )
    percent_bars(frame, "lesson", "completed %")


def questions_asked(extra: Json) -> None:
    asked = extra.get("top_questions") or []
    st.subheader("What students ask most")
    if not asked:
        st.info("No questions asked yet.")
        return
    for item in asked[:10]:
        pages = ", ".join(f"{p.get('document_name')} p. {p.get('page')}" for p in item.get("pages") or [])
        where = f"  \n  lands on: {esc(pages)}" if pages else ""
        st.markdown(f"- **{esc(item['question'])}** ({item.get('count', 1)}×){where}")


st.title("Analytics")
course = pick_course()
if course is not None:
    students = int((course.get("counts") or {}).get("students", 0))
    st.metric("Enrolled students", students)
    extra = course_analytics(course["id"])
    stats = quiz_stats(course["id"])
    if extra is not None:
        lessons_section(extra, students)
    quiz_section(stats, extra)
    hardest_section(stats)
    if extra is not None:
        questions_asked(extra)
    else:
        st.info(
            "Lesson completion, score distributions and the questions students ask most will appear here "
            "once the API offers course analytics."
        )
