from __future__ import annotations

import asyncio
import hmac
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from litestar import Controller, MediaType, Request, Response, get
from litestar.exceptions import NotAuthorizedException
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from backend.db import ServicesDep
from backend.metrics import exposition

log = logging.getLogger(__name__)
CHECK_SECONDS = 5


class HealthController(Controller):
    tags = ["health"]
    include_in_schema = True

    @get("/health/live", summary="Liveness: the process answers", exclude_from_auth=True)
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/health/ready",
        summary="Readiness: database, queue and vector store answer (ok or failing; the reasons are logged)",
        exclude_from_auth=True,
    )
    async def ready(self, svc: ServicesDep) -> Response[dict[str, Any]]:
        names = ("database", "queue", "vectors")
        checks = await asyncio.gather(*(_check(name, probe(svc)) for name, probe in zip(names, PROBES, strict=True)))
        results = dict(zip(names, checks, strict=True))
        ok = all(v == "ok" for v in results.values())
        # The tutor's model warming up does not make the API unready: everything else works.
        tutor = svc.retriever.state  # cold, warming, ready, or the error (logged when it happened)
        tutor = tutor if tutor in ("cold", "warming", "ready") else "failing"
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": results,
            "tutor": tutor,
            "response_cache": svc.responses.state(),
        }
        return Response(body, status_code=200 if ok else 503)

    @get(
        "/metrics",
        summary="Prometheus metrics (with METRICS_TOKEN set: Authorization: Bearer <token>)",
        exclude_from_auth=True,
        media_type=MediaType.TEXT,
    )
    async def metrics(self, request: Request[Any, Any, Any], svc: ServicesDep) -> Response[bytes]:
        check_metrics_token(request.headers.get("authorization"), svc.settings.metrics_token)
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


def check_metrics_token(authorization: str | None, token: Any) -> None:
    """With METRICS_TOKEN set, the scrape must present it as a Bearer token."""
    if token is None:
        return
    expected = f"Bearer {token.get_secret_value()}".encode()
    if not hmac.compare_digest((authorization or "").strip().encode(), expected):
        raise NotAuthorizedException(
            "metrics need Authorization: Bearer <METRICS_TOKEN>", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )


async def _check(name: str, probe: Awaitable[None]) -> str:
    """ok or failing; why goes to the log only (hosts, ports and drivers' messages are not public)."""
    try:
        await asyncio.wait_for(probe, CHECK_SECONDS)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
        log.warning("readiness: %s is failing: %s: %s", name, type(exc).__name__, exc)
        return "failing"


async def _database(svc: ServicesDep) -> None:
    async with svc.read_sessions() as session:
        await session.execute(text("SELECT 1"))


async def _queue(svc: ServicesDep) -> None:
    await asyncio.to_thread(svc.queue.pending_count)


def _tcp_reachable(host: str, port: int) -> None:
    with socket.create_connection((host, port), 3):
        pass


async def _vectors(svc: ServicesDep) -> None:
    url = urlparse(svc.settings.milvus_uri)
    if url.scheme not in ("http", "https", "tcp", "grpc"):
        return  # a local file URI has no server to ask
    await asyncio.to_thread(_tcp_reachable, url.hostname or "127.0.0.1", url.port or 19530)


PROBES: tuple[Callable[[ServicesDep], Awaitable[None]], ...] = (_database, _queue, _vectors)
