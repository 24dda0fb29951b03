"""Puts back jobs whose worker vanished, and fails them after their last attempt.

Huey delivers at most once: a worker killed mid-task takes the message with it. The
jobs table knows better, because a running job's heartbeat stops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.base import utcnow
from core.db.models.jobs import JobStatus
from core.repositories.jobs import JobRepository
from core.services.jobs import JobQueue, dispatch_pending, enqueue_after_commit, fail_job_documents
from core.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ReapReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    redelivered: list[str] = field(default_factory=list)


async def reap(
    sessions: async_sessionmaker[AsyncSession], queue: JobQueue, settings: Settings, *, stale: bool = True
) -> ReapReport:
    """`stale=False` leaves running jobs alone this pass (see DatabaseGrace)."""
    report = ReapReport()
    now = utcnow()
    stale_before = now - timedelta(seconds=settings.job_stale_seconds)
    async with sessions() as session:
        repo = JobRepository(session)
        for job in await repo.stale_running(stale_before) if stale else []:
            silent = (now - job.heartbeat_at).total_seconds() if job.heartbeat_at else 0.0
            reason = f"worker {job.worker} stopped responding (no heartbeat for {silent:.0f}s)"
            if job.attempts >= job.max_attempts:
                if await repo.transition(
                    job.id,
                    JobStatus.RUNNING,
                    job.worker,
                    status=JobStatus.FAILED,
                    finished_at=now,
                    updated_at=now,
                    stage="failed",
                    error=f"{reason} on its last attempt ({job.attempts})",
                    message=reason,
                ):
                    await fail_job_documents(session, job.id, f"{reason} on its last attempt")
                    report.failed.append(job.id)
            elif await repo.transition(
                job.id,
                JobStatus.RUNNING,
                job.worker,
                status=JobStatus.QUEUED,
                worker=None,
                updated_at=now,
                stage="queued",
                message=f"{reason}; re-queued",
            ):
                enqueue_after_commit(session, job.id)
                report.requeued.append(job.id)
        # A queued job nobody started while the queue is empty lost its message
        # (e.g. the process died between commit and enqueue): send it again. With a
        # backlog we wait, since duplicates would only lengthen the queue.
        if queue.pending_count() == 0:
            for job in await repo.overdue_queued(stale_before, now):
                job.updated_at = now
                enqueue_after_commit(session, job.id)
                report.redelivered.append(job.id)
        await session.commit()
        dispatch_pending(session, queue)
    if report.requeued or report.failed or report.redelivered:
        log.warning("reaper: %s", report)
    return report


class DatabaseGrace:
    """After a database outage, running jobs get JOB_STALE_SECONDS to beat again.

    While the database was down no worker could write a heartbeat, so every running job
    looks stale when it is back, though its worker is alive and waiting it out
    (jobs/outage_wait.py). Reaping them then would re-queue live jobs and spend an
    attempt of each. A worker that really died is still found, one stale period later.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._failing = False
        self._back_at: float | None = None

    def failed(self) -> None:
        self._failing, self._back_at = True, None

    def succeeded(self, now: float) -> None:
        if self._failing:
            self._failing, self._back_at = False, now

    def reap_stale(self, now: float) -> bool:
        if self._failing:
            return False  # the first pass that gets through finds every heartbeat old
        return self._back_at is None or now - self._back_at >= self.settings.job_stale_seconds
