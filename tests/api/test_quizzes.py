"""Quizzes through the real server: approval, the student view, attempts, statistics, edits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_auth import error_of
from tests.api.tutor_course import SMALL, Course, built_course
from tests.harness import Stack


def quizzes_of(client: httpx.Client, course_id: str) -> list[dict[str, Any]]:
    reply = client.get(f"/api/v1/courses/{course_id}/quizzes")
    assert reply.status_code == 200, reply.text
    return list(reply.json())


def a_quiz(course: Course, approved: bool) -> dict[str, Any]:
    """The course's first quiz with questions, put in the wanted state (tests share it)."""
    quiz = next((q for q in quizzes_of(course.teacher, course.id) if q["question_count"] >= 2), None)
    if quiz is None:
        pytest.fail("the course has no quiz with two questions or more")
    action = "approve" if approved else "unapprove"
    reply = course.teacher.post(f"/api/v1/quizzes/{quiz['id']}/{action}")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def stats_of(course: Course, quiz_id: str) -> dict[str, Any]:
    reply = course.teacher.get(f"/api/v1/quizzes/{quiz_id}/stats")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_quiz_round_trip(any_stack: Stack) -> None:
    course = built_course(any_stack, SMALL, "Quiz course")
    quiz = a_quiz(course, approved=False)
    qid = quiz["id"]
    before = stats_of(course, qid)
    # A draft does not exist for students.
    assert qid not in [q["id"] for q in quizzes_of(course.student, course.id)]
    assert course.student.get(f"/api/v1/quizzes/{qid}").status_code == 404

    teacher_view = course.teacher.get(f"/api/v1/quizzes/{qid}").json()
    questions = teacher_view["questions"]
    assert all(set(q["options"]) and len(q["options"]) == 4 and 0 <= q["answer_index"] <= 3 for q in questions)
    assert all(q["explanation"] and q["citation"]["page"] >= 1 for q in questions)
    assert course.teacher.post(f"/api/v1/quizzes/{qid}/approve").json()["status"] == "approved"

    student_view = course.student.get(f"/api/v1/quizzes/{qid}").json()
    assert [q["id"] for q in student_view["questions"]] == [q["id"] for q in questions]
    for q in student_view["questions"]:
        assert set(q) == {"id", "position", "prompt", "options"}, q  # no answer, explanation or citation
    assert qid in [q["id"] for q in quizzes_of(course.student, course.id)]

    # First attempt: one right, one wrong, the rest unanswered.
    right, wrong = questions[0], questions[1]
    answers = {right["id"]: right["answer_index"], wrong["id"]: (wrong["answer_index"] + 1) % 4}
    first = course.student.post(f"/api/v1/quizzes/{qid}/attempts", json={"answers": answers})
    assert first.status_code == 201, first.text
    result = first.json()
    assert result["correct"] == 1 and result["total"] == len(questions) and result["stored"]
    assert result["score"] == round(100 / len(questions), 1)
    by_id = {r["question_id"]: r for r in result["results"]}
    assert by_id[right["id"]]["correct"] and not by_id[wrong["id"]]["correct"]
    assert by_id[wrong["id"]]["correct_index"] == wrong["answer_index"]
    assert by_id[wrong["id"]]["explanation"] == wrong["explanation"]
    assert by_id[wrong["id"]]["citation"]["document_id"] == course.document_id
    assert by_id[wrong["id"]]["citation"]["page"] == wrong["citation"]["page"]

    # A retake, all right.
    perfect = {q["id"]: q["answer_index"] for q in questions}
    second = course.student.post(f"/api/v1/quizzes/{qid}/attempts", json={"answers": perfect}).json()
    assert second["score"] == 100.0
    attempts = course.student.get(f"/api/v1/quizzes/{qid}/attempts").json()
    assert [a["score"] for a in attempts] == [100.0, result["score"]]  # newest first

    # Statistics grew by exactly these two attempts (other tests may share the quiz).
    stats = stats_of(course, qid)
    assert stats["attempts"] == before["attempts"] + 2 and stats["students"] == before["students"] + 1
    old = {s["question_id"]: s for s in before["questions"]}
    new = {s["question_id"]: s for s in stats["questions"]}
    assert new[right["id"]]["answers"] == old[right["id"]]["answers"] + 2
    chosen = (wrong["answer_index"] + 1) % 4
    assert new[wrong["id"]]["option_counts"][chosen] == old[wrong["id"]]["option_counts"][chosen] + 1
    assert new[wrong["id"]]["option_counts"][wrong["answer_index"]] == (
        old[wrong["id"]]["option_counts"][wrong["answer_index"]] + 1)
    if len(questions) > 2:
        last = questions[-1]["id"]
        assert new[last]["unanswered"] == old[last]["unanswered"] + 1
    if before["attempts"] == 0:
        assert new[right["id"]]["correct_share"] == 1.0 and new[wrong["id"]]["correct_share"] == 0.5
    assert course.student.get(f"/api/v1/quizzes/{qid}/stats").status_code == 403


def test_question_edits_are_validated(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Quiz course")
    quiz = a_quiz(course, approved=False)
    question = course.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"][0]
    assert question["edited_by_teacher"] is False
    url = f"/api/v1/questions/{question['id']}"
    for body in ({"options": ["a", "b", "c"]}, {"answer_index": 4}, {"options": ["a", "a", "b", "c"]},
                 {"prompt": "   "}, {"colour": "red"}):
        reply = course.teacher.patch(url, json=body)
        assert reply.status_code == 400, (body, reply.text)
        error_of(reply)
    edit = {"prompt": "Which option is right?", "options": ["w", "x", "y", "z"], "answer_index": 2,
            "explanation": "Because y."}
    reply = course.teacher.patch(url, json=edit)
    assert reply.status_code == 200, reply.text
    assert {k: reply.json()[k] for k in edit} == edit and reply.json()["edited_by_teacher"] is True
    # Students can't edit, and a quiz they can't see is simply not there.
    assert course.student.patch(url, json={"prompt": "hacked"}).status_code == 404
    course.teacher.post(f"/api/v1/quizzes/{quiz['id']}/approve")
    assert course.student.patch(url, json={"prompt": "hacked"}).status_code == 403
    kept = course.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"][0]
    assert kept["prompt"] == edit["prompt"] and kept["edited_by_teacher"] is True
    assert "edited_by_teacher" not in course.student.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"][0]


def test_bad_attempts_are_400(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Quiz course")
    quiz = a_quiz(course, approved=True)
    q = course.student.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"][0]
    url = f"/api/v1/quizzes/{quiz['id']}/attempts"
    before = course.student.get(url).json()
    cases = [
        course.student.post(url, json={"answers": {"not-a-question": 1}}),
        course.student.post(url, json={"answers": {q["id"]: 7}}),
        course.student.post(url, json={"answers": {q["id"]: "b"}}),
        course.student.post(url, json={"answers": {}}),
        course.student.post(url, json={"answers": {q["id"]: 1}, "extra": True}),
        course.student.post(url, content=b"{bad", headers={"content-type": "application/json"}),
    ]
    for reply in cases:
        assert reply.status_code == 400, reply.text
        error_of(reply)
    assert course.student.get(url).json() == before  # none of them was stored


def test_other_students_and_teachers_cannot_reach_a_quiz(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Quiz course")
    quiz = a_quiz(course, approved=True)
    _, stranger = stack.user("student")
    _, other_teacher = stack.user("teacher")
    for client in (stranger, other_teacher):
        for reply in (
            client.get(f"/api/v1/courses/{course.id}/quizzes"),
            client.get(f"/api/v1/quizzes/{quiz['id']}"),
            client.post(f"/api/v1/quizzes/{quiz['id']}/attempts", json={"answers": {"x": 0}}),
            client.get(f"/api/v1/quizzes/{quiz['id']}/attempts"),
            client.get(f"/api/v1/quizzes/{quiz['id']}/stats"),
            client.post(f"/api/v1/quizzes/{quiz['id']}/approve"),
            client.get(f"/api/quiz/{course.id}"),
            client.post(f"/api/quiz/{quiz['id']}/submit", json={"answers": {"x": 0}}),
        ):
            assert reply.status_code == 404, reply.text
            assert error_of(reply)["code"] == "not_found"


def test_legacy_quiz_routes(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Quiz course")
    quiz = a_quiz(course, approved=True)
    listed = course.student.get(f"/api/quiz/{course.id}").json()
    mine = next(q for q in listed if q["quiz"]["id"] == quiz["id"])
    assert all("answer_index" not in q for q in mine["questions"])
    first = mine["questions"][0]
    reply = course.student.post(f"/api/quiz/{quiz['id']}/submit", json={"answers": {first["id"]: 0}})
    assert reply.status_code == 200, reply.text
    assert reply.json()["total"] == len(mine["questions"])


def test_publish_warns_about_drafts_and_approve_all(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Approve-all course")
    quizzes = [q for q in quizzes_of(course.teacher, course.id) if q["question_count"]]
    assert len(quizzes) >= 2, quizzes
    assert all(q["status"] == "draft" for q in quizzes)  # nothing approved them yet
    published = course.teacher.post(f"/api/v1/courses/{course.id}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["draft_quizzes"] == len(quizzes)
    assert f"{len(quizzes)} quizzes are still a draft" in published.json()["warning"]
    assert quizzes_of(course.student, course.id) == []

    # Nobody but the course's teacher may approve them all: the enrolled student neither.
    _, stranger = stack.user("student")
    _, other_teacher = stack.user("teacher")
    for client in (course.student, stranger, other_teacher):
        reply = client.post(f"/api/v1/courses/{course.id}/quizzes/approve")
        assert reply.status_code == 404, reply.text
        assert error_of(reply)["code"] == "not_found"
    assert all(q["status"] == "draft" for q in quizzes_of(course.teacher, course.id) if q["question_count"])

    reply = course.teacher.post(f"/api/v1/courses/{course.id}/quizzes/approve")
    assert reply.status_code == 200, reply.text
    assert reply.json()["approved"] == len(quizzes)
    assert {q["status"] for q in reply.json()["quizzes"]} == {"approved"}
    assert {q["id"] for q in quizzes_of(course.student, course.id)} == {q["id"] for q in quizzes}
    again = course.teacher.post(f"/api/v1/courses/{course.id}/quizzes/approve").json()
    assert again["approved"] == 0
    republished = course.teacher.post(f"/api/v1/courses/{course.id}/publish").json()
    assert republished["draft_quizzes"] == 0 and republished["warning"] is None

    # Each question says what kind it is, to its teacher only.
    teacher_view = course.teacher.get(f"/api/v1/quizzes/{quizzes[0]['id']}").json()["questions"]
    kinds = {"cloze", "definition", "true_statement", "code_output"}
    assert teacher_view and all(q["kind"] in kinds for q in teacher_view), teacher_view
    student_view = course.student.get(f"/api/v1/quizzes/{quizzes[0]['id']}").json()["questions"]
    assert all("kind" not in q for q in student_view)


@pytest.mark.parametrize("name", ["nlp_11-transformers.pdf", "data-structures.pptx"])
def test_slides_get_quizzes_of_several_kinds(stack: Stack, name: str) -> None:
    """Lecture slides and a PPTX deck: once they had no quiz at all."""
    from tests.fixtures_path import FIXTURES

    course = built_course(stack, FIXTURES / name, f"Slides {name}")
    quizzes = [q for q in quizzes_of(course.teacher, course.id) if q["question_count"]]
    assert any(q["kind"] == "final" for q in quizzes) and any(q["kind"] == "module" for q in quizzes), quizzes
    kinds = set()
    for quiz in quizzes:
        for q in course.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"]:
            kinds.add(q["kind"])
            assert q["citation"]["document_id"] == course.document_id and q["citation"]["quote"]
    assert len(kinds) >= 2, kinds
