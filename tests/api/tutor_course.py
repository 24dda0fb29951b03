"""A built, published course with an enrolled student, made once per stack and shared by the
tutor tests (chat, quizzes, progress): building the tutorial PDF takes a minute or more."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.pipeline.parsed_cache import load_parsed
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

TUTORIAL = FIXTURES / "python-tutorial-3.11.pdf"
SMALL = FIXTURES / "input-output.md"
QA = FIXTURES / "python-tutorial-qa.json"


@dataclass
class Course:
    id: str
    teacher: httpx.Client
    student: httpx.Client  # enrolled
    document_id: str
    path: Path


_BUILT: dict[tuple[str, str, str], Course] = {}


def built_course(stack: Stack, path: Path = TUTORIAL, title: str = "Python tutorial") -> Course:
    """Upload, wait for the job, publish, enroll a new student. Memoised per stack and file."""
    key = (stack.url, str(path), title)
    if key not in _BUILT:
        _, teacher = stack.user("teacher")
        reply = teacher.post("/api/v1/courses", json={"title": title, "description": "tutor tests"})
        assert reply.status_code == 201, reply.text
        cid = reply.json()["id"]
        result = upload(teacher, cid, path)
        job = wait_job(teacher, result["job"]["id"], timeout=420)
        assert job["status"] == "succeeded", job
        assert teacher.post(f"/api/v1/courses/{cid}/publish").status_code == 200
        code = teacher.get(f"/api/v1/courses/{cid}").json()["enrollment_code"]
        _, student = stack.user("student")
        assert student.post("/api/v1/enrollments", json={"code": code}).status_code == 201
        _BUILT[key] = Course(cid, teacher, student, result["documents"][0]["id"], path)
    return _BUILT[key]


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def answer_pages(stack: Stack, course: Course) -> list[tuple[str, set[int]]]:
    """Each fixture question with the pages (as the server numbers them) holding an answer phrase."""
    parsed_file = next((stack.data_dir / "uploads" / course.id).glob("*.parsed.json"))
    parsed = load_parsed(parsed_file.with_name(parsed_file.name.removesuffix(".parsed.json")))
    assert parsed is not None
    page_keys = [_key(p) for p in parsed.pages]
    out = []
    for item in json.loads(QA.read_text())["questions"]:
        pages = {i + 1 for i, pk in enumerate(page_keys) for phrase in item["answer_phrases"] if _key(phrase) in pk}
        if pages:
            out.append((item["question"], pages))
    return out


def sse_events(reply: httpx.Response) -> list[dict[str, Any]]:
    """Parse a text/event-stream body into its JSON payloads, in order."""
    events = []
    for block in re.split(r"\r?\n\r?\n", reply.text):
        data = [ln[5:].lstrip() for ln in block.splitlines() if ln.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events
