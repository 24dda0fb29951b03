"""Every citation carries its document's file type, detected from the content, not the name.

The course holds a PDF uploaded under a name without ".pdf" and a Word file: a client that
looked at names would miss the PDF's pages; one that reads `file_type` cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.schemas.chat import CitationOut
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, wait_job

PDF = FIXTURES / "pdflatex-outline.pdf"
DOCX = FIXTURES / "errors-and-exceptions.docx"
PDF_NAME = "outline handout"  # a PDF whose name does not say so


@dataclass
class Mixed:
    id: str
    teacher: httpx.Client
    student: httpx.Client
    types: dict[str, str]  # document id -> file type, as the documents list reports it


@pytest.fixture(scope="module")
def mixed(stack: Stack) -> Mixed:
    _, teacher = stack.user("teacher")
    course = teacher.post("/api/v1/courses", json={"title": "Mixed sources"}).json()
    files = [("files", (PDF_NAME, PDF.read_bytes())), ("files", (DOCX.name, DOCX.read_bytes()))]
    reply = teacher.post(f"/api/v1/courses/{course['id']}/documents", files=files)
    assert reply.status_code == 202, reply.text
    job = wait_job(teacher, reply.json()["job"]["id"], timeout=420)
    assert job["status"] == "succeeded", job
    for quiz in teacher.get(f"/api/v1/courses/{course['id']}/quizzes").json():
        assert teacher.post(f"/api/v1/quizzes/{quiz['id']}/approve").status_code == 200
    assert teacher.post(f"/api/v1/courses/{course['id']}/publish").status_code == 200
    code = teacher.get(f"/api/v1/courses/{course['id']}").json()["enrollment_code"]
    _, student = stack.user("student")
    assert student.post("/api/v1/enrollments", json={"code": code}).status_code == 201
    documents = teacher.get(f"/api/v1/courses/{course['id']}/documents").json()
    types = {d["id"]: d["file_type"] for d in documents}
    assert sorted(types.values()) == ["docx", "pdf"], documents
    return Mixed(course["id"], teacher, student, types)


def check(citations: list[dict[str, Any]], types: dict[str, str]) -> set[str]:
    """Each citation's file type is its document's; returns the types seen."""
    for c in citations:
        assert c["file_type"] == types[c["document_id"]], c
        assert {"document_id", "document_name", "page", "quote"} <= set(c)  # the fields it always had
    return {c["file_type"] for c in citations}


def test_lesson_citations_carry_the_file_type(mixed: Mixed) -> None:
    outline = mixed.student.get(f"/api/v1/courses/{mixed.id}/outline").json()
    seen: set[str] = set()
    for module in outline["modules"]:
        for item in module["lessons"]:
            lesson = mixed.student.get(f"/api/v1/lessons/{item['id']}").json()
            seen |= check(lesson["citations"], mixed.types)
            names = {c["document_name"] for c in lesson["citations"] if c["file_type"] == "pdf"}
            assert names <= {PDF_NAME}, "the PDF's citations keep its (extension-less) name"
    assert seen == {"pdf", "docx"}
    legacy = mixed.student.get(f"/api/course/{mixed.id}").json()
    stored = [c for m in legacy["modules"] for x in m["lessons"] for c in x["citations"]]
    assert stored and {c["file_type"] for c in stored} == {"pdf", "docx"}
    assert all(c["file_type"] == mixed.types[c["document_id"]] for c in stored)


def test_chat_citations_carry_the_file_type(mixed: Mixed) -> None:
    seen: set[str] = set()
    for question in ("What does the finally clause of a try statement do?",
                     "Is there a difference between this text and some nonsense?"):
        reply = mixed.student.post(f"/api/v1/courses/{mixed.id}/chat", json={"question": question})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["citations"], body
        seen |= check(body["citations"], mixed.types)
        detail = mixed.student.get(f"/api/v1/chat/sessions/{body['session_id']}").json()
        assert detail["messages"][-1]["citations"] == body["citations"]  # stored with the answer
    assert seen == {"pdf", "docx"}
    with mixed.student.stream("POST", f"/api/v1/courses/{mixed.id}/chat/stream",
                              json={"question": "How do I raise an exception?"}) as streamed:
        text = streamed.read().decode()
    assert '"file_type": "docx"' in text


def test_quiz_citations_carry_the_file_type(mixed: Mixed) -> None:
    quizzes = mixed.teacher.get(f"/api/v1/courses/{mixed.id}/quizzes").json()
    seen: set[str] = set()
    for quiz in quizzes:
        questions = mixed.teacher.get(f"/api/v1/quizzes/{quiz['id']}").json()["questions"]
        seen |= check([q["citation"] for q in questions if q.get("citation")], mixed.types)
        answers = {q["id"]: 0 for q in questions}
        result = mixed.student.post(f"/api/v1/quizzes/{quiz['id']}/attempts", json={"answers": answers})
        assert result.status_code == 201, result.text
        check([r["citation"] for r in result.json()["results"] if r["citation"]], mixed.types)
        past = mixed.student.get(f"/api/v1/quizzes/{quiz['id']}/attempts").json()
        check([r["citation"] for r in past[0]["results"] if r["citation"]], mixed.types)
    assert seen == {"pdf", "docx"}


def test_the_openapi_schema_types_file_type(stack: Stack) -> None:
    schemas = httpx.get(f"{stack.url}/schema/openapi.json", timeout=30).json()["components"]["schemas"]
    for name, props in schemas.items():
        fields = props.get("properties") or {}
        if {"document_id", "page", "quote"} <= set(fields):
            assert "file_type" in fields, name
    assert any(name.endswith("QuizCitationOut") for name in schemas), sorted(schemas)


def test_answers_stored_without_a_file_type_are_read_as_null() -> None:
    """Tutor answers stored before citations carried the field still read (file_type: null)."""
    old = {"n": 1, "document_id": "d" * 32, "document_name": "notes.pdf", "page": 3, "quote": "q"}
    [citation] = CitationOut.many([old])
    assert citation.file_type is None and citation.document_name == "notes.pdf" and citation.page == 3
