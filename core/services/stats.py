from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.jobs import Job, WorkerBeat
from core.repositories.jobs import JobRepository
from core.security.principal import Principal
from core.services.jobs import JobQueue


@dataclass
class WorkerStats:
    workers: list[WorkerBeat]
    queue_length: int
    jobs: dict[str, int]


async def worker_stats(session: AsyncSession, queue: JobQueue, heartbeat_seconds: float) -> WorkerStats:
    repo = JobRepository(session)
    # A worker missing three beats in a row counts as gone.
    alive = await repo.workers_seen_since(utcnow() - timedelta(seconds=3 * heartbeat_seconds))
    # Counting Huey's queue is blocking I/O: off the event loop.
    return WorkerStats(alive, await asyncio.to_thread(queue.pending_count), await repo.counts_by_status())


async def jobs_in_flight(session: AsyncSession, principal: Principal, limit: int = 200) -> list[Job]:
    """The running and queued jobs a caller may see: an admin all of them, anyone else their own."""
    return await JobRepository(session).in_flight(None if principal.is_admin else principal.user_id, limit)
