"""Lesson completion and progress through the real server."""

from __future__ import annotations

from tests.api.test_auth import error_of
from tests.api.tutor_course import SMALL, built_course
from tests.harness import Stack


def test_lesson_completion_and_progress(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Progress course")
    _, student = stack.user("student")  # a fresh student: progress starts at zero
    code = course.teacher.get(f"/api/v1/courses/{course.id}").json()["enrollment_code"]
    assert student.post("/api/v1/enrollments", json={"code": code}).status_code == 201

    outline = student.get(f"/api/v1/courses/{course.id}/outline").json()
    lessons = [lesson["id"] for m in outline["modules"] for lesson in m["lessons"]]
    assert lessons, outline
    empty = student.get(f"/api/v1/courses/{course.id}/progress").json()
    assert empty["lessons_total"] == len(lessons) and empty["lessons_completed"] == 0 and empty["percent"] == 0

    first = student.post(f"/api/v1/lessons/{lessons[0]}/complete")
    assert first.status_code == 200, first.text
    again = student.post(f"/api/v1/lessons/{lessons[0]}/complete")  # idempotent: keeps the first time
    assert again.json()["completed_at"] == first.json()["completed_at"]
    progress = student.get(f"/api/v1/courses/{course.id}/progress").json()
    assert progress["lessons_completed"] == 1 and lessons[0] in progress["completed_lessons"]
    assert progress["percent"] == round(100 / len(lessons), 1)

    # A quiz attempt shows up as the best score.
    quiz = next(q for q in course.teacher.get(f"/api/v1/courses/{course.id}/quizzes").json()
                if q["question_count"] >= 1)
    course.teacher.post(f"/api/v1/quizzes/{quiz['id']}/approve")
    questions = course.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"]
    for answers in ({questions[0]["id"]: (questions[0]["answer_index"] + 1) % 4},
                    {q["id"]: q["answer_index"] for q in questions}):
        assert student.post(f"/api/v1/quizzes/{quiz['id']}/attempts", json={"answers": answers}).status_code == 201
    scores = {q["quiz_id"]: q for q in student.get(f"/api/v1/courses/{course.id}/progress").json()["quizzes"]}
    assert scores[quiz["id"]]["best_score"] == 100.0 and scores[quiz["id"]]["attempts"] == 2

    summary = student.get("/api/v1/me/progress").json()
    assert [(c["course_id"], c["lessons_completed"]) for c in summary] == [(course.id, 1)]

    assert student.delete(f"/api/v1/lessons/{lessons[0]}/complete").status_code == 204
    assert student.get(f"/api/v1/courses/{course.id}/progress").json()["lessons_completed"] == 0


def test_progress_is_private_to_the_course(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Progress course")
    _, stranger = stack.user("student")
    lesson = course.student.get(f"/api/v1/courses/{course.id}/outline").json()["modules"][0]["lessons"][0]["id"]
    for reply in (
        stranger.post(f"/api/v1/lessons/{lesson}/complete"),
        stranger.delete(f"/api/v1/lessons/{lesson}/complete"),
        stranger.get(f"/api/v1/courses/{course.id}/progress"),
        stranger.post(f"/api/v1/lessons/{'0' * 32}/complete"),
    ):
        assert reply.status_code == 404, reply.text
        assert error_of(reply)["code"] == "not_found"
    assert stranger.get("/api/v1/me/progress").json() == []
