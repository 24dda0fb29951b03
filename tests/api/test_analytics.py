"""The teacher's analytics of a course, fed by real student activity."""

from __future__ import annotations

from tests.api.tutor_course import SMALL, built_course
from tests.harness import Stack


def test_analytics_reflect_completion_scores_and_questions(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Analytics course")
    code = course.teacher.get(f"/api/v1/courses/{course.id}").json()["enrollment_code"]
    _, student = stack.user("student")
    assert student.post("/api/v1/enrollments", json={"code": code}).status_code == 201
    outline = student.get(f"/api/v1/courses/{course.id}/outline").json()
    first_lesson = outline["modules"][0]["lessons"][0]["id"]
    student.post(f"/api/v1/lessons/{first_lesson}/complete")

    quiz = next(q for q in course.teacher.get(f"/api/v1/courses/{course.id}/quizzes").json() if q["question_count"])
    course.teacher.post(f"/api/v1/quizzes/{quiz['id']}/approve")
    questions = course.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"]
    perfect = {q["id"]: q["answer_index"] for q in questions}
    assert student.post(f"/api/v1/quizzes/{quiz['id']}/attempts", json={"answers": perfect}).status_code == 201

    question = "How do I read a file line by line?"
    for asker in (student, course.student):
        reply = asker.post(f"/api/v1/courses/{course.id}/chat", json={"question": question})
        assert reply.status_code == 200, reply.text
    cited_page = reply.json()["citations"][0]["page"]

    data = course.teacher.get(f"/api/v1/courses/{course.id}/analytics").json()
    assert data["students"] >= 2
    completed = {lesson["lesson_id"]: lesson["completed"] for lesson in data["lessons"]}
    assert completed[first_lesson] >= 1
    scores = {s["quiz_id"]: s for s in data["quiz_scores"]}
    assert scores[quiz["id"]]["buckets"][9] >= 1 and scores[quiz["id"]]["students"] >= 1
    top = data["top_questions"][0]
    assert top["question"] == question and top["count"] >= 2
    assert cited_page in [p["page"] for p in top["pages"]]

    # Only the course's teacher sees it; for anyone else it does not exist.
    assert student.get(f"/api/v1/courses/{course.id}/analytics").status_code == 403
    _, stranger = stack.user("teacher")
    assert stranger.get(f"/api/v1/courses/{course.id}/analytics").status_code == 404
