from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.jobs import Job, WorkerBeat
from core.repositories.jobs import JobRepository
from core.security.principal import Principal
from core.services.jobs import JobQueue


@dataclass
class WorkerStats:
    workers: list[WorkerBeat]  # every live worker; routes name them only when scope is "all"
    workers_alive: int
    queue_length: int
    jobs: dict[str, int]
    scope: Literal["all", "own"]  # whose jobs `jobs` counts


async def worker_stats(
    session: AsyncSession, queue: JobQueue, principal: Principal, heartbeat_seconds: float
) -> WorkerStats:
    """Admins see every job and the workers by name; anyone else the jobs they may see
    (their own and their courses', as for one job) and only how many workers are alive and
    how long the queue is. Every stats route (v1 and legacy) answers through this."""
    repo = JobRepository(session)
    # A worker missing three beats in a row counts as gone.
    alive = await repo.workers_seen_since(utcnow() - timedelta(seconds=3 * heartbeat_seconds))
    # Counting Huey's queue is blocking I/O: off the event loop.
    queued = await asyncio.to_thread(queue.pending_count)
    if principal.is_admin:
        return WorkerStats(alive, len(alive), queued, await repo.counts_by_status(), "all")
    jobs = await repo.counts_by_status(seen_by=principal.user_id)
    return WorkerStats(alive, len(alive), queued, jobs, "own")


def worker_alias(name: str) -> str:
    """A stable stand-in for a worker's name (its host and pid), for callers who may not see it."""
    return "worker-" + hashlib.sha256(name.encode()).hexdigest()[:8]


async def jobs_in_flight(session: AsyncSession, principal: Principal, limit: int = 200) -> list[Job]:
    """The running and queued jobs a caller may see: an admin all of them, anyone else their own."""
    return await JobRepository(session).in_flight(None if principal.is_admin else principal.user_id, limit)
