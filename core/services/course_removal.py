"""Deleting a course: its rows now, its vectors and files by a cleanup job after the commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.courses import Course
from core.db.models.jobs import JobKind
from core.security.principal import Principal
from core.services.courses import CourseService
from core.services.jobs import JobService


async def delete_course(session: AsyncSession, principal: Principal, course_id: str) -> Course:
    """Delete a course the caller may manage, and queue the clean-up of what lives outside the
    database (the job is enqueued once the caller commits: enqueue_after_commit)."""
    course = await CourseService(session).delete(principal, course_id)
    await JobService(session).create(
        JobKind.CLEANUP,
        course_id=None,  # the course row is gone; the job names it in its payload
        created_by=principal.user_id,
        payload={"course_id": course.id},
        max_attempts=5,
        message=f"removing course {course.title}",
    )
    return course
