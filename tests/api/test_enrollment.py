"""Enrollment codes: unambiguous and long, rotated or closed by the teacher, students only."""

from __future__ import annotations

import sqlite3

from core.security.tokens import ENROLLMENT_ALPHABET
from tests.api.test_auth import error_of
from tests.api.test_courses import make_course
from tests.harness import Stack


def test_codes_are_ten_unambiguous_characters(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    codes = [make_course(teacher, f"C{i}")["enrollment_code"] for i in range(8)]
    assert len(set(codes)) == 8
    for code in codes:
        assert len(code) == 10 and set(code) <= set(ENROLLMENT_ALPHABET), code
    assert not set("".join(codes)) & set("0O1IL")


def test_teacher_rotates_and_closes_the_code_and_sees_who_joined(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    course = make_course(teacher)
    cid, old = course["id"], course["enrollment_code"]
    assert course["enrollment_open"] is True
    teacher.post(f"/api/v1/courses/{cid}/publish")
    ada_email, ada = stack.user("student", "ada")
    grace_email, grace = stack.user("student", "grace")
    # Spaces, dashes and lower case are forgiven.
    joined = ada.post("/api/v1/enrollments", json={"code": f" {old[:5].lower()}-{old[5:]} "})
    assert joined.status_code == 201, joined.text
    assert joined.json()["enrollment_open"] is None  # students see neither the code nor the switch

    rotated = teacher.post(f"/api/v1/courses/{cid}/enrollment-code/rotate")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["enrollment_code"]
    assert new != old and len(new) == 10
    stale = grace.post("/api/v1/enrollments", json={"code": old})
    assert stale.status_code == 404 and error_of(stale)["code"] == "not_found"
    assert ada.get(f"/api/v1/courses/{cid}").status_code == 200  # who joined stays

    closed = teacher.patch(f"/api/v1/courses/{cid}", json={"enrollment_open": False})
    assert closed.status_code == 200 and closed.json()["enrollment_open"] is False
    refused = grace.post("/api/v1/enrollments", json={"code": new})
    assert refused.status_code == 403 and "closed to new students" in str(error_of(refused)["message"])
    assert ada.post("/api/v1/enrollments", json={"code": new}).status_code == 201  # already in: idempotent
    teacher.patch(f"/api/v1/courses/{cid}", json={"enrollment_open": True})
    assert grace.post("/api/v1/enrollments", json={"code": new}).status_code == 201

    students = teacher.get(f"/api/v1/courses/{cid}/students")
    assert students.status_code == 200, students.text
    assert [s["email"] for s in students.json()] == [ada_email, grace_email]
    assert all(s["user_id"] and s["enrolled_at"] for s in students.json())
    # Only its teacher (or an admin) manages the code and sees the list.
    _, other = stack.user("teacher")
    assert other.get(f"/api/v1/courses/{cid}/students").status_code == 404
    assert other.post(f"/api/v1/courses/{cid}/enrollment-code/rotate").status_code == 404
    assert ada.get(f"/api/v1/courses/{cid}/students").status_code == 403
    assert ada.patch(f"/api/v1/courses/{cid}", json={"enrollment_open": False}).status_code == 403
    with stack.client(stack.admin_token) as admin:
        assert len(admin.get(f"/api/v1/courses/{cid}/students").json()) == 2


def test_only_students_enroll(stack: Stack) -> None:
    """A teacher holding another teacher's code gets a 403 and the course stays hidden;
    the course's own teacher too (teachers see their courses without enrolling)."""
    _, owner = stack.user("teacher")
    course = make_course(owner)
    owner.post(f"/api/v1/courses/{course['id']}/publish")
    _, other = stack.user("teacher")
    for client in (other, owner):
        reply = client.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
        assert reply.status_code == 403, reply.text
        assert "only student accounts" in str(error_of(reply)["message"])
    assert other.get(f"/api/v1/courses/{course['id']}").status_code == 404
    assert other.get("/api/v1/courses").json() == []


def test_codes_made_before_keep_working(stack: Stack) -> None:
    """Courses made before the 10-character codes keep their 8-character code (with L)."""
    _, teacher = stack.user("teacher")
    course = make_course(teacher, "Old course")
    teacher.post(f"/api/v1/courses/{course['id']}/publish")
    with sqlite3.connect(stack.data_dir / "profai.db") as db:
        db.execute("UPDATE courses SET enrollment_code = 'KLM4PQR7' WHERE id = ?", (course["id"],))
    assert teacher.get(f"/api/v1/courses/{course['id']}").json()["enrollment_code"] == "KLM4PQR7"
    _, student = stack.user("student")
    assert student.post("/api/v1/enrollments", json={"code": "klm4pqr7"}).status_code == 201
