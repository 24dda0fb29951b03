"""Cited pages as images in the lesson view: offered by the citation's file type, not the document's name."""

from __future__ import annotations

from tests.fixtures_path import FIXTURES
from tests.harness import wait_job
from tests.ui_teacher.conftest import AppFactory, Teacher, new_course
from tests.ui_teacher.test_content import outline
from ui_teacher.widgets import has_page_image


def test_pages_are_offered_by_file_type_not_by_name(app: AppFactory, teacher: Teacher) -> None:
    """A PDF uploaded as "handout" has page images; a Markdown file named "notes.pdf" has none."""
    course = new_course(teacher.api, "Misnamed files")
    files = [
        ("files", ("handout", (FIXTURES / "pdflatex-outline.pdf").read_bytes())),
        ("files", ("notes.pdf", (FIXTURES / "input-output.md").read_bytes())),
    ]
    reply = teacher.api.post(f"/api/v1/courses/{course['id']}/documents", files=files)
    assert reply.status_code == 202, reply.text
    assert wait_job(teacher.api, reply.json()["job"]["id"])["status"] == "succeeded"
    ids = [x["id"] for m in outline(teacher, course["id"])["modules"] for x in m["lessons"]]
    lessons = [teacher.api.get(f"/api/v1/lessons/{i}").json() for i in ids]
    by_type = {t: next(x for x in lessons if {c["file_type"] for c in x["citations"]} == {t}) for t in ("pdf", "txt")}
    for file_type, lesson in by_type.items():
        at = app(course_id=course["id"])
        at.session_state["lesson_id"] = lesson["id"]
        at.switch_page("views/lesson.py").run()
        assert not at.exception, at.exception
        toggles = [t.label for t in at.toggle if t.label.startswith("Show page")]
        expected = len(lesson["citations"]) if file_type == "pdf" else 0
        assert len(toggles) == expected, (file_type, toggles)
    assert has_page_image({"document_name": "old.pdf"}) and not has_page_image({"document_name": "old.md"})
