"""Quizzes (review, edit, approve), analytics, API keys."""

from __future__ import annotations

from typing import Any

from tests.harness import Stack
from tests.ui_teacher.conftest import AppFactory, Teacher, button, texts


def test_review_edit_and_approve_a_quiz(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    quizzes = teacher.api.get(f"/api/v1/courses/{ready_course['id']}/quizzes").json()
    assert quizzes
    quiz = quizzes[0]
    detail = teacher.api.get(f"/api/v1/quizzes/{quiz['id']}").json()
    at = app(course_id=ready_course["id"])
    at.session_state["quiz_id"] = quiz["id"]
    at.switch_page("views/quizzes.py").run()
    # A code-reading question shows its question line, then the example as code.
    line, _, code = detail["questions"][0]["prompt"].partition("\n")
    assert line in texts(at)
    assert not code or code in [c.value for c in at.code]
    assert "answer]" in texts(at)
    first = detail["questions"][0]
    next(t for t in at.text_area if t.label == "Question").input("Which function writes text to the screen?")
    next(r for r in at.radio if r.key == f"ans-{first['id']}").set_value(2)
    next(b for b in at.button if b.label == "Save question").click().run()
    assert not at.exception, at.exception
    saved = next(
        q for q in teacher.api.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"] if q["id"] == first["id"]
    )
    assert (saved["prompt"], saved["answer_index"]) == ("Which function writes text to the screen?", 2)
    button(at, "Approve quiz").click().run()
    assert teacher.api.get(f"/api/v1/quizzes/{quiz['id']}").json()["quiz"]["status"] == "approved"


def test_analytics_show_students_and_hardest_questions(
    app: AppFactory, stack: Stack, teacher: Teacher, ready_course: dict[str, Any]
) -> None:
    course_id = ready_course["id"]
    quiz = teacher.api.get(f"/api/v1/courses/{course_id}/quizzes").json()[0]
    teacher.api.post(f"/api/v1/quizzes/{quiz['id']}/approve")
    code = teacher.api.post(f"/api/v1/courses/{course_id}/publish").json()["enrollment_code"]
    _, student = stack.user("student")
    assert student.post("/api/v1/enrollments", json={"code": code}).status_code == 201
    questions = student.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"]
    answers = {q["id"]: 0 for q in questions}
    assert student.post(f"/api/v1/quizzes/{quiz['id']}/attempts", json={"answers": answers}).status_code == 201
    at = app("views/analytics.py", course_id=course_id)
    assert not at.exception, at.exception
    assert at.metric[0].value == "1"
    assert "Hardest questions" in texts(at)
    assert at.dataframe, "no table of hardest questions"
    teacher.api.post(f"/api/v1/courses/{course_id}/unpublish")


def test_create_list_and_revoke_an_api_key(app: AppFactory, teacher: Teacher) -> None:
    at = app("views/api_keys.py")
    next(t for t in at.text_input if t.label == "Name").input("LMS sync")
    button(at, "Create key").click().run()
    assert not at.exception, at.exception
    secret = at.code[0].value
    assert "shown only once" in texts(at)
    assert teacher.api.get("/api/v1/auth/me", headers={"X-API-Key": secret, "Authorization": ""}).status_code == 200
    button(at, "I have copied it").click().run()
    assert not at.code
    button(at, "Revoke").click().run()
    assert "revoked" in texts(at)
    keys = teacher.api.get("/api/v1/api-keys").json()
    assert keys[0]["revoked_at"]


def test_create_key_without_name_is_refused(app: AppFactory) -> None:
    at = app("views/api_keys.py")
    button(at, "Create key").click().run()
    assert any("name" in e.value for e in at.error)


def test_publish_warns_about_drafts_and_approve_all(app: AppFactory, teacher: Teacher) -> None:
    from tests.fixtures_path import FIXTURES
    from tests.harness import upload, wait_job
    from tests.ui_teacher.conftest import new_course

    course = new_course(teacher.api, "Drafts to approve")
    job = upload(teacher.api, course["id"], FIXTURES / "input-output.md")["job"]
    assert wait_job(teacher.api, job["id"])["status"] == "succeeded"
    drafts = [q for q in teacher.api.get(f"/api/v1/courses/{course['id']}/quizzes").json() if q["question_count"]]
    assert drafts and all(q["status"] == "draft" for q in drafts)

    at = app("views/outline.py", course_id=course["id"])
    assert f"{len(drafts)} of {len(drafts)} quizzes are drafts" in texts(at)
    button(at, "Publish course").click().run()
    assert not at.exception, at.exception
    assert "still a draft" in texts(at)  # the publish reply's warning, shown after publishing
    button(at, "Approve all quizzes").click().run()
    assert not at.exception, at.exception
    quizzes = teacher.api.get(f"/api/v1/courses/{course['id']}/quizzes").json()
    assert {q["status"] for q in quizzes if q["question_count"]} == {"approved"}
    assert f"Approved {len(drafts)} quizzes" in texts(at)
    assert "quizzes are drafts" not in texts(at)
