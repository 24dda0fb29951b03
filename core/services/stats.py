from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.jobs import WorkerBeat
from core.repositories.jobs import JobRepository
from core.security.principal import Principal
from core.services.jobs import JobQueue


@dataclass
class WorkerStats:
    workers: list[WorkerBeat]  # named only for admins
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
    if principal.is_admin:
        return WorkerStats(alive, len(alive), queue.pending_count(), await repo.counts_by_status(), "all")
    jobs = await repo.counts_by_status(seen_by=principal.user_id)
    return WorkerStats([], len(alive), queue.pending_count(), jobs, "own")
