"""Courses, enrollment and the rule that another user's things answer 404."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.api.test_auth import error_of
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job


def make_course(client: httpx.Client, title: str = "Algebra") -> dict[str, Any]:
    reply = client.post("/api/v1/courses", json={"title": title, "description": "d"})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def test_course_lifecycle_and_enrollment(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    course = make_course(teacher)
    cid = course["id"]
    assert course["status"] == "draft" and course["enrollment_code"]
    assert [c["id"] for c in teacher.get("/api/v1/courses").json()] == [cid]

    patched = teacher.patch(f"/api/v1/courses/{cid}", json={"title": "Linear algebra", "allow_general_knowledge": True})
    assert patched.status_code == 200 and patched.json()["title"] == "Linear algebra"

    _, student = stack.user("student")
    # A draft's code is unknown to students, and the draft itself is invisible.
    assert student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]}).status_code == 404
    assert teacher.post(f"/api/v1/courses/{cid}/publish").json()["status"] == "published"
    joined = student.post("/api/v1/enrollments", json={"code": str(course["enrollment_code"]).lower()})
    assert joined.status_code == 201, joined.text
    assert joined.json()["enrollment_code"] is None  # students never see the code
    again = student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
    assert again.status_code == 201  # idempotent
    assert [c["id"] for c in student.get("/api/v1/courses").json()] == [cid]
    assert student.get(f"/api/v1/courses/{cid}").status_code == 200
    # Enrolled students read, but cannot change.
    assert student.patch(f"/api/v1/courses/{cid}", json={"title": "mine"}).status_code == 403
    assert student.delete(f"/api/v1/courses/{cid}").status_code == 403

    # Unpublishing hides it from students again.
    teacher.post(f"/api/v1/courses/{cid}/unpublish")
    assert student.get(f"/api/v1/courses/{cid}").status_code == 404
    assert student.get("/api/v1/courses").json() == []

    assert teacher.delete(f"/api/v1/courses/{cid}").status_code == 204
    assert teacher.get(f"/api/v1/courses/{cid}").status_code == 404


def test_other_users_course_is_indistinguishable_from_missing(stack: Stack) -> None:
    _, owner = stack.user("teacher")
    _, intruder = stack.user("teacher")
    _, student = stack.user("student")
    cid = make_course(owner)["id"]
    missing = "0" * 32
    for client in (intruder, student):
        for method, path in [
            ("GET", f"/api/v1/courses/{cid}"),
            ("PATCH", f"/api/v1/courses/{cid}"),
            ("DELETE", f"/api/v1/courses/{cid}"),
            ("GET", f"/api/v1/courses/{cid}/documents"),
            ("GET", f"/api/v1/courses/{cid}/jobs"),
            ("GET", f"/api/v1/courses/{cid}/outline"),
            ("POST", f"/api/v1/courses/{cid}/publish"),
            ("GET", f"/api/course/{cid}"),
        ]:
            body = {"title": "x"} if method == "PATCH" else None
            theirs = client.request(method, path, json=body)
            nothing = client.request(method, path.replace(str(cid), missing), json=body)
            assert theirs.status_code == nothing.status_code == 404, (method, path, theirs.text)
            assert theirs.json() == nothing.json() or error_of(theirs)["code"] == error_of(nothing)["code"]
    assert owner.get(f"/api/v1/courses/{cid}").status_code == 200


def test_bad_json_and_unknown_fields_are_400(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    reply = teacher.post("/api/v1/courses", content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert error_of(reply)["code"] == "bad_request"
    reply = teacher.post("/api/v1/courses", json={"title": "T", "colour": "red"})
    assert reply.status_code == 400
    assert "colour" in str(error_of(reply)["message"])
    reply = teacher.post("/api/v1/courses", json={"title": ""})
    assert reply.status_code == 400
    reply = teacher.post("/api/v1/courses", json={"title": 5})
    assert reply.status_code == 400
    reply = teacher.post("/api/v1/courses", json=["title"])
    assert reply.status_code == 400
    assert teacher.get("/api/v1/courses").json() == []  # nothing was created by any of these


def test_oversize_json_body_is_413(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    huge = b'{"title": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    reply = teacher.post("/api/v1/courses", content=huge, headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert error_of(reply)["code"] == "too_large"


def test_health_metrics_and_openapi(stack: Stack) -> None:
    assert httpx.get(f"{stack.url}/health/live").json() == {"status": "ok"}
    ready = httpx.get(f"{stack.url}/health/ready").json()
    assert ready["status"] == "ok", ready
    assert set(ready["checks"]) == {"database", "queue", "vectors"}
    # The local embedding model loads in the background at start, not on the first question.
    deadline = time.monotonic() + 60
    while ready["tutor"] != "ready" and time.monotonic() < deadline:
        assert ready["tutor"] in ("cold", "warming"), ready
        time.sleep(0.5)
        ready = httpx.get(f"{stack.url}/health/ready").json()
    assert ready["tutor"] == "ready", ready
    _, teacher = stack.user("teacher")
    json_type = {"content-type": "application/json"}
    huge = b'{"title": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    refused = teacher.post("/api/v1/courses", content=huge, headers=json_type)
    assert refused.status_code == 413
    metrics = httpx.get(f"{stack.url}/metrics").text
    assert 'profai_http_requests_total{method="POST",route="/api/v1/courses",status="413"}' in metrics
    assert "profai_http_request_duration_seconds_bucket" in metrics
    schema = httpx.get(f"{stack.url}/schema/openapi.json").json()
    for path in ("/api/v1/courses", "/api/v1/courses/{course_id}/documents", "/api/upload-pdfs", "/api/jobs/{job_id}"):
        assert path in schema["paths"], path
    assert httpx.get(f"{stack.url}/schema/swagger").status_code == 200


def test_cached_reads_follow_every_change(any_stack: Stack) -> None:
    """Students' course lists and job status are cached; each change shows up at once."""
    _, teacher = any_stack.user("teacher")
    _, student = any_stack.user("student")
    course = make_course(teacher, "Cached")
    teacher.post(f"/api/v1/courses/{course['id']}/publish")
    assert student.get("/api/v1/courses").json() == []
    student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})

    def converges_to(expected: list[str]) -> None:
        # Invalidation crosses processes over Redis within milliseconds: allow one second,
        # then every read (two API processes serve them) must agree.
        deadline = time.monotonic() + 1.0
        while [c["title"] for c in student.get("/api/v1/courses").json()] != expected:
            assert time.monotonic() < deadline, expected
            time.sleep(0.02)
        views = {tuple(c["title"] for c in student.get("/api/v1/courses").json()) for _ in range(8)}
        assert views == {tuple(expected)}

    converges_to(["Cached"])
    teacher.patch(f"/api/v1/courses/{course['id']}", json={"title": "Renamed"})
    converges_to(["Renamed"])
    teacher.post(f"/api/v1/courses/{course['id']}/unpublish")
    converges_to([])


def courses_listed(stack: Stack) -> float:
    """`GET /api/v1/courses` answered 200, as one scrape of /metrics counts it."""
    text = httpx.get(f"{stack.url}/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = {"method": "GET", "route": "/api/v1/courses", "status": "200"}
            if sample.name == "profai_http_requests_total" and sample.labels == labels:
                return sample.value
    return 0.0


def test_cached_answers_are_per_user_and_path_and_stop_at_logout(pg_stack: Stack) -> None:
    """Repeated GETs are answered from memory in front of the app (backend/edge.py), but
    only with what the app gave that same user for that same path and query."""
    _, teacher = pg_stack.user("teacher")
    _, alice = pg_stack.user("student", "alice")
    _, bob = pg_stack.user("student", "bob")
    for client, title in ((alice, "Alice's"), (bob, "Bob's")):
        course = make_course(teacher, title)
        teacher.post(f"/api/v1/courses/{course['id']}/publish")
        client.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})

    def titles(client: httpx.Client, path: str = "/api/v1/courses") -> tuple[list[str], bool]:
        reply = client.get(path)
        assert reply.status_code == 200, reply.text
        return [c["title"] for c in reply.json()], reply.headers.get("x-profai-cache") == "hit"

    # Two API processes: each may need a first read of its own before it answers from memory.
    for client, expected in ((alice, ["Alice's"]), (bob, ["Bob's"])):
        seen = [titles(client) for _ in range(8)]
        assert {tuple(t) for t, _ in seen} == {tuple(expected)}
        assert any(hit for _, hit in seen), "repeated reads were never answered from the cache"
    assert titles(alice, "/api/v1/courses?page=2") == (["Alice's"], False)  # another query: new entry
    # A browser's cross-origin request goes through the app (CORS headers are added there).
    crossing = alice.get("/api/v1/courses", headers={"Origin": "https://elsewhere.example"})
    assert crossing.status_code == 200 and "x-profai-cache" not in crossing.headers

    # Answers from the cache are counted under their route, and /metrics sums the counts of
    # both API processes (prometheus_client's multiprocess mode), whichever one answers.
    before = courses_listed(pg_stack)
    for _ in range(12):
        titles(alice)
    assert [courses_listed(pg_stack) for _ in range(6)] == [before + 12] * 6

    token = alice.headers["Authorization"]
    assert alice.post("/api/v1/auth/logout").status_code == 204
    for _ in range(4):  # both processes: the revoked token reaches neither the cache nor the app
        reply = httpx.get(f"{pg_stack.url}/api/v1/courses", headers={"Authorization": token})
        assert reply.status_code == 401, reply.text


def test_job_status_on_the_read_pool_matches_the_model(pg_stack: Stack) -> None:
    """On PostgreSQL the status routes read through core/db/read_pool.py: same answer and
    same access rule as the ORM path (creator, course owner and admins; 404 for others)."""
    _, teacher = pg_stack.user("teacher")
    _, other = pg_stack.user("teacher")
    _, student = pg_stack.user("student")
    course = make_course(teacher, "Pool")
    teacher.post(f"/api/v1/courses/{course['id']}/publish")
    student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
    job = upload(teacher, course["id"], FIXTURES / "input-output.md")["job"]
    done = wait_job(teacher, job["id"])
    assert done["status"] == "succeeded" and done["result"], done
    assert done["kind"] == "ingest" and done["course_id"] == course["id"] and done["progress"] == 100
    for stamp in ("created_at", "started_at", "finished_at"):
        assert datetime.fromisoformat(done[stamp]).utcoffset() is not None, (stamp, done[stamp])
    assert datetime.fromisoformat(done["finished_at"]) >= datetime.fromisoformat(done["started_at"])
    legacy = teacher.get(f"/api/jobs/{job['id']}").json()
    assert legacy["status"] == "SUCCESS" and legacy["job_status"] == "succeeded"
    assert legacy["task_id"] == job["id"] and legacy["result"] == done["result"]
    with pg_stack.client(pg_stack.admin_token) as admin:
        assert admin.get(f"/api/v1/jobs/{job['id']}").json() == done
    for stranger in (other, student):
        for path in (f"/api/v1/jobs/{job['id']}", f"/api/jobs/{job['id']}", "/api/v1/jobs/" + "f" * 32):
            reply = stranger.get(path)
            assert reply.status_code == 404 and error_of(reply)["code"] == "not_found", (path, reply.text)


def test_student_course_list_on_the_read_pool(pg_stack: Stack) -> None:
    """On PostgreSQL a student's list reads through core/db/read_pool.py; it must say what
    the teacher's own (ORM) view of the same courses says."""
    _, teacher = pg_stack.user("teacher")
    _, student = pg_stack.user("student")
    _, classmate = pg_stack.user("student")
    made = {title: make_course(teacher, title) for title in ("Zoology", "Algebra", "Music")}
    for title, course in made.items():
        teacher.post(f"/api/v1/courses/{course['id']}/publish")
        for client in (student, classmate) if title != "Music" else (student,):
            client.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
    job = upload(teacher, made["Algebra"]["id"], FIXTURES / "input-output.md")["job"]
    assert wait_job(teacher, job["id"])["status"] == "succeeded"
    teacher.post(f"/api/v1/courses/{made['Music']['id']}/unpublish")

    listed = student.get("/api/v1/courses").json()
    assert [c["title"] for c in listed] == ["Algebra", "Zoology"]  # published only, by title
    teachers = {c["id"]: c for c in teacher.get("/api/v1/courses").json()}
    for course in listed:
        assert course["enrollment_code"] is None and course["last_job"] is None and course["state"] == "published"
        mine = teachers[course["id"]]
        assert course["counts"] == mine["counts"], course["title"]
        for field in ("title", "status", "owner_id", "created_at", "updated_at", "language"):
            assert course[field] == mine[field], field
    algebra = next(c for c in listed if c["title"] == "Algebra")
    assert algebra["counts"]["documents"] == 1 and algebra["counts"]["students"] == 2
    assert algebra["counts"]["lessons"] >= 1
