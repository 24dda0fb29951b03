"""Course view: outline, publish, lessons with citations, editing, reordering, regeneration."""

from __future__ import annotations

from typing import Any

from tests.fixtures_path import FIXTURES
from tests.harness import upload, wait_job
from tests.ui_teacher.conftest import AppFactory, Teacher, button, new_course, texts


def outline(teacher: Teacher, course_id: str) -> dict[str, Any]:
    return dict(teacher.api.get(f"/api/v1/courses/{course_id}/outline").json())


def test_outline_lists_modules_and_lessons(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    at = app("views/outline.py", course_id=ready_course["id"])
    first = outline(teacher, ready_course["id"])["modules"][0]
    assert any(first["title"] in e.label for e in at.expander)
    assert first["lessons"][0]["title"] in texts(at)


def test_publish_shows_the_enrollment_code(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    at = app("views/outline.py", course_id=ready_course["id"])
    button(at, "Publish course").click().run()
    course = teacher.api.get(f"/api/v1/courses/{ready_course['id']}").json()
    assert course["status"] == "published"
    assert f"## `{course['enrollment_code']}`" in [m.value for m in at.markdown]
    button(at, "Unpublish (back to draft)").click().run()
    assert teacher.api.get(f"/api/v1/courses/{ready_course['id']}").json()["status"] == "draft"


def test_lesson_shows_text_and_citations(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    ids = [x["id"] for m in outline(teacher, ready_course["id"])["modules"] for x in m["lessons"]]
    lesson = next(x for x in (teacher.api.get(f"/api/v1/lessons/{i}").json() for i in ids) if x["citations"])
    at = app("views/outline.py", course_id=ready_course["id"])
    next(b for b in at.button if b.key == f"open-{lesson['id']}").click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert lesson["title"] in shown
    citation = lesson["citations"][0]
    assert f"{citation['document_name']}, page {citation['page']}" in shown
    downloads = at.get("download_button")
    assert downloads, "no download button for the cited document"


def test_edit_a_lesson(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    lesson_id = outline(teacher, ready_course["id"])["modules"][0]["lessons"][-1]["id"]
    at = app(course_id=ready_course["id"])
    at.session_state["lesson_id"] = lesson_id
    at.switch_page("views/lesson.py").run()
    title = next(t for t in at.text_input if t.label == "Title")
    title.input("Edited title")
    next(t for t in at.text_area if t.label == "Text (Markdown)").input("A new body written by the teacher.")
    button(at, "Save changes").click().run()
    assert not at.exception, at.exception
    lesson = teacher.api.get(f"/api/v1/lessons/{lesson_id}").json()
    assert (lesson["title"], lesson["body"]) == ("Edited title", "A new body written by the teacher.")
    assert lesson["edited_by_teacher"]
    assert "Lesson saved." in texts(at) and "A new body written by the teacher." in texts(at)


def test_rename_and_reorder_modules(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    before = outline(teacher, ready_course["id"])["modules"]
    at = app("views/outline.py", course_id=ready_course["id"])
    first = before[0]
    next(t for t in at.text_input if t.key == f"title-{first['id']}").input("Renamed module")
    button(at, "Save").click().run()
    assert outline(teacher, ready_course["id"])["modules"][0]["title"] == "Renamed module"
    if len(before) > 1:
        next(b for b in at.button if b.key == f"down-m-{first['id']}").click().run()
        after = [m["id"] for m in outline(teacher, ready_course["id"])["modules"]]
        assert after[:2] == [before[1]["id"], first["id"]]
    lessons = before[-1]["lessons"]
    if len(lessons) > 1:
        next(b for b in at.button if b.key == f"down-l-{lessons[0]['id']}").click().run()
        module = next(m for m in outline(teacher, ready_course["id"])["modules"] if m["id"] == before[-1]["id"])
        assert [x["id"] for x in module["lessons"]][:2] == [lessons[1]["id"], lessons[0]["id"]]
    assert not at.error, [e.value for e in at.error]


def test_regenerate_a_lesson_shows_its_job(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    lesson_id = outline(teacher, ready_course["id"])["modules"][0]["lessons"][0]["id"]
    at = app(course_id=ready_course["id"])
    at.session_state["lesson_id"] = lesson_id
    at.switch_page("views/lesson.py").run()
    button(at, "Regenerate this lesson").click().run()
    assert not at.exception, at.exception
    job_id = at.session_state["regen_job"][lesson_id]
    assert at.get("progress") or "Writing course content" in texts(at)
    assert wait_job(teacher.api, job_id)["status"] == "succeeded"
    at.run()
    assert "Writing course content: finished" in texts(at)


def test_a_cited_pdf_page_is_shown_on_request(app: AppFactory, teacher: Teacher) -> None:
    course = new_course(teacher.api, "PDF pages")
    job = upload(teacher.api, course["id"], FIXTURES / "pdflatex-outline.pdf")["job"]
    assert wait_job(teacher.api, job["id"])["status"] == "succeeded"
    first = outline(teacher, course["id"])["modules"][0]["lessons"][0]["id"]
    lesson = teacher.api.get(f"/api/v1/lessons/{first}").json()
    citation = lesson["citations"][0]
    at = app(course_id=course["id"])
    at.session_state["lesson_id"] = first
    at.switch_page("views/lesson.py").run()
    assert not at.get("image"), "no page image before it is asked for"
    next(t for t in at.toggle if t.label == f"Show page {citation['page']}").set_value(True).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert not warnings, warnings
    [image] = at.get("image")
    assert f"page {citation['page']}" in str(image.proto)
