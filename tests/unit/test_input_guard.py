"""The one rule for text in requests, and a queue that is down after the commit."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from backend.input_guard import control_character
from backend.schemas.content import ReorderIn
from backend.schemas.courses import CourseIn
from backend.schemas.quizzes import QuestionPatch
from core.services.jobs import dispatch_pending, enqueue_after_commit


def test_control_characters() -> None:
    assert control_character("plain text, with\ttabs\nand lines\r\n") is None
    assert control_character("a\x00b") == "U+0000"
    assert control_character("esc\x1b[31m") == "U+001B"
    assert control_character("del\x7f") == "U+007F"
    assert control_character("two\nlines", multiline=False) == "U+000A"
    assert control_character("ünïcödé ✓ 日本") is None


@pytest.mark.parametrize(
    ("schema", "body", "where"),
    [
        (CourseIn, {"title": "x\x00y"}, "`title`"),
        (CourseIn, {"title": "ok", "description": "bell\x07"}, "`description`"),
        (QuestionPatch, {"options": ["a", "b", "c\x00", "d"]}, "`options[2]`"),
        (ReorderIn, {"lessons": {"m\x01": ["l"]}}, "`lessons key`"),
        (ReorderIn, {"lessons": {"m": ["l", "x\x02"]}}, "`lessons.m[1]`"),
    ],
)
def test_every_request_schema_refuses_control_characters(schema: type, body: dict[str, Any], where: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=re.escape(where) + r" holds a control character \(U\+00"):
        msgspec.convert(body, schema)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode(body), type=schema)


def test_clean_bodies_pass() -> None:
    course = msgspec.convert({"title": "Algebra", "description": "Line one\n\tLine two"}, CourseIn)
    assert course.title == "Algebra"


class DownQueue:
    def __init__(self) -> None:
        self.tried: list[str] = []

    def enqueue(self, job_id: str, delay: float = 0.0) -> None:
        self.tried.append(job_id)
        raise ConnectionError("Redis is down")

    def pending_count(self) -> int:
        raise ConnectionError("Redis is down")


class FakeSession:
    info: dict[str, Any]

    def __init__(self) -> None:
        self.info = {}


def test_a_queue_that_is_down_fails_no_committed_work(caplog: pytest.LogCaptureFixture) -> None:
    session, queue = FakeSession(), DownQueue()
    enqueue_after_commit(session, "job-1")  # type: ignore[arg-type]
    enqueue_after_commit(session, "job-2")  # type: ignore[arg-type]
    assert dispatch_pending(session, queue) == ["job-1", "job-2"]  # type: ignore[arg-type]
    assert queue.tried == ["job-1", "job-2"]  # one failure does not skip the others
    assert "could not enqueue job job-1" in caplog.text and "reaper" in caplog.text
