"""Logins, tokens, API keys and role guards through the real HTTP server."""

from __future__ import annotations

import sqlite3
import uuid

import httpx

from core.security.passwords import Passwords
from tests.harness import ADMIN_PASSWORD, PASSWORD, Stack, login


def error_of(reply: httpx.Response) -> dict[str, object]:
    body = reply.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    return dict(body["error"])


def test_login_wrong_password_is_401_in_the_error_shape(stack: Stack) -> None:
    email, _ = stack.user("teacher")
    reply = httpx.post(f"{stack.url}/api/v1/auth/login", json={"email": email, "password": "nope-nope"})
    assert reply.status_code == 401
    assert error_of(reply)["code"] == "unauthenticated"
    reply = httpx.post(f"{stack.url}/api/v1/auth/login", json={"email": "nobody@test.io", "password": "x"})
    assert reply.status_code == 401


def test_requests_without_credentials_are_401(stack: Stack) -> None:
    for path in ("/api/v1/courses", "/api/courses", "/api/v1/auth/me", "/api/worker-stats"):
        reply = httpx.get(stack.url + path)
        assert reply.status_code == 401, path
        assert error_of(reply)["code"] == "unauthenticated"
    reply = httpx.get(f"{stack.url}/api/v1/courses", headers={"Authorization": "Bearer pat_forged"})
    assert reply.status_code == 401


def test_me_and_logout_revokes_the_token(stack: Stack) -> None:
    email, client = stack.user("student")
    me = client.get("/api/v1/auth/me").json()
    assert me["email"] == email and me["role"] == "student"
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_self_registration_makes_students_only(stack: Stack) -> None:
    reply = httpx.post(f"{stack.url}/api/v1/auth/register", json={"email": "new-student@test.io", "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    assert reply.json()["user"]["role"] == "student"
    me = httpx.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {reply.json()['token']}"})
    assert me.json()["email"] == "new-student@test.io"
    reply = httpx.post(
        f"{stack.url}/api/v1/auth/register",
        json={"email": "sneaky@test.io", "password": PASSWORD, "role": "teacher"},
    )
    assert reply.status_code == 403
    again = httpx.post(f"{stack.url}/api/v1/auth/register", json={"email": "new-student@test.io", "password": PASSWORD})
    assert again.status_code == 409
    short = httpx.post(f"{stack.url}/api/v1/auth/register", json={"email": "s@test.io", "password": "short"})
    assert short.status_code == 400


def test_registration_refuses_weak_passwords_with_advice(stack: Stack) -> None:
    """At least 10 characters, not a common password, not the account's own email or name."""
    url = f"{stack.url}/api/v1/auth/register"
    for password, why in (
        ("12345678", "at least 10 characters"),
        ("1234567890", "too easy to guess"),
        ("password123", "too easy to guess"),
        ("grace.hopper@test.io", "your email address or your name"),
        ("Grace Hopper 1906", "your email address or your name"),
    ):
        reply = httpx.post(url, json={"email": "grace.hopper@test.io", "password": password, "name": "Grace Hopper"})
        assert reply.status_code == 400, (password, reply.text)
        error = error_of(reply)
        assert error["code"] == "invalid_input" and why in str(error["message"]), (password, error)
    # An admin creating an account is held to the same policy.
    with stack.client(stack.admin_token) as admin:
        weak = admin.post("/api/v1/users", json={"email": "t@test.io", "password": "password", "role": "teacher"})
        assert weak.status_code == 400 and "at least 10" in str(error_of(weak)["message"])
    assert httpx.post(url, json={"email": "grace.hopper@test.io", "password": PASSWORD}).status_code == 201


def test_accounts_made_under_the_older_rule_still_log_in(stack: Stack) -> None:
    """The policy applies to new passwords: an 8-character password set before still works."""
    email = f"old-{uuid.uuid4().hex[:8]}@test.io"
    with sqlite3.connect(stack.data_dir / "profai.db") as db:
        db.execute(
            "INSERT INTO users (id, email, name, role, password_hash, is_active, created_at, updated_at) "
            "VALUES (?, ?, 'Old', 'student', ?, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (uuid.uuid4().hex, email, Passwords().hash("12345678")),
        )
    reply = httpx.post(f"{stack.url}/api/v1/auth/login", json={"email": email, "password": "12345678"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["user"]["email"] == email


def test_brute_force_on_one_account_is_stopped(stack: Stack) -> None:
    """5 failed logins per account in 15 minutes (the default): the 6th try is a 429 with
    Retry-After, even with the right password; other accounts are not affected."""
    email, _ = stack.user("student")
    url = f"{stack.url}/api/v1/auth/login"
    # Two failures, then a success: the count starts again.
    for _ in range(2):
        assert httpx.post(url, json={"email": email, "password": "wrong-guess-1"}).status_code == 401
    assert httpx.post(url, json={"email": email, "password": PASSWORD}).status_code == 200
    statuses = [httpx.post(url, json={"email": email, "password": f"guess-{i}"}).status_code for i in range(5)]
    assert statuses == [401] * 5
    blocked = httpx.post(url, json={"email": email.upper(), "password": PASSWORD})
    assert blocked.status_code == 429, blocked.text
    error = error_of(blocked)
    assert error["code"] == "too_many_requests" and "failed logins for this account" in str(error["message"])
    assert 800 < int(blocked.headers["retry-after"]) <= 900
    other, _ = stack.user("student")
    assert httpx.post(url, json={"email": other, "password": PASSWORD}).status_code == 200


def test_role_guards(stack: Stack) -> None:
    _, student = stack.user("student")
    assert student.post("/api/v1/courses", json={"title": "Mine"}).status_code == 403
    assert student.get("/api/v1/worker-stats").status_code == 403
    assert student.post("/api/v1/users", json={"email": "x@test.io", "password": PASSWORD}).status_code == 403
    _, teacher = stack.user("teacher")
    assert teacher.post("/api/v1/users", json={"email": "x@test.io", "password": PASSWORD}).status_code == 403


def test_api_key_lifecycle_and_scopes(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    created = teacher.post("/api/v1/api-keys", json={"name": "LMS sync", "scopes": ["read", "write"]})
    assert created.status_code == 201, created.text
    secret = created.json()["key"]
    key_id = created.json()["api_key"]["id"]
    listed = teacher.get("/api/v1/api-keys").json()
    assert [k["id"] for k in listed] == [key_id]
    assert secret not in str(listed)  # the secret is shown once, never listed

    with stack.client(api_key=secret) as partner:
        course = partner.post("/api/v1/courses", json={"title": "Via API key"})
        assert course.status_code == 201, course.text
        assert partner.get(f"/api/v1/courses/{course.json()['id']}").status_code == 200
        # a key cannot mint more keys
        assert partner.post("/api/v1/api-keys", json={"name": "again"}).status_code == 403

    read_only = teacher.post("/api/v1/api-keys", json={"name": "reporting", "scopes": ["read"]}).json()["key"]
    with stack.client(api_key=read_only) as reporter:
        assert reporter.get("/api/v1/courses").status_code == 200
        assert reporter.post("/api/v1/courses", json={"title": "nope"}).status_code == 403

    assert teacher.delete(f"/api/v1/api-keys/{key_id}").status_code == 200
    with stack.client(api_key=secret) as partner:
        assert partner.get("/api/v1/courses").status_code == 401
    # someone else's key id answers 404
    _, other = stack.user("teacher")
    assert other.delete(f"/api/v1/api-keys/{key_id}").status_code == 404


def test_bad_api_key_scope_is_400(stack: Stack) -> None:
    _, teacher = stack.user("teacher")
    reply = teacher.post("/api/v1/api-keys", json={"name": "x", "scopes": ["admin"]})
    assert reply.status_code == 400
    assert error_of(reply)["code"] == "bad_request"


def test_admin_login(stack: Stack) -> None:
    assert login(stack.url, "admin@test.io", ADMIN_PASSWORD)
