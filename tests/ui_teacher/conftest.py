"""Teacher console tests: Streamlit's AppTest against a real API server (the `stack` fixture)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from core.vectors.lite_server import free_port
from tests.fixtures_path import FIXTURES
from tests.harness import LOGS, REPO, Stack, stop_process, upload, wait_http, wait_job

APP = str(REPO / "ui_teacher" / "app.py")
STORAGE_SECRET = "browser-test-secret"


@dataclass
class Teacher:
    email: str
    api: httpx.Client

    @property
    def token(self) -> str:
        return str(self.api.headers["Authorization"].partition(" ")[2])


@pytest.fixture(autouse=True)
def api_url(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The console reads API_URL from settings; point it at the test stack."""
    monkeypatch.setenv("API_URL", stack.url)  # the console reads its settings on every run
    yield stack.url


@pytest.fixture(scope="module")
def teacher(stack: Stack) -> Teacher:
    email, api = stack.user("teacher")
    return Teacher(email, api)


def new_course(api: httpx.Client, title: str) -> dict[str, Any]:
    """Create a course through the API. Retries a 5xx: on SQLite a busy worker can make the API answer
    500 "database is locked" (reported to the backend; not what these UI tests are about)."""
    for _ in range(3):
        reply = api.post("/api/v1/courses", json={"title": title})
        if reply.status_code < 500:
            break
        time.sleep(1)
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


@pytest.fixture(scope="module")
def ready_course(teacher: Teacher) -> dict[str, Any]:
    """A course built from the Markdown fixture, its job finished."""
    course = new_course(teacher.api, "Input and output")
    job = upload(teacher.api, course["id"], FIXTURES / "input-output.md")["job"]
    done = wait_job(teacher.api, job["id"])
    assert done["status"] == "succeeded", done
    return dict(course)


AppFactory = Callable[..., AppTest]


@pytest.fixture
def app(teacher: Teacher) -> AppFactory:
    """An AppTest of the console, logged in as `teacher` unless told otherwise, on `page`."""

    def make(page: str | None = None, token: str | None = "teacher", course_id: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if token:
            at.session_state["token"] = teacher.token if token == "teacher" else token
            at.session_state["user"] = {"email": teacher.email, "name": "", "role": "teacher"}
        if course_id:
            at.session_state["course_id"] = course_id
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return make


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for simple assertions."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error", "code"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def button(at: AppTest, label: str) -> Any:
    for b in at.button:
        if b.label == label:
            return b
    raise AssertionError(f"no button {label!r}; buttons: {[b.label for b in at.button]}")


@pytest.fixture(scope="session")
def console(stack: Stack) -> Iterator[str]:
    """`profai ui-teacher` on a free port, talking to the stack's API (for the browser tests)."""
    port = free_port()
    env = stack.env() | {
        "API_URL": stack.url,
        "UI_TEACHER_PORT": str(port),
        "UI_HOST": "127.0.0.1",
        "UI_TEACHER_STORAGE_SECRET": STORAGE_SECRET,
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "ui-teacher.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "profai", "ui-teacher"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_stcore/health", proc, timeout=90)
        yield url
    finally:
        stop_process(proc, timeout=15)
