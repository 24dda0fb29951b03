"""Logins, tokens, API keys and role guards through the real HTTP server."""

from __future__ import annotations

import httpx

from tests.harness import Stack, login


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
    reply = httpx.post(
        f"{stack.url}/api/v1/auth/register", json={"email": "new-student@test.io", "password": "long-enough-1"}
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["user"]["role"] == "student"
    reply = httpx.post(
        f"{stack.url}/api/v1/auth/register",
        json={"email": "sneaky@test.io", "password": "long-enough-1", "role": "teacher"},
    )
    assert reply.status_code == 403
    again = httpx.post(
        f"{stack.url}/api/v1/auth/register", json={"email": "new-student@test.io", "password": "long-enough-1"}
    )
    assert again.status_code == 409
    short = httpx.post(f"{stack.url}/api/v1/auth/register", json={"email": "s@test.io", "password": "short"})
    assert short.status_code == 400


def test_role_guards(stack: Stack) -> None:
    _, student = stack.user("student")
    assert student.post("/api/v1/courses", json={"title": "Mine"}).status_code == 403
    assert student.get("/api/v1/worker-stats").status_code == 403
    assert student.post("/api/v1/users", json={"email": "x@test.io", "password": "12345678"}).status_code == 403
    _, teacher = stack.user("teacher")
    assert teacher.post("/api/v1/users", json={"email": "x@test.io", "password": "12345678"}).status_code == 403


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
    assert login(stack.url, "admin@test.io", "admin-pass-123")
