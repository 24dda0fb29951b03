"""Hostile and broken requests get a 4xx in the error shape; security headers on every answer;
readiness says only ok/failing; metrics behind a token; worker stats scoped to the caller."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from core.vectors.lite_server import free_port
from tests.api.test_auth import error_of
from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import LOGS, Stack, upload, wait_job

PDF = FIXTURES / "pdflatex-outline.pdf"
MD = FIXTURES / "input-output.md"
METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
HSTS = "31536000"


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body written by hand, so a part can carry filename="" (httpx never sends that)."""
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--B0undary\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + b"--B0undary--\r\n", {"content-type": "multipart/form-data; boundary=B0undary"}


def assert_client_error(reply: httpx.Response, status: int = 400, says: str = "") -> None:
    assert reply.status_code == status, reply.text
    error = error_of(reply)
    assert says in str(error["message"]), error


def test_a_file_part_without_a_name_is_400_on_both_upload_routes(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    binary = PDF.read_bytes()[:4000]  # not UTF-8: the form parser can't take it for text
    body, headers = multipart([("course_title", None, b"Legacy"), ("files", "", binary)])
    for path in (f"/api/v1/courses/{cid}/documents", "/api/upload-pdfs"):
        reply = teacher.post(path, content=body, headers=headers)
        assert_client_error(reply, 400, "without a file name")
    # Nothing was stored: the course has no document and no job.
    assert teacher.get(f"/api/v1/courses/{cid}/documents").json() == []
    assert teacher.get(f"/api/v1/courses/{cid}/jobs").json() == []
    # A name with a control character is refused too (it would be stored and served back).
    body, headers = multipart([("files", "notes\x1b.md", b"# Notes\n\nText.")])
    assert_client_error(teacher.post(f"/api/v1/courses/{cid}/documents", content=body, headers=headers), 400)
    # A browser's "no file chosen" (an empty part named "") is simply no file.
    body, headers = multipart([("files", "", b"")])
    assert_client_error(teacher.post(f"/api/v1/courses/{cid}/documents", content=body, headers=headers), 400)


def test_control_characters_are_refused_in_bodies_paths_queries_and_forms(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    reply = teacher.post("/api/v1/courses", json={"title": "x\u0000y"})
    assert_client_error(reply, 400, "`title` holds a control character (U+0000)")
    course = make_course(teacher, "Clean title")
    cid = course["id"]
    cases = [
        teacher.patch(f"/api/v1/courses/{cid}", json={"description": "ok\nnew line, then \x07"}),
        teacher.post("/api/v1/api-keys", json={"name": "key\x00"}),
        teacher.post(f"/api/v1/courses/{cid}/regenerate", json={"lesson_ids": ["a", "b\x00"]}),
        teacher.post(f"/api/v1/courses/{cid}/outline/reorder", json={"lessons": {"m\x00": []}}),
        httpx.post(f"{stack.url}/api/v1/auth/login", json={"email": "a\x00@b.c", "password": "whatever-1"}),
        teacher.get("/api/v1/courses/%00"),
        teacher.get(f"/api/v1/courses/{cid}%1b/outline"),
        teacher.get("/api/v1/lessons/x/audio", params={"voice": "a\x00"}),
        teacher.post("/api/upload-pdfs", files={"files": ("a.md", b"# A\n\nB")}, data={"course_title": "T\x00"}),
    ]
    for reply in cases:
        assert_client_error(reply, 400, "control character")
    # Tabs and new lines are ordinary text.
    fine = teacher.patch(f"/api/v1/courses/{cid}", json={"description": "line one\n\tline two\r\n"})
    assert fine.status_code == 200, fine.text
    assert teacher.get(f"/api/v1/courses/{cid}").json()["title"] == "Clean title"


def test_deeply_nested_json_is_400(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    json_type = {"content-type": "application/json"}
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"):
        assert_client_error(teacher.post("/api/v1/courses", content=body, headers=json_type), 400, "nested too deeply")
    assert teacher.get("/api/v1/auth/me").status_code == 200  # the process is fine


SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_secured(reply: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert reply.headers.get(name) == value, (reply.request.url, name, dict(reply.headers))
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"] or "sandbox" in (
        reply.headers["content-security-policy"]
    ), reply.headers


def test_security_headers_on_every_response(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    result = upload(teacher, cid, PDF, MD)
    assert wait_job(teacher, result["job"]["id"])["status"] == "succeeded"
    pdf_id, md_id = (d["id"] for d in result["documents"])
    api_csp = "default-src 'none'; frame-ancestors 'none'"
    replies = [
        teacher.get("/api/v1/courses"),  # JSON
        teacher.get("/api/v1/courses/" + "f" * 32),  # a domain 404
        httpx.get(f"{stack.url}/no/such/route"),  # Litestar's own 404, before any middleware of a route
        httpx.get(f"{stack.url}/api/v1/courses"),  # 401
        teacher.post("/api/v1/courses", content=b"[" * 100_000, headers={"content-type": "application/json"}),
        httpx.get(f"{stack.url}/health/live"),
        teacher.get(f"/api/v1/courses/{cid}/documents/{pdf_id}/pages/1"),  # PNG
    ]
    for reply in replies:
        assert_secured(reply)
        assert reply.headers["content-security-policy"].startswith(api_csp)
        assert "strict-transport-security" not in reply.headers  # HSTS is off unless configured

    # Uploaded originals: always downloaded, never rendered in the API's origin; sandboxed if opened.
    for doc_id, source in ((pdf_id, PDF), (md_id, MD)):
        reply = teacher.get(f"/api/v1/courses/{cid}/documents/{doc_id}/file")
        assert reply.status_code == 200 and reply.content == source.read_bytes()
        assert_secured(reply)
        assert reply.headers["content-disposition"].startswith("attachment;"), reply.headers
        assert source.name in reply.headers["content-disposition"]
        assert reply.headers["content-security-policy"] == "default-src 'none'; sandbox"

    # The docs page may load Swagger UI from its CDN and run its inline start-up script; no framing.
    docs = httpx.get(f"{stack.url}/schema/swagger")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert_secured(docs)
    csp = dict(part.strip().split(" ", 1) for part in docs.headers["content-security-policy"].split(";"))
    sources = re.findall(r'(?:src|href)="(https://[^/"]+)/', docs.text)
    assert sources, docs.text[:500]
    for origin in set(sources):
        assert origin in csp["script-src"] and origin in csp["style-src"], (origin, csp)
    assert "'unsafe-inline'" in csp["script-src"] and "<script type='text/javascript'>" in docs.text
    assert csp["connect-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert httpx.get(f"{stack.url}/schema/openapi.json").headers["content-security-policy"].startswith(api_csp)


@pytest.fixture(scope="module")
def configured_stack(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    """HSTS and a metrics token set; the vector store points at a port where nothing listens."""
    dead_milvus = f"http://127.0.0.1:{free_port()}"
    stack = Stack(
        tmp_path_factory.mktemp("configured"),
        milvus_server,
        extra_env={"HSTS_MAX_AGE": HSTS, "METRICS_TOKEN": METRICS_TOKEN, "MILVUS_URI": dead_milvus},
    )
    try:
        yield stack.boot(workers=0, scheduler=False)
    finally:
        stack.stop_all()


def test_hsts_when_configured(configured_stack: Stack) -> None:
    for path in ("/health/live", "/api/v1/courses", "/schema/swagger", "/missing"):
        reply = httpx.get(configured_stack.url + path)
        assert reply.headers["strict-transport-security"] == f"max-age={HSTS}; includeSubDomains", path
        assert_secured(reply)


def test_readiness_says_only_ok_or_failing(configured_stack: Stack) -> None:
    reply = httpx.get(f"{configured_stack.url}/health/ready")
    assert reply.status_code == 503
    body = reply.json()
    assert body["checks"] == {"database": "ok", "queue": "ok", "vectors": "failing"}, body
    assert body["status"] == "unavailable" and body["tutor"] in ("cold", "warming", "failing")
    assert "127.0.0.1" not in reply.text and "Error" not in reply.text
    # The reason is in the API's log, for operators.
    log = LOGS / f"{configured_stack.data_dir.parent.name}-{configured_stack.data_dir.name}-api.log"
    assert re.search(r"readiness: vectors is failing: \w+", log.read_text()), log


def test_metrics_need_the_token_when_one_is_set(configured_stack: Stack, stack: Stack) -> None:
    url = f"{configured_stack.url}/metrics"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
        reply = httpx.get(url, headers=headers)
        assert reply.status_code == 401, headers
        assert error_of(reply)["code"] == "unauthenticated"
        assert reply.headers["www-authenticate"].startswith("Bearer")
    # A user's login token is no metrics token.
    reply = httpx.get(url, headers={"Authorization": f"Bearer {configured_stack.admin_token}"})
    assert reply.status_code == 401
    reply = httpx.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert reply.status_code == 200 and "profai_http_requests_total" in reply.text
    # Unset (the default stack): open, as before.
    assert httpx.get(f"{stack.url}/metrics").status_code == 200


def test_worker_stats_are_global_for_admins_and_own_for_teachers(stack: Stack) -> None:
    _, owner = stack.user("teacher")
    _, other = stack.user("teacher")
    cid = make_course(owner)["id"]
    job = upload(owner, cid, MD)["job"]
    assert wait_job(owner, job["id"])["status"] == "succeeded"
    admin = stack.client(stack.admin_token)
    everything = admin.get("/api/v1/worker-stats").json()
    assert everything["scope"] == "all" and everything["workers_alive"] >= 1
    names = [w["name"] for w in everything["workers"]]
    assert names and everything["jobs"]["succeeded"] >= 1

    mine = owner.get("/api/v1/worker-stats").json()
    assert mine["scope"] == "own" and mine["workers"] == [] and mine["workers_alive"] >= 1
    assert mine["jobs"] == {"succeeded": 1}, mine
    assert mine["failed"] == 0 and mine["queued"] == 0 and mine["running"] == 0

    nothing = other.get("/api/v1/worker-stats").json()
    assert nothing["scope"] == "own" and nothing["jobs"] == {} and nothing["running"] == 0
    assert "queue_length" in nothing
    # The older route answers by the same rule (core.services.stats.worker_stats): no worker names.
    legacy = other.get("/api/worker-stats")
    assert legacy.status_code == 200 and not any(name in legacy.text for name in names), legacy.text


def test_answers_from_the_response_cache_carry_the_headers_too(pg_stack: Stack) -> None:
    """The cache edge answers before Litestar (only with Redis): the headers are added around it."""
    _, student = pg_stack.user("student")
    hits = []
    for _ in range(6):  # two API processes: each needs a first read of its own
        reply = student.get("/api/v1/courses")
        assert reply.status_code == 200, reply.text
        assert_secured(reply)
        if reply.headers.get("x-profai-cache") == "hit":
            hits.append(reply)
    assert hits, "no answer came from the cache"
