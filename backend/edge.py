"""Cached GET responses served in front of Litestar: no routing, middleware or handler.

A handler that caches its answer (backend/cache.py, `cached_json`) stores it under the
request's exact path and query plus the caller's user id. Here, a GET whose credential is
already known to this process (the auth middleware's principal cache) and whose key is
cached is answered from memory. Anything else goes to Litestar unchanged, so the cache
holds only answers a handler gave this very user, after auth and access checks passed.
Correctness rests on the cache's invalidation by change tags (backend/cache.py).
"""

from __future__ import annotations

import time
from typing import Any, cast

from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from backend import metrics
from backend.auth import credential_digest
from backend.state import Services

EDGE_PATH = "profai.edge_path"  # scope key: the request's path and query, as cached
# The header tells clients (and tests) that the answer came from memory.
_JSON_HEADERS = [(b"content-type", b"application/json"), (b"x-profai-cache", b"hit")]


def request_path(scope: Scope) -> str:
    """The cache's view of a request: path and query string, exactly as sent."""
    known = cast("dict[str, Any]", scope).get(EDGE_PATH)
    if known is not None:
        return str(known)
    query = scope.get("query_string", b"")
    return scope["path"] + ("?" + query.decode("latin-1") if query else "")


def cache_key(path: str, user_id: str) -> str:
    return f"{path}\x00{user_id}"


class CacheEdge:
    def __init__(self, app: Any) -> None:
        self.app: ASGIApp = app
        self._litestar = app  # its .state carries the Services once the lifespan ran

    @property
    def state(self) -> Any:
        return self._litestar.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Cross-origin browser requests go through the app, which adds the CORS headers.
        if scope["type"] == "http" and scope.get("method") == "GET" and not _has_origin(scope):
            path = request_path(scope)
            cast("dict[str, Any]", scope)[EDGE_PATH] = path
            if await self._answer(scope, path, send):
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, path: str, send: Send) -> bool:
        started = time.perf_counter()
        svc: Services | None = getattr(self._litestar.state, "services", None)
        if svc is None or not svc.responses.maxsize:
            return False
        digest = credential_digest(scope)
        principal = svc.principals.get(digest) if digest is not None else None
        if principal is None:
            return False
        hit = svc.responses.lookup(cache_key(path, principal.user_id))
        if hit is None:
            return False
        body, route = hit
        headers = [*_JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send(HTTPResponseStartEvent(type="http.response.start", status=200, headers=headers))
        await send(HTTPResponseBodyEvent(type="http.response.body", body=body, more_body=False))
        metrics.record("GET", route, 200, time.perf_counter() - started)
        return True


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])
