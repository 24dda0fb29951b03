"""Job reads for the hot status route, through the read pool (core/db/read_pool.py)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from core.db.models.courses import Course
from core.db.models.jobs import Job
from core.db.read_pool import ReadPool

JOB_BY_ID = select(*Job.__table__.columns).where(Job.id == bindparam("job_id"))
COURSE_OWNER = select(Course.owner_id).where(Course.id == bindparam("course_id"))


class JobReads:
    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool

    async def get(self, job_id: str) -> Job | None:
        row = await self.pool.first(JOB_BY_ID, {"job_id": job_id})
        return Job(**row) if row is not None else None  # transient: never flushed anywhere

    async def course_owner(self, course_id: str) -> str | None:
        row = await self.pool.first(COURSE_OWNER, {"course_id": course_id})
        return row["owner_id"] if row is not None else None
