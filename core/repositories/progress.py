"""Lesson completion per student."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import new_id, utcnow
from core.db.models.content import Lesson, LessonProgress


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_lesson(self, lesson_id: str) -> Lesson | None:
        return await self.session.get(Lesson, lesson_id)

    async def completion(self, lesson_id: str, user_id: str) -> LessonProgress | None:
        return await self.session.scalar(
            select(LessonProgress).where(LessonProgress.lesson_id == lesson_id, LessonProgress.user_id == user_id)
        )

    async def add_once(self, lesson_id: str, course_id: str, user_id: str) -> None:
        """Insert unless present, atomically: two clicks racing each other leave one row, no error."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(LessonProgress).values(
            id=new_id(), lesson_id=lesson_id, course_id=course_id, user_id=user_id, completed_at=utcnow()
        )
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["lesson_id", "user_id"]))

    async def remove(self, lesson_id: str, user_id: str) -> int:
        result = await self.session.execute(
            delete(LessonProgress).where(LessonProgress.lesson_id == lesson_id, LessonProgress.user_id == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def completed(self, user_id: str, course_ids: Sequence[str]) -> dict[str, list[LessonProgress]]:
        """The user's completions per course; only of lessons that still exist (the join)."""
        if not course_ids:
            return {}
        rows = await self.session.scalars(
            select(LessonProgress)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user_id, LessonProgress.course_id.in_(course_ids))
            .order_by(LessonProgress.completed_at)
        )
        out: dict[str, list[LessonProgress]] = defaultdict(list)
        for p in rows:
            out[p.course_id].append(p)
        return out

    async def lesson_counts(self, course_ids: Sequence[str]) -> dict[str, int]:
        if not course_ids:
            return {}
        rows = await self.session.execute(
            select(Lesson.course_id, func.count()).where(Lesson.course_id.in_(course_ids)).group_by(Lesson.course_id)
        )
        return {c: int(n) for c, n in rows.all()}
