"""Analytics: enrolled students, quiz results, the hardest questions, what students ask.

Quiz statistics come from GET /api/v1/quizzes/{id}/stats. Lesson completion, score
distributions and chat topics need GET /api/v1/courses/{id}/analytics; until the API serves it,
the page says so and shows what is available.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui_teacher.api import ApiError, Json
from ui_teacher.session import attempt, client, pick_course, show_error

BUCKETS = [f"{10 * i}–{10 * i + 9}" for i in range(9)] + ["90–100"]


def course_analytics(course_id: str) -> Json | None:
    """The course-level analytics, or None while the API has no such route (404/405 on a course we can see)."""
    try:
        return client().get(f"/api/v1/courses/{course_id}/analytics")
    except ApiError as exc:
        if exc.status not in (404, 405):
            show_error(exc, "load the analytics")
        return None


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
    st.bar_chart(means, x="quiz", y="mean score %", horizontal=True)
    st.caption(" · ".join(f"{q['title']}: {s['attempts']} attempts by {s['students']} students" for q, s in taken))
    for item in (extra or {}).get("quiz_scores") or []:
        if any(item.get("buckets") or []):
            st.markdown(f"**Score distribution — {item['title']}** (best score per student)")
            frame = pd.DataFrame({"score %": BUCKETS, "students": item["buckets"][:10]})
            st.bar_chart(frame, x="score %", y="students")


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
    frame = pd.DataFrame(
        {
            "lesson": [x["title"] for x in lessons],
            "completed %": [round(100 * x.get("completed", 0) / students) if students else 0 for x in lessons],
        }
    )
    st.bar_chart(frame, x="lesson", y="completed %", horizontal=True)


def questions_asked(extra: Json) -> None:
    asked = extra.get("top_questions") or []
    st.subheader("What students ask most")
    if not asked:
        st.info("No questions asked yet.")
        return
    for item in asked[:10]:
        pages = ", ".join(f"{p.get('document_name')} p. {p.get('page')}" for p in item.get("pages") or [])
        where = f"  \n  lands on: {pages}" if pages else ""
        st.markdown(f"- **{item['question']}** ({item.get('count', 1)}×){where}")


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
