from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.response.base import ASGIResponse

from backend.auth import teachers_only
from backend.cache import cached_json
from backend.db import ServicesDep, SessionDep
from backend.schemas.jobs import JobOut, WorkerOut, WorkerStatsOut
from backend.state import Services
from core.db.models.jobs import Job
from core.repositories.job_reads import JobReads
from core.security.principal import Principal
from core.services.jobs import JobService, visible_job
from core.services.stats import worker_stats

PrincipalRequest = Request[Principal, Any, Any]
POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0


class JobController(Controller):
    path = "/api/v1"
    tags = ["jobs"]

    @get(
        "/jobs/{job_id:str}",
        summary="A job's status, stage and progress",
        responses={200: ResponseSpec(JobOut, description="the job")},
    )
    async def get_job(self, job_id: str, request: PrincipalRequest, svc: ServicesDep) -> ASGIResponse:
        async def produce() -> tuple[JobOut, list[str]]:
            return JobOut.of(await read_visible_job(svc, request.user, job_id)), [f"job:{job_id}"]

        return await cached_json(svc.responses, request, produce)

    @post("/jobs/{job_id:str}/cancel", status_code=202, summary="Cancel a queued or running job")
    async def cancel(self, job_id: str, request: PrincipalRequest, session: SessionDep) -> JobOut:
        return JobOut.of(await JobService(session).cancel(request.user, job_id))

    @post("/jobs/{job_id:str}/retry", status_code=202, summary="Run a failed or cancelled job again")
    async def retry(self, job_id: str, request: PrincipalRequest, session: SessionDep) -> JobOut:
        return JobOut.of(await JobService(session).retry(request.user, job_id))

    @get("/jobs/{job_id:str}/events", summary="Live progress as server-sent events, until the job ends")
    async def events(self, job_id: str, request: PrincipalRequest, svc: ServicesDep) -> ServerSentEvent:
        async with svc.read_sessions() as session:
            await JobService(session).get_visible(request.user, job_id)  # 404 before the stream starts
        return ServerSentEvent(job_events(svc, job_id))

    @get(
        "/worker-stats",
        guards=[teachers_only],
        summary="Workers alive, queue length, job counts (admins: every job and worker; teachers: their jobs)",
    )
    async def stats(self, request: PrincipalRequest, session: SessionDep, svc: ServicesDep) -> WorkerStatsOut:
        return await stats_out(session, svc, request.user)


async def stats_out(session: SessionDep, svc: ServicesDep, principal: Principal) -> WorkerStatsOut:
    stats = await worker_stats(session, svc.queue, principal, svc.settings.job_heartbeat_seconds)
    return WorkerStatsOut(
        workers_alive=stats.workers_alive,
        workers=[WorkerOut(w.name, w.threads, w.started_at, w.seen_at) for w in stats.workers]
        if stats.scope == "all"
        else [],
        queue_length=stats.queue_length,
        jobs=stats.jobs,
        running=stats.jobs.get("running", 0),
        failed=stats.jobs.get("failed", 0),
        queued=stats.jobs.get("queued", 0),
        scope=stats.scope,
    )


async def job_events(svc: ServicesDep, job_id: str) -> AsyncGenerator[ServerSentEventMessage, None]:
    """Poll the job row and emit each change; a comment line keeps proxies from timing out."""
    last: bytes | None = None
    idle = 0.0
    while True:
        async with svc.read_sessions() as session:
            job = await session.get(Job, job_id)
        if job is None:
            yield ServerSentEventMessage(event="error", data='{"error": "job not found"}')
            return
        body = msgspec.json.encode(JobOut.of(job))
        if body != last:
            last, idle = body, 0.0
            yield ServerSentEventMessage(event="job", data=body.decode(), id=str(job.updated_at.timestamp()))
        elif idle >= KEEPALIVE_SECONDS:
            idle = 0.0
            yield ServerSentEventMessage(comment="keep-alive")
        if job.status.is_final:
            yield ServerSentEventMessage(event="end", data=body.decode())
            return
        await asyncio.sleep(POLL_SECONDS)
        idle += POLL_SECONDS


async def read_visible_job(svc: Services, principal: Principal, job_id: str) -> Job:
    """The job, if the caller may see it: on the read pool."""
    return await visible_job(JobReads(svc.reads), principal, job_id)
