"""milvus-lite down for longer than the old retry budget (3 attempts, 5 s + 10 s backoff):
the job waits (stage `waiting`, attempts untouched) and finishes once the store is back;
the tutor answers 503 with Retry-After meanwhile and answers again once it is back (its
collections reloaded). A job whose outage outlasts JOB_OUTAGE_WAIT_SECONDS fails, and its
documents say `failed` with the reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.api.test_courses import make_course
from tests.api.tutor_course import SMALL, built_course
from tests.harness import Stack, upload, wait_job
from tests.jobs.test_durability import wait_for

OLD_RETRY_BUDGET_SECONDS = 16  # what made jobs fail for good before


class Restartable:
    """A milvus-lite server of this test's own, restarted on the same port and data."""

    def __init__(self, folder: Path) -> None:
        self.server = MilvusLiteServer(folder, port=free_port())

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = MilvusLiteServer(self.server.data_dir, port=self.server.port)
        self.server.start(timeout=90)


@pytest.fixture
def own_milvus(tmp_path: Path) -> Iterator[Restartable]:
    milvus = Restartable(tmp_path / "milvus")
    milvus.start()
    try:
        yield milvus
    finally:
        milvus.stop()


@pytest.fixture
def stack_on(tmp_path_factory: pytest.TempPathFactory, own_milvus: Restartable) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("milvus_outage"), own_milvus.server.uri)
    try:
        yield stack.boot(workers=1)
    finally:
        stack.stop_all()


def test_job_waits_out_a_vector_store_outage_and_the_tutor_comes_back(
    stack_on: Stack, own_milvus: Restartable
) -> None:
    stack = stack_on
    course = built_course(stack, SMALL, "Files")
    ask = {"question": "How do I read a file?"}
    assert course.student.post(f"/api/v1/courses/{course.id}/chat", json=ask).status_code == 200

    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    own_milvus.stop()
    job_id = upload(teacher, cid, SMALL)["job"]["id"]
    waiting = wait_for(teacher, job_id, lambda j: j["stage"] == "waiting", timeout=120)
    assert waiting["status"] == "running" and "vector store" in waiting["message"], waiting

    down = course.student.post(f"/api/v1/courses/{course.id}/chat", json=ask)
    assert down.status_code == 503, down.text
    assert int(down.headers["Retry-After"]) > 0 and down.json()["error"]["code"] == "service_unavailable"

    time.sleep(OLD_RETRY_BUDGET_SECONDS + 4)
    job = teacher.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "running" and job["stage"] == "waiting" and job["attempts"] == 1, job

    own_milvus.start()
    back = time.monotonic()
    while (reply := course.student.post(f"/api/v1/courses/{course.id}/chat", json=ask)).status_code != 200:
        assert reply.status_code == 503, reply.text  # never a 500
        assert time.monotonic() - back < 60, "the tutor did not come back"
        time.sleep(0.5)
    print(f"tutor answered {time.monotonic() - back:.1f} s after the vector store was back")
    assert reply.json()["citations"], reply.json()

    job = wait_job(teacher, job_id, timeout=180)
    assert job["status"] == "succeeded" and job["attempts"] == 1, job
    docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    assert [d["status"] for d in docs] == ["ready"] and docs[0]["chunk_count"] > 0


def test_outage_longer_than_the_wait_fails_the_job_and_its_documents_say_why(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A vector store that never answers, a short wait and one attempt.
    env = {"MILVUS_URI": "http://127.0.0.1:9", "JOB_OUTAGE_WAIT_SECONDS": "2", "JOB_MAX_ATTEMPTS": "1"}
    stack = Stack(tmp_path_factory.mktemp("milvus_gone"), "http://127.0.0.1:9", extra_env=env)
    try:
        stack.boot(workers=1)
        _, teacher = stack.user("teacher")
        cid = make_course(teacher)["id"]
        job_id = upload(teacher, cid, SMALL)["job"]["id"]
        job = wait_job(teacher, job_id, timeout=120)
        assert job["status"] == "failed" and job["attempts"] == 1, job
        docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
        assert [d["status"] for d in docs] == ["failed"], docs
        assert "processing failed" in docs[0]["error"] and "MilvusException" in docs[0]["error"], docs
    finally:
        stack.stop_all()
