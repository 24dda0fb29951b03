"""Creating, reading and cancelling jobs. Running them is the worker's business (jobs/)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.jobs import Job, JobKind, JobStatus
from core.errors import Conflict, NotFound
from core.repositories.courses import CourseRepository
from core.repositories.documents import DocumentRepository
from core.repositories.job_reads import JobReads
from core.repositories.jobs import JobRepository
from core.security.principal import Principal

log = logging.getLogger(__name__)

_PENDING_KEY = "profai.jobs_to_enqueue"


class JobQueue(Protocol):
    """Carries job ids to workers; the jobs table stays the source of truth."""

    def enqueue(self, job_id: str, delay: float = 0.0) -> None: ...

    def pending_count(self) -> int: ...


def enqueue_after_commit(session: AsyncSession, job_id: str, delay: float = 0.0) -> None:
    """Remember a job to enqueue once the surrounding transaction has committed.

    Enqueueing before the commit would let a fast worker look for a row that is not
    there yet; enqueueing after a rollback would run a job that never existed.
    """
    session.info.setdefault(_PENDING_KEY, []).append((job_id, delay))


def dispatch_pending(session: AsyncSession, queue: JobQueue) -> list[str]:
    """Call right after a successful commit. A queue that is down loses nothing: the job
    rows are committed and stay queued, and the reaper sends a queued job nobody started
    again once the queue answers (jobs/reaper.py), so the caller's work has succeeded."""
    pending: list[tuple[str, float]] = session.info.pop(_PENDING_KEY, [])
    for job_id, delay in pending:
        try:
            queue.enqueue(job_id, delay)
        except Exception as exc:  # noqa: BLE001 - any queue failure; the row is the source of truth
            log.warning("could not enqueue job %s (%s: %s); the reaper sends it later", job_id, type(exc).__name__, exc)
    return [job_id for job_id, _ in pending]


async def fail_job_documents(session: AsyncSession, job_id: str, reason: str) -> int:
    """Call in the transaction that fails a job for good: its unprocessed documents say
    `failed`, with the job's reason, in the API (runner and reaper both)."""
    job = await session.get(Job, job_id)
    document_ids = [str(d) for d in (job.payload or {}).get("document_ids", [])] if job is not None else []
    return await DocumentRepository(session).fail_unfinished(document_ids, f"processing failed: {reason}")


def has_pending(session: AsyncSession) -> bool:
    return bool(session.info.get(_PENDING_KEY))


def discard_pending(session: AsyncSession) -> None:
    """Call after a rollback."""
    session.info.pop(_PENDING_KEY, None)


class JobService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.jobs = JobRepository(session)
        self.courses = CourseRepository(session)

    async def create(
        self,
        kind: JobKind,
        *,
        course_id: str | None,
        created_by: str | None,
        payload: dict[str, Any],
        max_attempts: int,
        message: str = "waiting for a worker",
    ) -> Job:
        job = Job(
            kind=kind,
            course_id=course_id,
            created_by=created_by,
            payload=payload,
            max_attempts=max_attempts,
            message=message,
        )
        self.jobs.add(job)
        await self.session.flush()
        enqueue_after_commit(self.session, job.id)
        return job

    async def get_visible(self, principal: Principal, job_id: str) -> Job:
        job = await self.jobs.get(job_id)
        if job is None or not await can_see_job(principal, job, self._course_owner):
            raise NotFound("job not found")
        return job

    async def _course_owner(self, course_id: str) -> str | None:
        course = await self.courses.get(course_id)
        return course.owner_id if course is not None else None

    async def list_for_course(self, course_id: str) -> list[Job]:
        return await self.jobs.list_for_course(course_id)

    async def cancel(self, principal: Principal, job_id: str) -> Job:
        job = await self.get_visible(principal, job_id)
        if job.status.is_final:
            raise Conflict(f"the job has already {job.status.value}")
        if job.status is JobStatus.QUEUED:
            job.status, job.finished_at = JobStatus.CANCELLED, utcnow()
            job.message = "cancelled before it started"
        else:
            # The running worker sees the flag at its next progress report or heartbeat.
            job.cancel_requested = True
            job.message = "cancelling…"
        await self.session.flush()
        return job

    async def retry(self, principal: Principal, job_id: str) -> Job:
        job = await self.get_visible(principal, job_id)
        if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise Conflict("only a failed or cancelled job can be retried")
        job.status, job.attempts, job.error = JobStatus.QUEUED, 0, None
        job.cancel_requested, job.finished_at, job.run_after = False, None, None
        job.stage, job.progress, job.message = "queued", 0, "retry requested"
        await self.session.flush()
        enqueue_after_commit(self.session, job.id)
        return job


async def can_see_job(principal: Principal, job: Job, course_owner: Callable[[str], Awaitable[str | None]]) -> bool:
    """Admins, the job's creator and its course's owner see a job; nobody else."""
    if principal.is_admin or job.created_by == principal.user_id:
        return True
    if job.course_id is None:
        return False
    return await course_owner(job.course_id) == principal.user_id


async def visible_job(reads: JobReads, principal: Principal, job_id: str) -> Job:
    """get_visible on the read pool: the job status route's fast path."""
    job = await reads.get(job_id)
    if job is None or not await can_see_job(principal, job, reads.course_owner):
        raise NotFound("job not found")
    return job
