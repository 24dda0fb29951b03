"""API throughput and latency against a bare Litestar route, plus job enqueue-to-start.

PostgreSQL + Redis configuration, 2 API processes, wrk with 64 connections on this machine.
Run: .venv/bin/python -m bench.api_throughput [--seconds 10] [--connections 64]
Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services.sh) and wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import psycopg

from core.vectors.lite_server import free_port
from tests.harness import Stack, wait_http

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/7"


def wrk(url: str, seconds: int, connections: int, token: str | None = None) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors while loading {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, _latency(out, "50%"), _latency(out, "99%")


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"{re.escape(pct)}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    db = f"profai_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    base = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    data = Path(tempfile.mkdtemp(prefix="profai-bench-"))
    stack = Stack(
        data,
        "http://127.0.0.1:1",
        database_url=f"postgresql+psycopg://{base}/{db}",
        redis_url=REDIS,
        extra_env={
            "API_WORKERS": "2",
            "LOG_LEVEL": "WARNING",
            "QUEUE_NAME": f"bench{uuid.uuid4().hex[:6]}",
            "JOB_HEARTBEAT_SECONDS": "5",
        },
    )
    bare_port = free_port()
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--port",
            str(bare_port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        stack.boot(workers=1, scheduler=False)
        wait_http(f"http://127.0.0.1:{bare_port}/ping", bare)
        _, teacher = stack.user("teacher")
        _, student = stack.user("student")
        course_ids = []
        for i in range(20):
            course = teacher.post("/api/v1/courses", json={"title": f"Course {i:02d}"}).json()
            teacher.post(f"/api/v1/courses/{course['id']}/publish")
            student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
            course_ids.append(course["id"])
        assert len(student.get("/api/v1/courses").json()) == 20

        latencies = enqueue_to_start(teacher, course_ids[0])
        job_id = teacher.get(f"/api/v1/courses/{course_ids[0]}/jobs").json()[0]["id"]
        teacher_token = teacher.headers["Authorization"].split()[1]
        student_token = student.headers["Authorization"].split()[1]

        rows = [
            ("bare Litestar route (ceiling)", f"http://127.0.0.1:{bare_port}/ping", None),
            ("GET /api/v1/courses (student, 20 courses)", f"{stack.url}/api/v1/courses", student_token),
            ("GET /api/jobs/{id}", f"{stack.url}/api/jobs/{job_id}", teacher_token),
            ("GET /api/v1/jobs/{id}", f"{stack.url}/api/v1/jobs/{job_id}", teacher_token),
            ("GET /api/v1/courses/{id} (uncached)", f"{stack.url}/api/v1/courses/{course_ids[0]}", teacher_token),
            ("GET /api/v1/courses (teacher, uncached)", f"{stack.url}/api/v1/courses", teacher_token),
        ]
        results = []
        for name, url, token in rows:
            wrk(url, 2, args.connections, token)  # warm-up
            results.append((name, *wrk(url, args.seconds, args.connections, token)))
        # The same reads with the response cache off (it is on only when Redis carries the
        # change feed): what the database path alone delivers.
        stack.stop("api")
        stack.redis_url = None
        stack.start_api()
        for name, url, token in rows[1:4]:
            wrk(url, 2, args.connections, token)
            results.append((name.replace("GET", "GET (no cache)", 1), *wrk(url, args.seconds, args.connections, token)))
        ceiling = results[0][1]
        print(f"\n{args.connections} connections, {args.seconds}s each, 2 API processes, PostgreSQL + Redis")
        print(f"{'route':45} {'req/s':>9} {'% ceil':>7} {'p50 ms':>7} {'p99 ms':>7}")
        for name, rps, p50, p99 in results:
            print(f"{name:45} {rps:9.0f} {100 * rps / ceiling:6.0f}% {p50:7.1f} {p99:7.1f}")
        print(
            f"\njob enqueue-to-start with an idle worker (n={len(latencies)}): "
            f"median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms"
        )
    finally:
        stack.stop_all()
        bare.terminate()
        bare.wait()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data, ignore_errors=True)


def enqueue_to_start(teacher: httpx.Client, course_id: str, n: int = 15) -> list[float]:
    """Time from the job row's creation to a worker claiming it, for small uploads."""
    out = []
    for i in range(n):
        reply = teacher.post(
            f"/api/v1/courses/{course_id}/documents",
            files=[("files", (f"n{i}.md", f"# Note {i}\n\nText {i}.".encode()))],
        )
        job = reply.json()["job"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            current = teacher.get(f"/api/v1/jobs/{job['id']}").json()
            if current["started_at"]:
                created = datetime.fromisoformat(current["created_at"])
                started = datetime.fromisoformat(current["started_at"])
                out.append((started - created).total_seconds() * 1000)
                break
            time.sleep(0.01)
        # let the job finish so the worker is idle again for the next sample
        while teacher.get(f"/api/v1/jobs/{job['id']}").json()["status"] in ("queued", "running"):
            time.sleep(0.05)
    return out


if __name__ == "__main__":
    main()
