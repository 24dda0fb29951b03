"""Time and size bounds on what a client sends: slow headers, huge headers, slow bodies.

uvicorn bounds only the idle time between kept-alive requests (API_KEEPALIVE_SECONDS). A
client trickling its headers or its body a byte at a time held a connection (and, for an
upload, a partial file) for as long as it liked. Two layers close that:

- `BoundedHttpToolsProtocol`, uvicorn's httptools protocol with a header deadline: a request
  must send its line and headers within API_HEADER_TIMEOUT_SECONDS of its first byte (of the
  connection, for a new one), else 408 and the connection closes; more than API_MAX_HEADER_KB
  of them is a 431. Both answers carry the API's one error shape.
- `BodyDeadline`, an ASGI middleware: once the app reads a body, each part must come within
  API_BODY_IDLE_SECONDS of the last and the whole body within API_BODY_TIMEOUT_SECONDS, else
  the client gets a 408 and the app sees the client gone (an upload removes its `.part`).
"""

from __future__ import annotations

import asyncio
import json
import time
from asyncio import TimerHandle
from typing import Any

import httptools
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def error_body(status: int, code: str, message: str) -> bytes:
    """The one error shape (backend/errors.py), for answers given before the app sees a request."""
    return json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()


class _HeadersTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size cap on each request's headers.

    Selected by `profai api` (uvicorn `http="backend.timeouts:BoundedHttpToolsProtocol"`). uvicorn
    builds it per connection from that import string, so its bounds are set on the class by the
    process's entry point (`configure`, called by profai/api.py's app factory in each process)."""

    header_timeout: float = 10.0
    max_header_bytes: int = 32 * 1024

    @classmethod
    def configure(cls, header_timeout: float, max_header_kb: int) -> None:
        cls.header_timeout, cls.max_header_bytes = header_timeout, max_header_kb * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: TimerHandle | None = None
        self._awaiting_headers = True  # a new connection owes its first request's headers
        self._header_bytes = 0  # bytes received since the request began, until its headers end
        self._got_bytes = False
        self._header_size = 0  # the current request's line and headers, as parsed
        self._too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._got_bytes = True
        if self._awaiting_headers:
            self._header_bytes += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self._cancel_header_timer()
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._too_large:
                self._refuse(431, "request_header_fields_too_large", self._too_large_message())
                return
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
            return
        if self._awaiting_headers and self._header_bytes > self.max_header_bytes:
            self._refuse(431, "request_header_fields_too_large", self._too_large_message())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._awaiting_headers:  # the next request on a kept-alive connection
            self._awaiting_headers = True
            self._header_bytes = 0
            self._arm_header_timer()
        self._header_size = 0

    def on_url(self, url: bytes) -> None:
        self._count_header(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._header_bytes = 0
        self._cancel_header_timer()
        super().on_headers_complete()

    def _count_header(self, size: int) -> None:
        self._header_size += size
        if self._header_size > self.max_header_bytes:
            self._too_large = True
            raise _HeadersTooLarge  # stops the parser: data_received answers 431

    def _too_large_message(self) -> str:
        return f"the request's headers are larger than {self.max_header_bytes // 1024} KB"

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if not self._awaiting_headers or self.transport.is_closing():
            return
        if not self._got_bytes:  # a connection that never said anything: just close it
            self.transport.close()
            return
        message = f"the request's headers did not arrive within {self.header_timeout:g} s"
        self._refuse(408, "request_timeout", message)

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._cancel_header_timer()
        body = error_body(status, code, message)
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class BodyDeadline:
    """Bounds the time a request body may take to arrive (see the module's docstring).

    Between the security headers (so its 408 carries them) and the cache edge."""

    def __init__(self, app: Any, idle_seconds: float, total_seconds: float) -> None:
        self.app: ASGIApp = app
        self._inner = app
        self.idle = idle_seconds
        self.total = total_seconds

    @property
    def state(self) -> Any:
        return self._inner.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.total
        state = {"body_done": False, "cut": False, "started": False}

        async def bounded_receive() -> ReceiveMessage:
            if state["cut"]:
                return {"type": "http.disconnect"}
            if state["body_done"]:  # waiting for a disconnect (streams): no deadline
                return await receive()
            timeout = min(self.idle, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), max(0.0, timeout))
            except TimeoutError:
                state["cut"] = True
                if not state["started"]:
                    state["started"] = True
                    await _send_408(send, "the request's body did not arrive in time")
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["body_done"] = True
            return message

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                return  # the client has its 408; what the app answers after that goes nowhere
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, bounded_receive, guarded_send)


async def _send_408(send: Send, message: str) -> None:
    body = error_body(408, "request_timeout", message)
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
