"""Student app tests: `profai ui-student` as a real process, against a real API server (the `stack` fixture)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gradio_client import Client

from core.vectors.lite_server import free_port
from tests.fixtures_path import FIXTURES
from tests.harness import LOGS, PASSWORD, REPO, Stack, stop_process, upload, wait_http, wait_job

STORAGE_SECRET = "test-storage-secret"  # UI_STUDENT_STORAGE_SECRET of the app under test


@dataclass
class Course:
    id: str
    title: str
    code: str
    teacher: httpx.Client


@dataclass
class Student:
    email: str
    password: str
    api: httpx.Client


@pytest.fixture(scope="session")
def course(stack: Stack) -> Course:
    """A published course built from the Markdown fixture, its quizzes approved."""
    _, teacher = stack.user("teacher")
    created = teacher.post("/api/v1/courses", json={"title": "Input and output"}).json()
    job = upload(teacher, created["id"], FIXTURES / "input-output.md")["job"]
    done = wait_job(teacher, job["id"])
    assert done["status"] == "succeeded", done
    for quiz in teacher.get(f"/api/v1/courses/{created['id']}/quizzes").json():
        assert teacher.post(f"/api/v1/quizzes/{quiz['id']}/approve").status_code == 200
    published = teacher.post(f"/api/v1/courses/{created['id']}/publish")
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return Course(body["id"], body["title"], str(body["enrollment_code"]), teacher)


@pytest.fixture(scope="session")
def pdf_course(stack: Stack) -> Course:
    """A published course built from a 4-page PDF: its citations point to pages the API can render."""
    _, teacher = stack.user("teacher")
    created = teacher.post("/api/v1/courses", json={"title": "Sample PDF"}).json()
    job = upload(teacher, created["id"], FIXTURES / "pdflatex-outline.pdf")["job"]
    done = wait_job(teacher, job["id"])
    assert done["status"] == "succeeded", done
    published = teacher.post(f"/api/v1/courses/{created['id']}/publish")
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return Course(body["id"], body["title"], str(body["enrollment_code"]), teacher)


@pytest.fixture
def student(stack: Stack) -> Student:
    email, api = stack.user("student")
    return Student(email, PASSWORD, api)


@pytest.fixture(scope="session")
def student_ui(stack: Stack) -> Iterator[str]:
    """`profai ui-student` on a free port, talking to the test stack's API."""
    port = free_port()
    env = stack.env() | {
        "API_URL": stack.url,
        "UI_STUDENT_PORT": str(port),
        "UI_STUDENT_STORAGE_SECRET": STORAGE_SECRET,
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / f"{stack.data_dir.name}-ui-student.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "profai", "ui-student"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/config", proc, timeout=120)
        yield url
    finally:
        stop_process(proc, timeout=20)


@pytest.fixture
def ui(student_ui: str) -> Iterator[Client]:
    """A gradio_client session of the student app (its own gr.State, like one browser tab)."""
    client = Client(student_ui, verbose=False, download_files=False)
    try:
        yield client
    finally:
        client.close()


def update_of(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict) and value.get("__type__") == "update", value
    return value


def choices_of(value: Any) -> list[tuple[str, str]]:
    return [(str(label), str(v)) for label, v in update_of(value).get("choices") or []]


def lessons_in(outline: str) -> list[tuple[str, str]]:
    """(title, id) of every lesson button in the outline HTML, in course order."""
    found = re.findall(r"data-lesson='([^']+)'><span class='mark'>[^<]*</span> [\d.]+ ([^<]*)</button>", outline)
    return [(html.unescape(title), lesson_id) for lesson_id, title in found]


def enter_course(ui: Client, course: Course, student: Student) -> list[tuple[str, str]]:
    """Log in, join by code (which opens the course); returns the outline's (title, id) lessons."""
    signed_in, picker, *_ = ui.predict(student.email, student.password, api_name="/login")
    assert student.email in signed_in
    assert choices_of(picker) == []  # a new student has no course yet
    picker, code_box, header, outline, title, *_, message = ui.predict(course.code.lower(), api_name="/join")
    assert "You joined" in message and course.title in message and code_box == ""
    assert choices_of(picker) == [(course.title, course.id)] and update_of(picker)["value"] == course.id
    assert course.title in header and "0/" in header
    assert "Module 1" in outline and "○" in outline and "✓" not in outline
    lessons = lessons_in(outline)
    assert lessons and all(lesson_id for _, lesson_id in lessons)
    assert lessons[0][0] in title, "joining opens the first lesson"
    return lessons


def text_of(message: dict[str, Any]) -> str:
    """A chatbot message's text: Gradio sends content as a string or as a list of typed parts."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return " ".join(str(part.get("text", "")) for part in content)
