"""Course view: outline, publish, lessons with citations, editing, reordering, moving, regeneration."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures_path import FIXTURES
from tests.harness import upload, wait_job
from tests.ui_teacher.conftest import AppFactory, Teacher, button, new_course, texts
from ui_teacher.api import ApiClient, Json


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


def choose_target(at: Any, lesson_id: str, target: dict[str, Any]) -> None:
    """Pick `target` in the lesson's "Move to module" select and press Move."""
    pick = next(s for s in at.selectbox if s.key == f"target-{lesson_id}")
    pick.select(target["id"])
    next(b for b in at.button if b.key == f"move-{lesson_id}").click().run()
    assert not at.exception, at.exception


def test_move_a_lesson_to_another_module(app: AppFactory, teacher: Teacher, ready_course: dict[str, Any]) -> None:
    before = outline(teacher, ready_course["id"])["modules"]
    assert len(before) > 1, "the fixture course needs two modules to move a lesson between"
    source = next(m for m in before if len(m["lessons"]) > 1)
    target = next(m for m in before if m["id"] != source["id"])
    lesson = teacher.api.get(f"/api/v1/lessons/{source['lessons'][0]['id']}").json()
    at = app("views/outline.py", course_id=ready_course["id"])
    pick = next(s for s in at.selectbox if s.key == f"target-{lesson['id']}")
    number = {m["id"]: n for n, m in enumerate(before, start=1)}
    assert f"Module {number[target['id']]}: {target['title']}" in pick.options
    assert f"Module {number[source['id']]}: {source['title']}" not in pick.options, "its own module is no target"

    choose_target(at, lesson["id"], target)

    after = {m["id"]: [x["id"] for x in m["lessons"]] for m in outline(teacher, ready_course["id"])["modules"]}
    assert after[target["id"]] == [x["id"] for x in target["lessons"]] + [lesson["id"]]
    assert after[source["id"]] == [x["id"] for x in source["lessons"][1:]]
    moved = teacher.api.get(f"/api/v1/lessons/{lesson['id']}").json()
    assert moved["module_id"] == target["id"]
    for field in ("title", "body", "summary", "citations", "edited_by_teacher"):
        assert moved[field] == lesson[field], field
    assert not at.error, [e.value for e in at.error]
    assert f"Moved “{lesson['title']}” to the end of Module {number[target['id']]}" in texts(at)
    shown = next(e for e in at.expander if e.label == f"Module {number[target['id']]}: {target['title']}")
    assert f"**{len(after[target['id']])}. {lesson['title']}**" in [m.value for m in shown.markdown]


def test_a_refused_move_is_explained(app: AppFactory, teacher: Teacher, monkeypatch: pytest.MonkeyPatch) -> None:
    course = new_course(teacher.api, "Deleted while moving")
    job = upload(teacher.api, course["id"], FIXTURES / "input-output.md")["job"]
    assert wait_job(teacher.api, job["id"])["status"] == "succeeded"
    modules = outline(teacher, course["id"])["modules"]
    assert len(modules) > 1, "the fixture course needs two modules to move a lesson between"
    lesson_id = modules[0]["lessons"][0]["id"]
    at = app("views/outline.py", course_id=course["id"])
    real_post = ApiClient.post

    def post_after_deletion(self: ApiClient, path: str, body: Json = None) -> Json:
        """The course is deleted (say, in another tab) just as the move is sent: the API refuses it."""
        if path.endswith("/outline/reorder"):
            assert teacher.api.delete(f"/api/v1/courses/{course['id']}").status_code < 300
        return real_post(self, path, body)

    monkeypatch.setattr(ApiClient, "post", post_after_deletion)
    choose_target(at, lesson_id, modules[1])
    assert "Could not move the lesson: course not found" in [e.value for e in at.error]
    assert not [s.value for s in at.success], "no confirmation for a move that did not happen"


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
