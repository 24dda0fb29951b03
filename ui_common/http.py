"""One typed HTTP client of the ProfessorAI API for both UIs, on httpx with connection reuse.

A UI process makes one `HttpApi` per API address and keeps it (the student app in its
`build`, the teacher console in Streamlit's resource cache): every call then reuses pooled
keep-alive connections instead of opening one per request. The caller's token travels per
call, so one `HttpApi` serves every user. Server-sent events are read with `httpx-sse`.
Each UI says in its own words what a failure means (`error_of`, `unreachable`): every failure
becomes an `ApiError` with a message fit to show.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from httpx_sse import connect_sse

Json = Any


class ApiError(Exception):
    """A failed API call: a message fit to show, the HTTP status (0 when the API could not be
    reached) and the API's error code."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


def api_error_shape(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of the API's `{"error": {"code", "message", "details"}}`, or empty strings."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        return str(err.get("code") or ""), str(err.get("message") or "")
    return "", ""


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


class HttpApi:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout,
        error_of: Callable[[httpx.Response], ApiError],
        unreachable: Callable[[httpx.HTTPError], ApiError],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.error_of = error_of
        self.unreachable = unreachable
        # Pooled keep-alive connections, shared by every call of this UI process.
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None, **kwargs: Any,
    ) -> httpx.Response:
        try:
            extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
            response = self.client.request(method, path, headers=headers, **extra, **kwargs)
        except httpx.HTTPError as exc:
            raise self.unreachable(exc) from exc
        if response.status_code >= 400:
            raise self.error_of(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Json:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(f"the API sent an unreadable answer to {method} {path}", response.status_code) from exc

    def events(
        self, method: str, path: str, *, headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None, **kwargs: Any,
    ) -> Iterator[dict[str, Any]]:
        """The JSON data of each server-sent event, its event name in "type"."""
        try:
            extra: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
            with connect_sse(self.client, method, path, headers=headers, **extra, **kwargs) as source:
                if source.response.status_code >= 400:
                    source.response.read()
                    raise self.error_of(source.response)
                for sse in source.iter_sse():
                    yield event_data(sse.event, sse.data)
        except httpx.HTTPError as exc:
            raise self.unreachable(exc) from exc

    def close(self) -> None:
        self.client.close()


def event_data(name: str, data: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        value = {"text": data}
    if not isinstance(value, dict):
        value = {"value": value}
    value.setdefault("type", name or "message")
    return value
