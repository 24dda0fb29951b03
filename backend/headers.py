"""Security headers on every response: routed, cached at the edge, errors, 404s, files.

The outermost ASGI layer (around the cache edge), so no answer leaves without them. A
response that sets its own Content-Security-Policy (an uploaded file's sandbox) keeps it.
"""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# JSON, audio, images: nothing on them may run, load or be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs (/schema/swagger, Litestar's Swagger UI): its bundle and stylesheet come
# from jsDelivr, the page starts it with an inline script holding the schema, and "Try it out"
# calls this origin.
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'none'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; style-src 'self' 'unsafe-inline' {DOCS_CDN}; "
    f"img-src 'self' data: {DOCS_CDN}; font-src 'self' data: {DOCS_CDN}; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# An uploaded original: whatever it holds, a browser opening it runs nothing and reaches nothing.
FILE_CSP = "default-src 'none'; sandbox"


def security_headers(hsts_max_age: int) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if hsts_max_age > 0:
        headers.append((b"strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains".encode()))
    return headers


class SecurityHeaders:
    def __init__(self, app: Any, hsts_max_age: int = 0) -> None:
        self.app: ASGIApp = app
        self._inner = app
        self._headers = security_headers(hsts_max_age)

    @property
    def state(self) -> Any:
        return self._inner.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in self._headers if name not in names]
                if b"content-security-policy" not in names:
                    html = any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)
                    headers.append((b"content-security-policy", (DOCS_CSP if html else API_CSP).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
