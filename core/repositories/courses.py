from __future__ import annotations

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, Module
from core.db.models.courses import Course, CourseStatus, Enrollment
from core.db.models.documents import Document


class CourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, course_id: str) -> Course | None:
        return await self.session.get(Course, course_id)

    async def get_for_update(self, course_id: str) -> Course | None:
        # Serialises writers of one course's content on PostgreSQL; SQLite has one writer anyway.
        return await self.session.scalar(select(Course).where(Course.id == course_id).with_for_update())

    async def get_by_code(self, code: str) -> Course | None:
        return await self.session.scalar(select(Course).where(Course.enrollment_code == code.upper()))

    async def code_taken(self, code: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Course.enrollment_code == code))))

    async def list_owned(self, owner_id: str) -> list[Course]:
        result = await self.session.scalars(
            select(Course).where(Course.owner_id == owner_id).order_by(Course.created_at.desc())
        )
        return list(result)

    async def list_all(self) -> list[Course]:
        return list(await self.session.scalars(select(Course).order_by(Course.created_at.desc())))

    async def list_enrolled(self, user_id: str) -> list[Course]:
        result = await self.session.scalars(
            select(Course)
            .join(Enrollment, Enrollment.course_id == Course.id)
            .where(Enrollment.user_id == user_id, Course.status == CourseStatus.PUBLISHED)
            .order_by(Course.title)
        )
        return list(result)

    async def is_enrolled(self, course_id: str, user_id: str) -> bool:
        return bool(
            await self.session.scalar(
                select(exists().where(Enrollment.course_id == course_id, Enrollment.user_id == user_id))
            )
        )

    def add(self, entity: Course | Enrollment) -> None:
        self.session.add(entity)

    async def delete(self, course: Course) -> None:
        await self.session.delete(course)

    async def counts(self, course_ids: list[str]) -> dict[str, dict[str, int]]:
        """Documents, modules, lessons and students per course, in three grouped queries."""
        out: dict[str, dict[str, int]] = {
            cid: {"documents": 0, "modules": 0, "lessons": 0, "students": 0} for cid in course_ids
        }
        if not course_ids:
            return out
        for model, key in ((Document, "documents"), (Module, "modules"), (Lesson, "lessons"), (Enrollment, "students")):
            rows = await self.session.execute(
                select(model.course_id, func.count())  # type: ignore[attr-defined]
                .where(model.course_id.in_(course_ids))  # type: ignore[attr-defined]
                .group_by(model.course_id)  # type: ignore[attr-defined]
            )
            for course_id, n in rows:
                out[course_id][key] = int(n)
        return out

    async def remove_enrollment(self, course_id: str, user_id: str) -> None:
        await self.session.execute(
            delete(Enrollment).where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
        )
