"""Rate limits through the real server: per client address, per account, per user; 429 in
the one error shape with Retry-After; shared by the API processes through Redis."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from websockets.sync.client import connect

from tests.api.test_auth import error_of
from tests.api.test_courses import make_course
from tests.harness import PASSWORD, Stack

TIGHT = {
    "RATE_LIMIT_LOGIN_ACCOUNT": "3/minute",
    "RATE_LIMIT_LOGIN_IP": "4/minute",
    "RATE_LIMIT_REGISTER_IP": "2/minute",
    "RATE_LIMIT_ENROLL": "3/minute",
    "RATE_LIMIT_CHAT": "3/minute",
    "RATE_LIMIT_AUDIO": "3/minute",
    "RATE_LIMIT_UPLOAD": "2/minute",
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    """An embedded stack with small limits (no workers: nothing here needs a job to run)."""
    s = Stack(tmp_path_factory.mktemp("limited"), milvus_server, extra_env=TIGHT)
    try:
        yield s.boot(workers=0, scheduler=False)
    finally:
        s.stop_all()


def from_address(ip: str) -> dict[str, str]:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS), like a proxy's.
    return {"X-Forwarded-For": ip}


def assert_429(reply: httpx.Response, what: str, window: int = 60) -> None:
    assert reply.status_code == 429, reply.text
    error = error_of(reply)
    assert error["code"] == "too_many_requests" and what in str(error["message"]), error
    assert 1 <= int(reply.headers["retry-after"]) <= window


def test_failed_logins_per_address(limited: Stack) -> None:
    url = f"{limited.url}/api/v1/auth/login"
    email, _ = limited.user("student")
    for i in range(4):  # different accounts, one address
        body = {"email": f"nobody{i}@test.io", "password": "x"}
        assert httpx.post(url, json=body, headers=from_address("203.0.113.7")).status_code == 401
    right = {"email": email, "password": PASSWORD}
    assert_429(httpx.post(url, json=right, headers=from_address("203.0.113.7")), "failed logins from this address")
    assert httpx.post(url, json=right, headers=from_address("203.0.113.8")).status_code == 200


def test_registrations_per_address(limited: Stack) -> None:
    url = f"{limited.url}/api/v1/auth/register"
    here = from_address("198.51.100.4")
    # A refused password is no registration: it does not count.
    assert httpx.post(url, json={"email": "w@test.io", "password": "password1"}, headers=here).status_code == 400
    for _ in range(2):
        body = {"email": f"s-{uuid.uuid4().hex[:8]}@test.io", "password": PASSWORD}
        assert httpx.post(url, json=body, headers=here).status_code == 201
    body = {"email": f"s-{uuid.uuid4().hex[:8]}@test.io", "password": PASSWORD}
    assert_429(httpx.post(url, json=body, headers=here), "registrations from this address")
    assert httpx.post(url, json=body, headers=from_address("198.51.100.5")).status_code == 201


def test_enrollment_attempts_per_user(limited: Stack) -> None:
    _, teacher = limited.user("teacher")
    course = make_course(teacher)
    teacher.post(f"/api/v1/courses/{course['id']}/publish")
    _, student = limited.user("student")
    for guess in ("ABCDEFGHJK", "BCDEFGHJKM", "CDEFGHJKMN"):
        assert student.post("/api/v1/enrollments", json={"code": guess}).status_code == 404
    # Guessing is over for now, even with the right code.
    assert_429(student.post("/api/v1/enrollments", json={"code": course["enrollment_code"]}), "enrollment")
    _, classmate = limited.user("student")
    assert classmate.post("/api/v1/enrollments", json={"code": course["enrollment_code"]}).status_code == 201


def test_chat_audio_and_uploads_per_user(limited: Stack) -> None:
    """Every request counts, whatever its outcome (here: a course that does not exist)."""
    _, teacher = limited.user("teacher")
    missing = "no-such-course"
    for _ in range(3):
        assert teacher.post(f"/api/v1/courses/{missing}/chat", json={"question": "q"}).status_code == 404
    assert_429(teacher.post(f"/api/v1/courses/{missing}/chat/stream", json={"question": "q"}), "too many questions")
    for _ in range(3):
        assert teacher.get("/api/v1/lessons/no-such-lesson/audio").status_code == 404
    assert_429(teacher.post("/api/v1/tts", json={"text": "hello"}), "too many speech requests")
    files = [("files", ("a.md", b"# a\n\nb"))]
    for _ in range(2):
        assert teacher.post(f"/api/v1/courses/{missing}/documents", files=files).status_code == 404
    assert_429(teacher.post(f"/api/v1/courses/{missing}/documents", files=files), "too many uploads")
    _, other = limited.user("teacher")  # per user
    assert other.post(f"/api/v1/courses/{missing}/chat", json={"question": "q"}).status_code == 404


def test_websocket_questions_count_too(limited: Stack) -> None:
    _, teacher = limited.user("teacher")
    course = make_course(teacher)
    token = teacher.headers["Authorization"].split()[1]
    with connect(f"ws://127.0.0.1:{limited.api_port}/api/v1/ws/courses/{course['id']}/chat") as socket:
        socket.send(json.dumps({"token": token}))
        assert json.loads(socket.recv(timeout=30)) == {"type": "ready"}
        codes = []
        for _ in range(4):
            socket.send(json.dumps({"question": "What is a list?"}))
            while (event := json.loads(socket.recv(timeout=60)))["type"] not in ("done", "error"):
                pass
            codes.append(event.get("code"))
        assert codes[-1] == "too_many_requests" and "too_many_requests" not in codes[:3], codes
        assert event["retry_after"] >= 1 and "too many questions" in event["message"]


def test_login_limit_is_shared_by_the_api_processes(pg_stack: Stack) -> None:
    """Two API processes behind one port (API_WORKERS=2) count in Redis together: after 5
    failures (the default) every try is refused, whichever process takes the connection."""
    email, _ = pg_stack.user("student")
    url = f"{pg_stack.url}/api/v1/auth/login"
    for i in range(5):  # each request on a new connection: the kernel spreads them over both
        assert httpx.post(url, json={"email": email, "password": f"guess-{i}"}).status_code == 401
    for _ in range(8):
        assert_429(httpx.post(url, json={"email": email, "password": PASSWORD}), "for this account", window=900)
    queue = pg_stack.extra_env["QUEUE_NAME"]
    assert pg_stack.redis_url and redis.Redis.from_url(pg_stack.redis_url).keys(f"{queue}:limits*")
