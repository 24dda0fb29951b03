"""The API as the teacher console uses it, on the UIs' shared client (ui_common/http.py).

The console talks to the API over HTTP only, like any partner. Every failure becomes an `ApiError`
whose message is fit to show a teacher: the API's own message, or a sentence saying the API
cannot be reached. One `HttpApi` per API address serves every session of the console
(`shared_http`, in Streamlit's resource cache): its connections are reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import streamlit as st

from ui_common.http import ApiError, HttpApi, api_error_shape, bearer
from ui_teacher.settings import ConsoleSettings

Json = Any
UploadFile = tuple[str, bytes]

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=5.0)


def api_url() -> str:
    return ConsoleSettings().api_url.rstrip("/")


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    media_type: str


def connect(base_url: str, transport: httpx.BaseTransport | None = None) -> HttpApi:
    """A client of the API at `base_url`, in the console's words."""

    def unreachable(exc: httpx.HTTPError) -> ApiError:
        if isinstance(exc, httpx.TimeoutException):
            return ApiError(f"the API at {base_url} did not answer in time ({type(exc).__name__})")
        return ApiError(f"the API is unreachable at {base_url}")

    return HttpApi(base_url, timeout=TIMEOUT, error_of=error_of, unreachable=unreachable, transport=transport)


@st.cache_resource(show_spinner=False)
def shared_http(base_url: str) -> HttpApi:
    """The console process's one client per API address: Streamlit's resource cache is the
    framework's place for objects every session shares."""
    return connect(base_url)


class ApiClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, http: HttpApi | None = None) -> None:
        self.base_url = (base_url or api_url()).rstrip("/")
        self.token = token
        self.http = http or shared_http(self.base_url)

    # --- plumbing ------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return bearer(self.token)

    def _send(
        self,
        method: str,
        path: str,
        timeout: httpx.Timeout = TIMEOUT,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        return self.http.request(method, path, headers=self._headers() | (headers or {}), timeout=timeout, **kwargs)

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
    code, message = api_error_shape(reply)
    if code or message:
        return ApiError(message or reply.reason_phrase, reply.status_code, code or "error")
    return ApiError(f"the API answered {reply.status_code} {reply.reason_phrase}", reply.status_code, "error")
