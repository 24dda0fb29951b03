"""Uploads: several files, limits, content sniffing, nothing lost on refusal."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from core.pipeline.parsed_cache import SUFFIX as PARSED_SUFFIX
from core.pipeline.sentence_vectors import SUFFIX as SENTENCES_SUFFIX
from tests.api.test_auth import error_of
from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

MD = FIXTURES / "input-output.md"
PDF = FIXTURES / "pdflatex-outline.pdf"


def stored_files(stack: Stack, course_id: str) -> list[Path]:
    """The uploaded originals (not the parsed form and sentence vectors kept beside each)."""
    folder = stack.data_dir / "uploads" / course_id
    derived = (PARSED_SUFFIX, SENTENCES_SUFFIX)
    return sorted(p for p in folder.glob("*") if not p.name.endswith(derived)) if folder.exists() else []


def test_upload_several_files_then_delete_one(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    result = upload(teacher, cid, MD, PDF)
    assert [d["filename"] for d in result["documents"]] == [MD.name, PDF.name]
    assert [d["file_type"] for d in result["documents"]] == ["md", "pdf"]
    job = wait_job(teacher, result["job"]["id"])
    assert job["status"] == "succeeded", job
    docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    assert {d["status"] for d in docs} == {"ready"}
    pdf_doc = next(d for d in docs if d["file_type"] == "pdf")
    assert pdf_doc["page_count"] == 4 and pdf_doc["chunk_count"] > 0
    assert len(stored_files(stack, cid)) == 2

    download = teacher.get(f"/api/v1/courses/{cid}/documents/{pdf_doc['id']}/file")
    assert download.status_code == 200 and download.content == PDF.read_bytes()

    page = teacher.get(f"/api/v1/courses/{cid}/documents/{pdf_doc['id']}/pages/2")
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert page.content[:8] == b"\x89PNG\r\n\x1a\n" and len(page.content) > 5000
    assert teacher.get(f"/api/v1/courses/{cid}/documents/{pdf_doc['id']}/pages/5").status_code == 404
    md_doc = next(d for d in docs if d["file_type"] == "md")
    assert teacher.get(f"/api/v1/courses/{cid}/documents/{md_doc['id']}/pages/1").status_code == 404
    _, stranger = stack.user("teacher")
    assert stranger.get(f"/api/v1/courses/{cid}/documents/{pdf_doc['id']}/pages/2").status_code == 404

    removal = teacher.delete(f"/api/v1/courses/{cid}/documents/{pdf_doc['id']}")
    assert removal.status_code == 202
    assert wait_job(teacher, removal.json()["id"])["status"] == "succeeded"
    assert [d["file_type"] for d in teacher.get(f"/api/v1/courses/{cid}/documents").json()] == ["md"]
    assert len(stored_files(stack, cid)) == 1


def test_refused_uploads_store_nothing_and_lose_nothing(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    wait_job(teacher, upload(teacher, cid, MD)["job"]["id"])
    before = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    executable = Path(sys.executable).resolve().read_bytes()[:200_000]

    cases: list[tuple[list[tuple[str, tuple[str, bytes]]], int, str]] = [
        ([("files", ("notes.pdf", executable))], 415, "unsupported_media_type"),  # a renamed program
        (
            [("files", ("ok.pdf", PDF.read_bytes())), ("files", ("evil.docx", b"\x00\x01junk" * 100))],
            415,
            "unsupported_media_type",
        ),
        ([("files", ("big.txt", b"a" * (3 * 1024 * 1024 + 10)))], 413, "too_large"),
        ([("files", (f"f{i}.md", b"# t\n\nhello")) for i in range(6)], 400, "invalid_input"),
        ([("files", ("empty.md", b""))], 400, "invalid_input"),
        ([("files", (MD.name, MD.read_bytes()))], 409, "conflict"),  # the same file again
        ([("other", ("x.md", b"# x\n\ny"))], 400, "invalid_input"),
    ]
    for files, status, code in cases:
        reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=files)
        assert reply.status_code == status, (files[0][1][0], reply.text)
        assert error_of(reply)["code"] == code
    no_files = teacher.post(f"/api/v1/courses/{cid}/documents", json={"files": []})
    assert no_files.status_code == 400
    assert teacher.get(f"/api/v1/courses/{cid}/documents").json() == before
    assert len(stored_files(stack, cid)) == 1


def test_file_names_are_never_paths(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    files = [("files", ("../../../../etc/cron.d/evil.md", b"# Title\n\nSome text about things."))]
    reply = teacher.post(f"/api/v1/courses/{cid}/documents", files=files)
    assert reply.status_code == 202, reply.text
    doc = reply.json()["documents"][0]
    assert doc["filename"] == "evil.md"
    assert [p.parent.name for p in stored_files(stack, cid)] == [cid]
    assert not any(".." in p.name for p in stored_files(stack, cid))


def test_students_cannot_upload(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    course = make_course(teacher)
    teacher.post(f"/api/v1/courses/{course['id']}/publish")
    _, student = stack.user("student")
    student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]})
    reply = student.post(f"/api/v1/courses/{course['id']}/documents", files=[("files", ("a.md", b"# a\n\nb"))])
    assert reply.status_code == 403


def test_legacy_routes(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    reply = teacher.post(
        "/api/upload-pdfs", data={"course_title": "Legacy course"}, files=[("files", (PDF.name, PDF.read_bytes()))]
    )
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert {"job_id", "task_id", "status", "message", "status_url"} <= set(body)
    assert body["status"] == "pending" and body["message"] == "PDF processing started"
    assert body["status_url"] == f"/api/jobs/{body['job_id']}"
    wait_job(teacher, body["job_id"])
    status = teacher.get(body["status_url"]).json()
    assert {"task_id", "status", "progress", "message", "result"} <= set(status)
    assert status["status"] == "SUCCESS" and status["progress"] == 100
    result = status["result"]
    assert result["course_title"] == "Legacy course" and result["modules"]
    assert teacher.get("/api/jobs/" + "f" * 32).status_code == 404
    courses = teacher.get("/api/courses").json()
    assert [c["title"] for c in courses] == ["Legacy course"]
    course = teacher.get(f"/api/course/{result['course_id']}").json()
    assert course["modules"] and course["modules"][0]["lessons"][0]["content"]
    stats = teacher.get("/api/worker-stats").json()
    assert stats["workers_alive"] >= 1 and "queue_length" in stats and stats["active_workers"]
    missing_title = teacher.post("/api/upload-pdfs", files=[("files", (PDF.name, PDF.read_bytes()))])
    assert missing_title.status_code == 400


def test_sse_follows_a_job_to_its_end(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, PDF)["job"]["id"]
    events: list[str] = []
    with (
        httpx.Client(base_url=stack.url, headers=teacher.headers, timeout=120) as client,
        client.stream("GET", f"/api/v1/jobs/{job_id}/events") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event:"):
                events.append(line.split(":", 1)[1].strip())
    assert events[0] == "job" and events[-1] == "end"
    _, stranger = stack.user("teacher")
    assert stranger.get(f"/api/v1/jobs/{job_id}/events").status_code == 404
    assert stranger.get(f"/api/v1/jobs/{job_id}").status_code == 404


def test_limits_are_public_and_are_the_ones_enforced(stack: Stack) -> None:
    """GET /api/v1/limits states what the upload route enforces: one byte over is refused."""
    limits = httpx.get(f"{stack.url}/api/v1/limits")  # no credentials
    assert limits.status_code == 200, limits.text
    body = limits.json()
    assert body["max_file_mb"] == 3 and body["max_file_bytes"] == 3 * 1024 * 1024  # MAX_FILE_MB of the stack
    assert body["max_files_per_request"] == 5 and body["max_request_bytes"] == 6 * 1024 * 1024
    assert set(body["file_types"]) == {"pdf", "docx", "pptx", "md", "txt", "html"}
    assert ".pdf" in body["extensions"] and ".md" in body["extensions"]
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    route = f"/api/v1/courses/{cid}/documents"
    over = teacher.post(route, files=[("files", ("over.txt", b"a" * (body["max_file_bytes"] + 1)))])
    assert over.status_code == 413, over.text
    at_limit = teacher.post(route, files=[("files", ("at.txt", b"word " * (body["max_file_bytes"] // 5)))])
    assert at_limit.status_code == 202, at_limit.text
    wait_job(teacher, at_limit.json()["job"]["id"])
