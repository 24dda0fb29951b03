"""My courses, creating a course, materials with live job progress and document status."""

from __future__ import annotations

from typing import Any

from tests.fixtures_path import FIXTURES
from tests.harness import upload, wait_job
from tests.ui_teacher.conftest import AppFactory, Teacher, button, new_course, texts
from ui_teacher.api import ApiClient


def test_courses_list_shows_state_counts_and_last_job(app: AppFactory, ready_course: dict[str, Any]) -> None:
    at = app()
    shown = texts(at)
    assert ready_course["title"] in shown
    assert "ready" in shown and "1 documents" in shown
    assert "Last job — Processing uploaded files: finished" in shown


def test_create_a_course_then_land_on_materials(app: AppFactory, teacher: Teacher) -> None:
    at = app()
    title_input = next(t for t in at.text_input if t.label == "Title")
    title_input.input("Created in the console")
    button(at, "Create course").click().run()
    assert not at.exception, at.exception
    courses = teacher.api.get("/api/v1/courses").json()
    made = [c for c in courses if c["title"] == "Created in the console"]
    assert made, courses
    assert at.session_state["course_id"] == made[0]["id"]
    assert "Materials" in texts(at) and "created" in texts(at)


def test_create_without_title_is_refused(app: AppFactory) -> None:
    at = app()
    button(at, "Create course").click().run()
    assert any("title" in e.value for e in at.error)


def test_materials_show_progress_then_document_status(app: AppFactory, teacher: Teacher) -> None:
    course = new_course(teacher.api, "Upload watch")
    job = upload(teacher.api, course["id"], FIXTURES / "input-output.md")["job"]
    at = app("views/materials.py", course_id=course["id"])
    shown = texts(at)
    assert "input-output.md" in shown
    live = [e for e in at.get("progress")] + list(at.success)
    assert live, "neither a progress bar nor a finished job is shown"
    assert wait_job(teacher.api, job["id"])["status"] == "succeeded"
    at.run()
    shown = texts(at)
    assert "check_circle: ready]" in shown, shown
    assert "Processing uploaded files: finished" in shown


def test_failed_upload_explains_and_offers_retry(app: AppFactory, teacher: Teacher, tmp_path: Any) -> None:
    course = new_course(teacher.api, "Broken file")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    job = upload(teacher.api, course["id"], broken)["job"]
    assert wait_job(teacher.api, job["id"])["status"] == "failed"
    at = app("views/materials.py", course_id=course["id"])
    assert any("failed" in e.value for e in at.error), texts(at)
    button(at, "Retry").click().run()
    assert not at.exception
    assert teacher.api.get(f"/api/v1/jobs/{job['id']}").json()["status"] in ("queued", "running", "failed")
    assert "started again" in texts(at)


def test_retry_message_survives_the_job_failing_again_at_once(
    app: AppFactory, teacher: Teacher, tmp_path: Any, monkeypatch: Any
) -> None:
    """The flaky case of the test above, made certain: after Retry the page reads the job while it is
    still queued (so it starts polling), then the worker fails it again before the panel reads it
    (so the panel stops polling with a full rerun). That rerun must not swallow the message."""
    course = new_course(teacher.api, "Fails again at once")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    job = upload(teacher.api, course["id"], broken)["job"]
    assert wait_job(teacher.api, job["id"])["status"] == "failed"
    at = app("views/materials.py", course_id=course["id"])
    real_get, real_post = ApiClient.get, ApiClient.post
    reads_after_retry: list[str] = []

    def post(self: ApiClient, path: str, body: Any = None) -> Any:
        reply = real_post(self, path, body)
        if path.endswith("/retry"):
            reads_after_retry.append("retried")
        return reply

    def get(self: ApiClient, path: str, **params: Any) -> Any:
        if not reads_after_retry or not path.endswith("/jobs"):
            return real_get(self, path, **params)
        reads_after_retry.append(path)
        if len(reads_after_retry) == 2:  # the page's first look: the worker has not taken the job yet
            jobs = real_get(self, path, **params)
            return [{**j, "status": "queued"} if j["id"] == job["id"] else j for j in jobs]
        if len(reads_after_retry) == 3:  # the panel's look: the worker has failed it again by now
            assert wait_job(teacher.api, job["id"])["status"] == "failed"
        return real_get(self, path, **params)

    monkeypatch.setattr(ApiClient, "get", get)
    monkeypatch.setattr(ApiClient, "post", post)
    button(at, "Retry").click().run()
    assert not at.exception, at.exception
    assert len(reads_after_retry) > 3, "the panel did not stop polling: the race was not forced"
    assert "started again" in texts(at)


def test_remove_a_document_asks_first(app: AppFactory, teacher: Teacher) -> None:
    course = new_course(teacher.api, "Remove one")
    job = upload(teacher.api, course["id"], FIXTURES / "input-output.md")["job"]
    wait_job(teacher.api, job["id"])
    at = app("views/materials.py", course_id=course["id"])
    button(at, "Remove").click().run()
    assert any("Remove this document" in w.value for w in at.warning)
    button(at, "Yes, remove").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)  # the message, or (once the removal job ended) the empty list
    assert "Removing input-output.md" in shown or "Documents (0)" in shown, shown
