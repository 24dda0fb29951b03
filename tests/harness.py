"""Real processes for tests: the API under uvicorn, workers, the scheduler.

Each Stack gets its own data folder, port, database and queue, and shares the
session's milvus-lite server (courses never share ids, so their vectors never mix).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core.vectors.lite_server import free_port

REPO = Path(__file__).resolve().parents[1]
# Passwords of the accounts tests make: long and uncommon, as the password policy asks
# (core/security/password_policy.py); "password-123" is refused since.
PASSWORD = "harbor-quill-lantern-58"
ADMIN_PASSWORD = "admin-pass-123"
LOGS = REPO / "test-artifacts" / "logs"

# Short timings so that heartbeats, the reaper and retries happen within a test.
FAST_JOBS = {
    "JOB_HEARTBEAT_SECONDS": "1",
    "JOB_STALE_SECONDS": "6",
    "REAPER_INTERVAL_SECONDS": "1",
    "JOB_RETRY_BACKOFF_SECONDS": "1",
    "CACHE_TTL_SECONDS": "2",
    "LOG_LEVEL": "INFO",
    # Small limits so that tests can break them with small files.
    "MAX_FILE_MB": "3",
    "MAX_REQUEST_MB": "6",
    "MAX_FILES_PER_REQUEST": "5",
    # A few shared users ask, listen and upload far more than a person would: the limits
    # per user are tested on stacks of their own (tests/api/test_rate_limits.py).
    "RATE_LIMIT_CHAT": "1000/minute",
    "RATE_LIMIT_AUDIO": "1000/minute",
    "RATE_LIMIT_UPLOAD": "1000/hour",
    # The original's concurrent upload script sends 50 at once with one key (test_legacy_contract).
    "MAX_CONCURRENT_UPLOADS": "100",
    "MAX_CONCURRENT_STREAMS": "100",
    # The multilingual step embeds every chunk again with a slower model: off for the suite's
    # many courses; tests/api/test_chat_languages.py turns it on for a small one.
    "TUTOR_MULTILINGUAL": "0",
}


@dataclass
class Stack:
    data_dir: Path
    milvus_uri: str
    database_url: str | None = None
    redis_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MILVUS_"))}
        env.update(FAST_JOBS)
        env.update(
            DATA_DIR=str(self.data_dir),
            MILVUS_URI=self.milvus_uri,
            API_PORT=str(self.api_port),
            API_URL=self.url,
            MILVUS_COLLECTION=os.environ.get("TEST_MILVUS_COLLECTION", "profai_test"),
            DO_NOT_TRACK="1",
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def run(self, *args: str, input_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = self.env() | (input_env or {})
        return subprocess.run(
            [sys.executable, "-m", "profai", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        LOGS.mkdir(parents=True, exist_ok=True)
        # The tmp folder's parent tells parallel test processes apart (each has an "embedded0").
        log = open(LOGS / f"{self.data_dir.parent.name}-{self.data_dir.name}-{name}.log", "ab")  # noqa: SIM115 - lives with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "profai", *args],
            env=self.env(),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def start_api(self) -> None:
        self.start("api", "api")
        wait_http(f"{self.url}/health/live", self.procs["api"])

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        proc = self.procs.pop(name, None)
        return stop_process(proc, sig, timeout) if proc is not None else None

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def boot(self, workers: int = 1, scheduler: bool = True) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.run("migrate")
        self.run(
            "create-user",
            "--email",
            "admin@test.io",
            "--role",
            "admin",
            "--name",
            "Admin",
            input_env={"PROFAI_PASSWORD": ADMIN_PASSWORD},
        )
        self.start_api()
        for i in range(workers):
            self.start(f"worker{i}", "worker")
        if scheduler:
            self.start("scheduler", "scheduler")
        self.admin_token = login(self.url, "admin@test.io", ADMIN_PASSWORD)
        return self

    def client(self, token: str | None = None, api_key: str | None = None) -> httpx.Client:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def user(self, role: str, name: str | None = None) -> tuple[str, httpx.Client]:
        """A new account of `role`; returns its email and a logged-in client."""
        email = f"{name or role}-{uuid.uuid4().hex[:8]}@test.io"
        with self.client(self.admin_token) as admin:
            reply = admin.post("/api/v1/users", json={"email": email, "password": PASSWORD, "role": role})
            assert reply.status_code == 201, reply.text
        return email, self.client(login(self.url, email, PASSWORD))


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    """Ask a process to stop, kill it if it does not in time; its exit code."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def login(url: str, email: str, password: str) -> str:
    reply = httpx.post(f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["token"])


def wait_http(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def wait_job(
    client: httpx.Client,
    job_id: str,
    timeout: float = 180,
    until: tuple[str, ...] = ("succeeded", "failed", "cancelled"),
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job.get("status") in until:
            return job
        time.sleep(0.3)
    raise TimeoutError(f"job {job_id} still {job.get('status')} ({job.get('message')})")


def upload(client: httpx.Client, course_id: str, *paths: Path) -> dict[str, Any]:
    files = [("files", (p.name, p.read_bytes())) for p in paths]
    reply = client.post(f"/api/v1/courses/{course_id}/documents", files=files)
    assert reply.status_code == 202, reply.text
    return dict(reply.json())


def iterate_stack(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack.boot()
    finally:
        stack.stop_all()
