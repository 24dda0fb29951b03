"""The queue (Redis) down while a teacher uploads: the upload is accepted, nothing is lost, and
the job runs once Redis is back (the reaper sends a queued job nobody started again)."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.vectors.lite_server import free_port
from tests.api.test_courses import make_course
from tests.conftest import new_pg_database
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, stop_process, wait_job

MD = FIXTURES / "input-output.md"


class RedisServer:
    """A redis-server of this test's own on a free port (the shared one must keep running)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_upload_while_redis_is_down_is_accepted_and_runs_when_it_is_back(
    tmp_path_factory: pytest.TempPathFactory, milvus_server: str, own_redis: RedisServer
) -> None:
    with new_pg_database() as database:
        stack = Stack(
            tmp_path_factory.mktemp("outage"), milvus_server, database_url=database, redis_url=own_redis.url,
            extra_env={"QUEUE_NAME": f"q{uuid.uuid4().hex[:8]}"},
        )
        try:
            stack.boot(workers=1)
            _, teacher = stack.user("teacher")
            cid = make_course(teacher)["id"]
            own_redis.stop()

            reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=[("files", (MD.name, MD.read_bytes()))])
            assert reply.status_code == 202, reply.text
            job_id = reply.json()["job"]["id"]
            assert teacher.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
            docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
            assert [d["filename"] for d in docs] == [MD.name]
            assert httpx.get(f"{stack.url}/health/ready").json()["checks"]["queue"] == "failing"

            own_redis.start()  # empty: the job's message was never written
            job = wait_job(teacher, job_id, timeout=180)
            assert job["status"] == "succeeded" and job["attempts"] == 1, job
            assert {d["status"] for d in teacher.get(f"/api/v1/courses/{cid}/documents").json()} == {"ready"}
        finally:
            stack.stop_all()
