"""The one query audio needs: a lesson together with its course, for the access check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson
from core.db.models.courses import Course


class LessonAudioRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lesson_with_course(self, lesson_id: str) -> tuple[Lesson, Course] | None:
        row = (
            await self.session.execute(
                select(Lesson, Course).join(Course, Course.id == Lesson.course_id).where(Lesson.id == lesson_id)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None
