"""A small typed client for the core API: one place for the base URL, the token and error handling.

The console talks to the API over HTTP only, like any partner. Every failure becomes an `ApiError`
whose message is fit to show a teacher: the API's own message, or a sentence saying the API
cannot be reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ui_teacher.settings import ConsoleSettings

Json = Any
UploadFile = tuple[str, bytes]

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=5.0)


class ApiError(Exception):
    """A request that did not succeed. `status` is 0 when the API could not be reached."""

    def __init__(self, message: str, status: int = 0, code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


def api_url() -> str:
    return ConsoleSettings().api_url.rstrip("/")


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    media_type: str


class ApiClient:
    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url or api_url()).rstrip("/")
        self.token = token

    # --- plumbing ------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _send(
        self,
        method: str,
        path: str,
        timeout: httpx.Timeout = TIMEOUT,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = self._headers() | (headers or {})
        try:
            reply = httpx.request(method, f"{self.base_url}{path}", headers=headers, timeout=timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiError(f"the API at {self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise ApiError(f"the API is unreachable at {self.base_url}") from exc
        if reply.status_code >= 400:
            raise error_of(reply)
        return reply

    def _json(self, method: str, path: str, **kwargs: Any) -> Json:
        reply = self._send(method, path, **kwargs)
        if reply.status_code == 204 or not reply.content:
            return None
        try:
            return reply.json()
        except ValueError as exc:
            raise ApiError(f"the API sent an unreadable answer to {method} {path}", reply.status_code) from exc

    def get(self, path: str, **params: Any) -> Json:
        return self._json("GET", path, params=params or None)

    def post(self, path: str, body: Json = None) -> Json:
        return self._json("POST", path, json=body if body is not None else {})

    def patch(self, path: str, body: Json) -> Json:
        return self._json("PATCH", path, json=body)

    def delete(self, path: str) -> Json:
        return self._json("DELETE", path)

    # --- the calls the console makes -------------------------------------------------
    def login(self, email: str, password: str, client_ip: str | None = None) -> Json:
        """`client_ip`: the browser's address, so that the API limits failed logins per person,
        not per console (the API trusts it from FORWARDED_ALLOW_IPS only)."""
        headers = {"X-Forwarded-For": client_ip} if isinstance(client_ip, str) and client_ip else {}
        return self._json("POST", "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers)

    def logout(self) -> None:
        self._send("POST", "/api/v1/auth/logout")

    def limits(self) -> Json:
        """What uploads may be (GET /api/v1/limits, public): size, count and types."""
        return self.get("/api/v1/limits")

    def courses(self) -> list[Json]:
        return list(self.get("/api/v1/courses"))

    def course(self, course_id: str) -> Json:
        return self.get(f"/api/v1/courses/{course_id}")

    def upload(self, course_id: str, files: Sequence[UploadFile]) -> Json:
        parts = [("files", (name, data)) for name, data in files]
        return self._json("POST", f"/api/v1/courses/{course_id}/documents", files=parts, timeout=UPLOAD_TIMEOUT)

    def download(self, course_id: str, document_id: str) -> Download:
        reply = self._send("GET", f"/api/v1/courses/{course_id}/documents/{document_id}/file", timeout=UPLOAD_TIMEOUT)
        disposition = reply.headers.get("content-disposition", "")
        name = disposition.partition("filename=")[2].split(";")[0].strip().strip('"') or f"{document_id}.bin"
        return Download(name, reply.content, reply.headers.get("content-type", "application/octet-stream"))


def page_image(api: ApiClient, course_id: str, document_id: str, page: int) -> bytes:
    """A cited PDF page as PNG (the API renders it); ApiError for other file types."""
    return api._send("GET", f"/api/v1/courses/{course_id}/documents/{document_id}/pages/{page}").content


def error_of(reply: httpx.Response) -> ApiError:
    """The API's error shape {"error": {"code", "message", "details"}}, or a plain description."""
    try:
        body = reply.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return ApiError(str(err.get("message") or reply.reason_phrase), reply.status_code, str(err.get("code")))
    return ApiError(f"the API answered {reply.status_code} {reply.reason_phrase}", reply.status_code)
