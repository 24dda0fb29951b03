"""Jobs survive what kills processes: SIGKILLed workers, no worker at all, an API restart.

Each test runs on the embedded default and on PostgreSQL + Redis.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from typing import Any

import httpx

from core.vectors.store import ChunkStore
from tests.api.test_courses import make_course
from tests.conftest import StackFactory
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

SLIDES = FIXTURES / "nlp_11-transformers.pdf"  # slow enough to kill a worker in the middle
SMALL = FIXTURES / "pdflatex-outline.pdf"


def wait_for(client: httpx.Client, job_id: str, predicate: Any, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if predicate(job):
            return dict(job)
        time.sleep(0.1)
    raise TimeoutError(job_id)


def kill_hard(stack: Stack, name: str) -> None:
    proc = stack.procs.pop(name)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: nothing gets to clean up
    proc.wait()


def vectors_of(stack: Stack, course_id: str) -> list[str]:
    """The ids of the course's rows in the vector store, as stored (a duplicate shows twice)."""
    with ChunkStore(stack.milvus_uri, collection=stack.env()["MILVUS_COLLECTION"], dim=384) as store:
        store.ensure_collection()
        return store.chunk_ids(course_id)


def test_worker_killed_mid_job_finishes_on_another_exactly_once(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=1)
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SLIDES)["job"]["id"]
    running = wait_for(teacher, job_id, lambda j: j["status"] == "running" and j["stage"] == "embedding")
    assert running["attempts"] == 1
    kill_hard(stack, "worker0")
    stack.start("worker1", "worker")
    job = wait_job(teacher, job_id, timeout=240)
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    assert docs[0]["status"] == "ready"
    # One copy of everything: chunk ids are deterministic and vectors were replaced, not added.
    vectors = vectors_of(stack, cid)
    assert len(vectors) == docs[0]["chunk_count"] == len(set(vectors))
    outline = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    lessons = [lesson["id"] for m in outline["modules"] for lesson in m["lessons"]]
    assert lessons and len(lessons) == len(set(lessons))
    assert sum(len(m["lessons"]) for m in job["result"]["modules"]) == len(lessons)


def test_job_enqueued_without_workers_starts_when_one_comes_up(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=0)
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SMALL)["job"]["id"]
    time.sleep(3)
    assert teacher.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
    stack.start("worker0", "worker")
    assert wait_job(teacher, job_id)["status"] == "succeeded"


def test_api_restart_loses_nothing(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=0)
    _, teacher = stack.user("teacher")
    token = teacher.headers["Authorization"]
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SMALL)["job"]["id"]
    # uvicorn shuts down cleanly, then re-raises SIGTERM so that its exit status tells why.
    assert stack.stop("api") in (0, -signal.SIGTERM)
    stack.start_api()
    stack.start("worker0", "worker")
    with httpx.Client(base_url=stack.url, headers={"Authorization": token}, timeout=30) as again:
        assert wait_job(again, job_id)["status"] == "succeeded"
        assert [c["id"] for c in again.get("/api/v1/courses").json()] == [cid]


def test_last_attempt_lost_fails_with_the_reason(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=1, env={"JOB_MAX_ATTEMPTS": "1"})
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SLIDES)["job"]["id"]
    wait_for(teacher, job_id, lambda j: j["status"] == "running")
    kill_hard(stack, "worker0")
    job = wait_job(teacher, job_id, timeout=60)
    assert job["status"] == "failed"
    assert "stopped responding" in job["error"] and "last attempt" in job["error"]
    assert teacher.get("/api/v1/worker-stats").json()["jobs"].get("failed") == 1


def test_cancel_and_retry(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=1)
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SLIDES)["job"]["id"]
    wait_for(teacher, job_id, lambda j: j["status"] == "running")
    assert teacher.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 202
    assert wait_job(teacher, job_id)["status"] == "cancelled"
    assert teacher.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 409
    assert teacher.post(f"/api/v1/jobs/{job_id}/retry").status_code == 202
    assert wait_job(teacher, job_id, timeout=240)["status"] == "succeeded"


def test_sigterm_lets_the_running_job_finish(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=1)
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SMALL)["job"]["id"]
    wait_for(teacher, job_id, lambda j: j["status"] != "queued")
    assert stack.stop("worker0", signal.SIGTERM, timeout=120) == 0
    job = teacher.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded" and job["attempts"] == 1, job
    stats = teacher.get("/api/v1/worker-stats").json()
    assert stats["workers_alive"] == 0  # a drained worker says goodbye


def test_transient_failure_is_retried_with_backoff_then_failed(stack_factory: StackFactory) -> None:
    # A vector store down for longer than a job waits for it (JOB_OUTAGE_WAIT_SECONDS, here
    # 1 s; jobs/outage_wait.py): every attempt fails, each after a longer pause.
    env = {"MILVUS_URI": "http://127.0.0.1:9", "JOB_RETRY_BACKOFF_SECONDS": "1", "JOB_OUTAGE_WAIT_SECONDS": "1"}
    stack = stack_factory(workers=1, env=env)
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SMALL)["job"]["id"]
    seen_retrying = wait_for(teacher, job_id, lambda j: j["stage"] == "retrying", timeout=60)
    assert "retrying in 1s" in seen_retrying["message"]
    job = wait_job(teacher, job_id, timeout=120)
    assert job["status"] == "failed" and job["attempts"] == 3
    assert job["error"].startswith("failed after 3 attempts") and "MilvusException" in job["error"]
    started, finished = (datetime.fromisoformat(job[k]) for k in ("started_at", "finished_at"))
    assert (finished - started).total_seconds() >= 3  # backoff: 1 s, then 2 s
