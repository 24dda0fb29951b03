"""Request metrics for Prometheus, as a plain ASGI middleware.

Litestar's Prometheus plugin cost about a quarter of a cached request's time here; this one
keeps a label child per (method, route, status) and does two dictionary lookups a request.

With several API processes (`API_WORKERS` > 1) each process writes its values to files in
PROMETHEUS_MULTIPROC_DIR (`profai api` sets one up) and any process's /metrics answers the
sum over all of them, prometheus_client's multiprocess mode.
"""

from __future__ import annotations

import os
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("profai_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "profai_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_counters: dict[tuple[str, str, int], Any] = {}
_histograms: dict[tuple[str, str], Any] = {}
SKIP = ("/metrics", "/health")


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIP):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            # The route template, not the path: ids in paths would explode the label space.
            route = scope.get("path_template") or "unmatched"
            record(str(scope.get("method", "GET")), route, status, time.perf_counter() - started)


def record(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    counter = _counters.get(key) or _counters.setdefault(key, REQUESTS.labels(method, route, str(status)))
    counter.inc()
    hkey = (method, route)
    histogram = _histograms.get(hkey) or _histograms.setdefault(hkey, LATENCY.labels(method, route))
    histogram.observe(seconds)


def exposition() -> bytes:
    """The text a scrape gets: this process's metrics, or every API process's summed."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
