"""The original system's three clients, as its README documents them, against the real stack.

Its curl flow, its concurrent upload script and its locust load test live in
tests/legacy_clients/ unchanged but for the X-API-Key header. They run as the processes they
are; these tests check the replies have the original's fields and vocabulary and that every
upload's job ends in SUCCESS, as a client polling for it expects.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures_path import FIXTURES
from tests.harness import Stack

CLIENTS = Path(__file__).resolve().parents[1] / "legacy_clients"
PDF = FIXTURES / "pdflatex-outline.pdf"
# The original uploads 50 at once; 10 keep the test short on 2 cores (LEGACY_UPLOADS=50 for all).
UPLOADS = int(os.environ.get("LEGACY_UPLOADS", "10"))
CELERY_STATES = {"PENDING", "STARTED", "SUCCESS", "FAILURE"}


def api_key(stack: Stack) -> tuple[str, httpx.Client]:
    """A new teacher's read-write API key, and that teacher's logged-in client."""
    _, teacher = stack.user("teacher")
    created = teacher.post("/api/v1/api-keys", json={"name": "original clients", "scopes": ["read", "write"]})
    assert created.status_code == 201, created.text
    return str(created.json()["key"]), teacher


def client_env(stack: Stack, key: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "PROFAI_URL": stack.url, "PROFAI_API_KEY": key, "PYTHON": sys.executable, **extra}


def assert_upload_reply(reply: dict[str, Any]) -> None:
    # The original's three fields with its values; ours only after them.
    assert list(reply)[:3] == ["task_id", "status", "message"], reply
    assert reply["status"] == "pending" and reply["message"] == "PDF processing started"
    assert isinstance(reply["task_id"], str) and reply["task_id"]


def assert_status_reply(reply: dict[str, Any]) -> None:
    assert list(reply)[:4] == ["task_id", "status", "progress", "message"], reply
    assert reply["status"] in CELERY_STATES
    assert isinstance(reply["progress"], int) and 0 <= reply["progress"] <= 100
    assert isinstance(reply["message"], str)


def wait_success(client: httpx.Client, task_id: str, timeout: float = 150) -> dict[str, Any]:
    """Poll the original's status route as its clients do, until SUCCESS (FAILURE fails the test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = client.get(f"/api/jobs/{task_id}")
        assert reply.status_code == 200, reply.text
        status = reply.json()
        assert_status_reply(status)
        assert status["status"] != "FAILURE", status
        if status["status"] == "SUCCESS":
            return dict(status)
        time.sleep(0.5)
    raise TimeoutError(f"task {task_id} never reached SUCCESS")


def assert_stats_reply(stats: dict[str, Any]) -> None:
    assert list(stats)[:3] == ["active_workers", "active_tasks", "scheduled_tasks"], stats
    assert all(isinstance(stats[k], dict) for k in ("active_workers", "active_tasks", "scheduled_tasks"))
    assert stats["active_workers"], "a worker is running"
    for tasks in (*stats["active_tasks"].values(), *stats["scheduled_tasks"].values()):
        assert isinstance(tasks, list)


def test_curl_flow(stack: Stack) -> None:
    key, _ = api_key(stack)
    run = subprocess.run(
        ["sh", str(CLIENTS / "curl_flow.sh"), str(PDF), "Curl course"],
        env=client_env(stack, key),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    lines = [line.split(" ", 1) for line in run.stdout.splitlines()]
    replies = [(kind, json.loads(body)) for kind, body in lines]
    kinds = [kind for kind, _ in replies]
    assert kinds[0] == "upload" and kinds[-1] == "stats" and set(kinds[1:-1]) == {"status"}, kinds
    upload = replies[0][1]
    assert_upload_reply(upload)
    statuses = [body for kind, body in replies if kind == "status"]
    for status in statuses:
        assert_status_reply(status)
        assert status["task_id"] == upload["task_id"]
    assert statuses[-1]["status"] == "SUCCESS" and statuses[-1]["progress"] == 100, statuses[-1]
    assert_stats_reply(replies[-1][1])

    with stack.client(api_key=key) as partner:
        listed = partner.get("/api/courses").json()
        assert [c["title"] for c in listed] == ["Curl course"]
        course = partner.get(f"/api/course/{upload['course_id']}").json()
        assert course["course_title"] == "Curl course" and course["modules"][0]["lessons"][0]["content"]


def test_concurrent_upload_script(stack: Stack, tmp_path: Path) -> None:
    key, teacher = api_key(stack)
    for i in range(UPLOADS):
        shutil.copy(PDF, tmp_path / f"test{i}.pdf")
    results_file = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(CLIENTS / "concurrent_upload.py")],
        cwd=tmp_path,
        env=client_env(stack, key, UPLOADS=str(UPLOADS), RESULTS_FILE=str(results_file)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert f"Uploaded {UPLOADS} PDFs" in run.stdout
    results = json.loads(results_file.read_text())
    for reply in results:
        assert_upload_reply(reply)
    task_ids = {r["task_id"] for r in results}
    assert len(task_ids) == UPLOADS

    with stack.client(api_key=key) as partner:
        # While they run, the stats show them (running on a worker, or waiting in the queue).
        stats = partner.get("/api/worker-stats").json()
        assert_stats_reply(stats)
        shown = [t["id"] for ts in stats["active_tasks"].values() for t in ts]
        shown += [t["request"]["id"] for ts in stats["scheduled_tasks"].values() for t in ts]
        assert set(shown) & task_ids, stats
        # Another teacher sees none of them.
        _, other = stack.user("teacher")
        theirs = other.get("/api/worker-stats").json()
        assert not [t for ts in (*theirs["active_tasks"].values(), *theirs["scheduled_tasks"].values()) for t in ts]

        done = [wait_success(partner, task_id) for task_id in sorted(task_ids)]
        assert all(d["progress"] == 100 for d in done)

        # /api/courses keeps its shape (a list), a page at a time.
        everything = partner.get("/api/courses")
        assert everything.headers["x-total-count"] == str(UPLOADS)
        assert sorted(c["title"] for c in everything.json()) == sorted(f"Course {i}" for i in range(UPLOADS))
        first = partner.get("/api/courses", params={"limit": 3})
        rest = partner.get("/api/courses", params={"limit": 200, "offset": 3})
        assert len(first.json()) == 3 and 'rel="next"' in first.headers["link"]
        assert "link" not in rest.headers
        assert [c["id"] for c in first.json() + rest.json()] == [c["id"] for c in everything.json()]
        assert partner.get("/api/courses", params={"limit": 201}).status_code == 400
    teacher.close()


def test_locust_loadtest(stack: Stack, tmp_path: Path) -> None:
    key, _ = api_key(stack)
    shutil.copy(PDF, tmp_path / "test.pdf")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(CLIENTS / "loadtest.py"),
            "--headless",
            "--only-summary",
            "--users",
            "5",
            "--spawn-rate",
            "5",
            "--run-time",
            "12s",
            "--stop-timeout",
            "10",
            "--host",
            stack.url,
            "--csv",
            str(tmp_path / "run"),
        ],
        cwd=tmp_path,
        env=client_env(stack, key),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    with open(tmp_path / "run_stats.csv") as handle:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(handle)}
    uploads, lists = rows[("POST", "/api/upload-pdfs")], rows[("GET", "/api/courses")]
    assert int(uploads["Request Count"]) > 0 and int(lists["Request Count"]) > 0, rows
    assert rows[("", "Aggregated")]["Failure Count"] == "0", rows

    with stack.client(api_key=key) as partner:
        courses = partner.get("/api/courses", params={"limit": 200}).json()
        # A user stopped mid-upload when the run ends may have its upload accepted without locust
        # counting it: at most one such upload per user (5), never fewer courses than counted uploads.
        counted = int(uploads["Request Count"])
        assert counted <= len(courses) <= counted + 5, (counted, len(courses))
        assert {c["title"] for c in courses} == {"Test"}
        for course in courses:
            [job] = partner.get(f"/api/v1/courses/{course['id']}/jobs").json()
            wait_success(partner, job["id"])


@pytest.mark.pg
def test_curl_flow_on_postgresql(pg_stack: Stack) -> None:
    key, _ = api_key(pg_stack)
    run = subprocess.run(
        ["sh", str(CLIENTS / "curl_flow.sh"), str(PDF), "Curl course"],
        env=client_env(pg_stack, key),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    last_status = [json.loads(line[7:]) for line in run.stdout.splitlines() if line.startswith("status ")][-1]
    assert last_status["status"] == "SUCCESS", last_status
