"""Every query on the jobs table, including the atomic state transitions workers rely on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.changes import mark_changed
from core.db.models.courses import Course
from core.db.models.jobs import Job, JobStatus, WorkerBeat


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, job_id: str) -> Job | None:
        return await self.session.get(Job, job_id)

    def add(self, job: Job) -> None:
        self.session.add(job)

    async def list_for_course(self, course_id: str, limit: int = 50) -> list[Job]:
        result = await self.session.scalars(
            select(Job).where(Job.course_id == course_id).order_by(Job.created_at.desc()).limit(limit)
        )
        return list(result)

    async def latest_for_courses(self, course_ids: list[str]) -> dict[str, Job]:
        if not course_ids:
            return {}
        newest = (
            select(Job.course_id, func.max(Job.created_at).label("created_at"))
            .where(Job.course_id.in_(course_ids))
            .group_by(Job.course_id)
            .subquery()
        )
        result = await self.session.scalars(
            select(Job).join(newest, (Job.course_id == newest.c.course_id) & (Job.created_at == newest.c.created_at))
        )
        return {job.course_id: job for job in result if job.course_id}

    async def claim(self, job_id: str, worker: str, now: datetime) -> bool:
        """Move a queued job to running. Exactly one of several racing workers wins."""
        mark_changed(self.session, f"job:{job_id}")
        result = await self.session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.status == JobStatus.QUEUED,
                or_(Job.run_after.is_(None), Job.run_after <= now),
            )
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                worker=worker,
                heartbeat_at=now,
                started_at=func.coalesce(Job.started_at, now),
                stage="starting",
                error=None,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def update_running(self, job_id: str, worker: str, **values: Any) -> bool | None:
        """Write progress or a heartbeat, but only while this worker still owns the job.

        None tells a worker that the reaper gave its job to someone else; otherwise whether a
        cancel was requested, read by the same statement (on SQLite the write lock is held for
        one statement, not for an update and a read).
        """
        mark_changed(self.session, f"job:{job_id}")
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == worker)
            .values(**values)
            .returning(Job.cancel_requested)
            .execution_options(synchronize_session=False)
        )
        row = result.first()
        return None if row is None else bool(row[0])

    async def transition(self, job_id: str, from_status: JobStatus, owner: str | None, **values: Any) -> bool:
        """Change a job's status only if it is still in `from_status` (and owned by `owner`)."""
        mark_changed(self.session, f"job:{job_id}")
        query = update(Job).where(Job.id == job_id, Job.status == from_status)
        if owner is not None:
            query = query.where(Job.worker == owner)
        result = await self.session.execute(query.values(**values).execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def stale_running(self, older_than: datetime) -> list[Job]:
        result = await self.session.scalars(
            select(Job).where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < older_than)
        )
        return list(result)

    async def overdue_queued(self, older_than: datetime, now: datetime) -> list[Job]:
        """Queued jobs that nobody has started for a while: their queue message may be lost."""
        result = await self.session.scalars(
            select(Job).where(
                Job.status == JobStatus.QUEUED,
                Job.updated_at < older_than,
                or_(Job.run_after.is_(None), Job.run_after <= now),
            )
        )
        return list(result)

    async def in_flight(self, owner_id: str | None, limit: int) -> list[Job]:
        """Running and queued jobs, oldest first; with `owner_id` only those someone may see as
        theirs (created by them or on a course they own)."""
        query = select(Job).where(Job.status.in_((JobStatus.RUNNING, JobStatus.QUEUED)))
        if owner_id is not None:
            owned = select(Course.id).where(Course.owner_id == owner_id)
            query = query.where(or_(Job.created_by == owner_id, Job.course_id.in_(owned)))
        result = await self.session.scalars(query.order_by(Job.created_at, Job.id).limit(limit))
        return list(result)

    async def counts_by_status(self, seen_by: str | None = None) -> dict[str, int]:
        """Jobs per status: all of them, or those user `seen_by` may see (created them, or owns
        their course: the rule of core.services.jobs.can_see_job)."""
        query = select(Job.status, func.count()).group_by(Job.status)
        if seen_by is not None:
            owned = select(Course.id).where(Course.owner_id == seen_by)
            query = query.where(or_(Job.created_by == seen_by, Job.course_id.in_(owned)))
        rows = await self.session.execute(query)
        return {str(status): int(n) for status, n in rows}

    async def workers_seen_since(self, since: datetime) -> list[WorkerBeat]:
        result = await self.session.scalars(
            select(WorkerBeat).where(WorkerBeat.seen_at >= since).order_by(WorkerBeat.name)
        )
        return list(result)

    async def beat(self, name: str, threads: int, busy: int, started_at: datetime, now: datetime) -> None:
        row = await self.session.get(WorkerBeat, name)
        if row is None:
            self.session.add(WorkerBeat(name=name, threads=threads, busy=busy, started_at=started_at, seen_at=now))
        else:
            row.threads, row.busy, row.seen_at = threads, busy, now

    async def forget_worker(self, name: str) -> None:
        row = await self.session.get(WorkerBeat, name)
        if row is not None:
            await self.session.delete(row)
