"""Documents in, course out: the whole pipeline through the API, on both configurations."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pypdfium2 as pdfium
import pytest

from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

TUTORIAL = FIXTURES / "python-tutorial-3.11.pdf"


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def pdf_pages(path: Any) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def tutorial_course(any_stack: Stack) -> tuple[Stack, httpx.Client, dict[str, Any]]:
    _, teacher = any_stack.user("teacher")
    cid = make_course(teacher, "Python")["id"]
    job = wait_job(teacher, upload(teacher, cid, TUTORIAL)["job"]["id"], timeout=400)
    assert job["status"] == "succeeded", job
    return any_stack, teacher, job


@pytest.fixture(scope="module", params=["embedded", "pg_redis"])
def any_stack(request: pytest.FixtureRequest) -> Stack:  # module-scoped twin of conftest's
    return request.getfixturevalue("stack" if request.param == "embedded" else "pg_stack")  # type: ignore[no-any-return]


def test_tutorial_outline_follows_its_chapters(tutorial_course: tuple[Stack, httpx.Client, dict[str, Any]]) -> None:
    _, teacher, job = tutorial_course
    result = job["result"]
    assert result["course_title"] == "Python"
    titles = [m["title"] for m in result["modules"]]
    for chapter in ("Errors and Exceptions", "Data Structures", "Classes", "Modules", "Input and Output"):
        assert any(chapter in t for t in titles), (chapter, titles)
    outline = teacher.get(f"/api/v1/courses/{result['course_id']}/outline").json()
    assert [m["title"] for m in outline["modules"]] == titles


def test_every_lesson_citation_is_on_its_page(tutorial_course: tuple[Stack, httpx.Client, dict[str, Any]]) -> None:
    _, teacher, job = tutorial_course
    pages = pdf_pages(TUTORIAL)
    cid = job["result"]["course_id"]
    outline = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    lesson_ids = [lesson["id"] for m in outline["modules"] for lesson in m["lessons"]]
    checked = 0
    for lesson_id in lesson_ids:
        lesson = teacher.get(f"/api/v1/lessons/{lesson_id}").json()
        assert lesson["body"].strip() and lesson["citations"], lesson["title"]
        prose = re.sub(r"```.*?```|`[^`]*`", "", lesson["body"], flags=re.S)  # code may index lists: a[0]
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", prose)}
        assert markers <= set(range(1, len(lesson["citations"]) + 1))
        for citation in lesson["citations"]:
            assert citation["document_name"] == TUTORIAL.name
            assert norm(citation["quote"]) in pages[citation["page"] - 1], (citation["page"], citation["quote"])
            checked += 1
    assert checked > 100


def test_quizzes_are_balanced_and_cite_their_page(tutorial_course: tuple[Stack, httpx.Client, dict[str, Any]]) -> None:
    stack, _teacher, job = tutorial_course
    pages = pdf_pages(TUTORIAL)
    cid = job["result"]["course_id"]
    quizzes = quizzes_of(stack, cid)
    assert any(q["module_id"] is None for q in quizzes), "a final quiz"
    positions: Counter[int] = Counter()
    for quiz in quizzes:
        for question in quiz["questions"]:
            assert len(question["options"]) == 4 and len(set(question["options"])) == 4
            assert 0 <= question["answer_index"] < 4
            positions[question["answer_index"]] += 1
            assert question["explanation"]
            assert norm(question["quote"]) in pages[question["page"] - 1]
    assert sum(positions.values()) >= 60
    assert max(positions.values()) - min(positions.values()) <= len(quizzes) * 1  # balanced within each quiz
    final = next(q for q in quizzes if q["module_id"] is None)
    assert len(final["questions"]) == 20


def quizzes_of(stack: Stack, course_id: str) -> list[dict[str, Any]]:
    """Straight from the database: the quiz API belongs to the tutor issue."""
    import asyncio

    from sqlalchemy import select

    from core.db.engine import create_engine, create_session_factory
    from core.db.models.quizzes import Question, Quiz
    from core.settings import Settings

    async def load() -> list[dict[str, Any]]:
        engine = create_engine(Settings(data_dir=stack.data_dir, database_url=stack.database_url))
        try:
            async with create_session_factory(engine)() as session:
                quizzes = list(await session.scalars(select(Quiz).where(Quiz.course_id == course_id)))
                out = []
                for quiz in quizzes:
                    questions = await session.scalars(select(Question).where(Question.quiz_id == quiz.id))
                    out.append(
                        {
                            "id": quiz.id,
                            "module_id": quiz.module_id,
                            "questions": [
                                {
                                    "options": q.options,
                                    "answer_index": q.answer_index,
                                    "explanation": q.explanation,
                                    "page": q.page,
                                    "quote": q.quote,
                                }
                                for q in questions
                            ],
                        }
                    )
                return out
        finally:
            await engine.dispose()

    return asyncio.run(load())


def test_rerun_and_regeneration_leave_no_duplicates(
    tutorial_course: tuple[Stack, httpx.Client, dict[str, Any]],
) -> None:
    stack, teacher, job = tutorial_course
    cid = job["result"]["course_id"]
    before = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    first_lesson = before["modules"][1]["lessons"][0]
    edited = teacher.patch(f"/api/v1/lessons/{first_lesson['id']}", json={"body": "My own words [1]."})
    assert edited.status_code == 200 and edited.json()["edited_by_teacher"]

    again = teacher.post(
        f"/api/v1/courses/{cid}/regenerate", json={"lesson_ids": [before["modules"][0]["lessons"][0]["id"]]}
    )
    assert again.status_code == 202
    assert wait_job(teacher, again.json()["id"], timeout=300)["status"] == "succeeded"
    after = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    assert after == before  # same modules, same lessons, same ids: nothing duplicated
    kept = teacher.get(f"/api/v1/lessons/{first_lesson['id']}").json()
    assert kept["body"] == "My own words [1]."  # an unaffected edited lesson is kept
    assert len(quizzes_of(stack, cid)) == len({q["id"] for q in quizzes_of(stack, cid)})


def test_office_formats_and_bad_files_in_one_job(any_stack: Stack) -> None:
    _, teacher = any_stack.user("teacher")
    cid = make_course(teacher, "Mixed")["id"]
    corrupt = FIXTURES / "pdflatex-outline.pdf"
    files = [
        ("files", ("errors.docx", (FIXTURES / "errors-and-exceptions.docx").read_bytes())),
        ("files", ("slides.pptx", (FIXTURES / "data-structures.pptx").read_bytes())),
        ("files", ("broken.pdf", corrupt.read_bytes()[: len(corrupt.read_bytes()) // 3])),
    ]
    reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=files)
    assert reply.status_code == 202, reply.text
    job = wait_job(teacher, reply.json()["job"]["id"], timeout=300)
    assert job["status"] == "succeeded", job
    assert "1 of 3 document(s) failed" in job["message"]
    docs = {d["filename"]: d for d in teacher.get(f"/api/v1/courses/{cid}/documents").json()}
    assert docs["errors.docx"]["status"] == docs["slides.pptx"]["status"] == "ready"
    assert docs["broken.pdf"]["status"] == "failed" and "corrupt" in docs["broken.pdf"]["error"]
    titles = " ".join(m["title"] for m in job["result"]["modules"])
    assert "Exceptions" in titles or "Errors" in titles
    assert len(job["result"]["modules"]) >= 2  # both good documents feed the course


def test_a_job_whose_every_file_is_bad_fails_clearly(any_stack: Stack) -> None:
    _, teacher = any_stack.user("teacher")
    cid = make_course(teacher, "Scans")["id"]
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    import io

    buffer = io.BytesIO()
    blank.save(buffer)
    reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=[("files", ("scan.pdf", buffer.getvalue()))])
    job = wait_job(teacher, reply.json()["job"]["id"])
    assert job["status"] == "failed"
    assert "no extractable text (scanned?)" in job["error"]
    assert job["attempts"] == 1  # a bad file is not retried


def test_a_chapter_uploaded_twice_is_taught_once_and_the_job_says_so(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher, "Copies")["id"]
    text = (FIXTURES / "input-output.md").read_bytes()
    # an identical file is refused at upload; a copy with a changed line is not
    copy = text.replace(b"Input and Output", b"Input and output", 1)
    files = [("files", ("io.md", text)), ("files", ("io-copy.md", copy))]
    reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=files)
    job = wait_job(teacher, reply.json()["job"]["id"], timeout=300)
    assert job["status"] == "succeeded", job
    titles = [m["title"] for m in job["result"]["modules"]]
    assert len(titles) == len(set(titles)) == 2, titles
    [warning] = job["result"]["warnings"]
    assert "io.md" in warning and "io-copy.md" in warning and f"“{titles[0]}”" in warning
    assert warning in job["message"]
    outline = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    assert [m["title"] for m in outline["modules"]] == titles
