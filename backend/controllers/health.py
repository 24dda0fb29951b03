from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlparse

from litestar import Controller, MediaType, Response, get
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from backend.db import ServicesDep
from backend.metrics import exposition
from core.services.retrieval import get_retriever


class HealthController(Controller):
    tags = ["health"]
    include_in_schema = True

    @get("/health/live", summary="Liveness: the process answers", exclude_from_auth=True)
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", summary="Readiness: database, queue and vector store answer", exclude_from_auth=True)
    async def ready(self, svc: ServicesDep) -> Response[dict[str, Any]]:
        checks = await asyncio.gather(_database(svc), _queue(svc), _vectors(svc))
        results = dict(zip(("database", "queue", "vectors"), checks, strict=True))
        ok = all(v == "ok" for v in results.values())
        # The tutor's model warming up does not make the API unready: everything else works.
        body = {"status": "ok" if ok else "unavailable", "checks": results, "tutor": get_retriever(svc.settings).state}
        return Response(body, status_code=200 if ok else 503)

    @get("/metrics", summary="Prometheus metrics", exclude_from_auth=True, media_type=MediaType.TEXT)
    async def metrics(self) -> Response[bytes]:
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


async def _database(svc: ServicesDep) -> str:
    try:
        async with svc.read_sessions() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), 5)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
        return f"error: {type(exc).__name__}: {exc}"[:300]


async def _queue(svc: ServicesDep) -> str:
    try:
        await asyncio.wait_for(asyncio.to_thread(svc.queue.pending_count), 5)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}: {exc}"[:300]


def _tcp_reachable(host: str, port: int) -> None:
    with socket.create_connection((host, port), 3):
        pass


async def _vectors(svc: ServicesDep) -> str:
    url = urlparse(svc.settings.milvus_uri)
    if url.scheme not in ("http", "https", "tcp", "grpc"):
        return "ok"  # a local file URI has no server to ask
    try:
        host, port = url.hostname or "127.0.0.1", url.port or 19530
        await asyncio.wait_for(asyncio.to_thread(_tcp_reachable, host, port), 5)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: cannot reach Milvus at {svc.settings.milvus_uri}: {exc}"[:300]
