"""Property-based fuzzing of every operation in the OpenAPI schema: no caller, with valid or
invalid data, real or made-up ids, gets a 5xx (tests/api/fuzzing.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.fuzzing import Caller, fuzz
from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

EXAMPLES = 10
# Each real call of these synthesises speech for a whole lesson or answer: a few cases do.
SPEECH = {
    "GET /api/v1/lessons/{lesson_id}/audio": 3,
    "GET /api/v1/lessons/{lesson_id}/lecture/audio": 3,
    "GET /api/v1/chat/messages/{message_id}/audio": 3,
}
# Logging out would end the caller's session for the rest of the run.
KEEP_SESSION = frozenset({"POST /api/v1/auth/logout"})


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    """Its own stack: the fuzzer edits, publishes and regenerates whatever it reaches. Short texts
    to speak keep speech synthesis from dominating the run."""
    stack = Stack(tmp_path_factory.mktemp("fuzz"), milvus_server, extra_env={"MAX_TTS_CHARS": "200"})
    try:
        yield stack.boot(workers=1, scheduler=False)
    finally:
        stack.stop_all()


def test_no_operation_answers_5xx(fuzz_stack: Stack) -> None:
    _, teacher = fuzz_stack.user("teacher")
    _, student = fuzz_stack.user("student")
    course = make_course(teacher, "Fuzzed course")
    cid = course["id"]
    result = upload(teacher, cid, FIXTURES / "input-output.md")
    job = wait_job(teacher, result["job"]["id"])
    assert job["status"] == "succeeded", job
    fuzz_stack.stop("worker0")  # the jobs the fuzzer starts stay queued: the run measures the API
    assert teacher.post(f"/api/v1/courses/{cid}/publish").status_code == 200
    assert student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]}).status_code == 201
    module = teacher.get(f"/api/v1/courses/{cid}/outline").json()["modules"][0]
    quiz = teacher.get(f"/api/v1/courses/{cid}/quizzes").json()[0]
    question = teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"][0]
    answer = student.post(f"/api/v1/courses/{cid}/chat", json={"question": "How do I read a file?"}).json()
    key = teacher.post("/api/v1/api-keys", json={"name": "fuzz"}).json()["api_key"]
    known_ids = {
        "course_id": cid,
        "document_id": result["documents"][0]["id"],
        "job_id": job["id"],
        "module_id": module["id"],
        "lesson_id": module["lessons"][0]["id"],
        "quiz_id": quiz["id"],
        "question_id": question["id"],
        "session_id": answer["session_id"],
        "message_id": answer["message_id"],
        "key_id": key["id"],
        "page": "1",
    }
    callers = [
        # Past the public routes (which the others fuzz as much) an anonymous call is a 401: a few do.
        Caller("anonymous", {}, examples=3),
        Caller("student", {"Authorization": student.headers["Authorization"]}, KEEP_SESSION),
        Caller("teacher", {"Authorization": teacher.headers["Authorization"]}, KEEP_SESSION),
    ]
    report = fuzz(fuzz_stack.url, callers, known_ids, examples=EXAMPLES, fewer=SPEECH)
    print(report.summary())
    assert report.operations >= 60, report.summary()
    for caller in callers:
        assert report.operations_called(caller.name) >= set(report.all_operations) - caller.skip, caller
    assert not report.failures, report.summary()
    # The cases reached the handlers, not only the guards: most operations answered 2xx to someone.
    assert len(report.operations_succeeding()) >= 40, sorted(report.operations_succeeding())
