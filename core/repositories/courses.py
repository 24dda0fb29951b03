from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, exists, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, Module
from core.db.models.courses import Course, CourseStatus, Enrollment
from core.db.models.documents import Document
from core.db.models.users import User


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

    async def page(
        self, *, limit: int, offset: int, owner_id: str | None = None, student_id: str | None = None
    ) -> tuple[list[Course], int]:
        """One page of a teacher's courses (newest first), a student's published enrolments (by
        title), or, with neither, all courses; and how many there are in all."""
        query = select(Course)
        if student_id is not None:
            query = (
                query.join(Enrollment, Enrollment.course_id == Course.id)
                .where(Enrollment.user_id == student_id, Course.status == CourseStatus.PUBLISHED)
                .order_by(Course.title, Course.id)
            )
        else:
            if owner_id is not None:
                query = query.where(Course.owner_id == owner_id)
            query = query.order_by(Course.created_at.desc(), Course.id)
        total = await self.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = await self.session.scalars(query.limit(limit).offset(offset))
        return list(rows), int(total or 0)

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

    def ids_query(self, owner_id: str | None = None, student_id: str | None = None) -> Select[Any]:
        """The ids of a teacher's courses, of a student's published enrolments, or of all courses."""
        if student_id is not None:
            return (
                select(Enrollment.course_id)
                .join(Course, Course.id == Enrollment.course_id)
                .where(Enrollment.user_id == student_id, Course.status == CourseStatus.PUBLISHED)
            )
        query = select(Course.id)
        return query.where(Course.owner_id == owner_id) if owner_id is not None else query

    async def counts(self, course_ids: list[str], scope: Select[Any] | None = None) -> dict[str, dict[str, int]]:
        """Documents, modules, lessons and students per course, in one round trip.

        `scope` (a query of the same ids) keeps the SQL short and cacheable: a long IN list
        is rendered and parsed anew on every request.
        """
        out: dict[str, dict[str, int]] = {
            cid: {"documents": 0, "modules": 0, "lessons": 0, "students": 0} for cid in course_ids
        }
        if not course_ids:
            return out
        wanted = scope.scalar_subquery() if scope is not None else course_ids
        parts = [
            select(literal(key).label("kind"), model.course_id, func.count().label("n"))  # type: ignore[attr-defined]
            .where(model.course_id.in_(wanted))  # type: ignore[attr-defined]
            .group_by(model.course_id)  # type: ignore[attr-defined]
            for model, key in (
                (Document, "documents"),
                (Module, "modules"),
                (Lesson, "lessons"),
                (Enrollment, "students"),
            )
        ]
        for kind, course_id, n in await self.session.execute(union_all(*parts)):
            # A read session runs each statement on its own snapshot: `scope` may now hold a
            # course created after the page was read (a 500 in the chaos run). Not on this page.
            if course_id in out:
                out[course_id][kind] = int(n)
        return out

    async def students_of(self, course_id: str) -> list[tuple[User, Enrollment]]:
        rows = await self.session.execute(
            select(User, Enrollment)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course_id)
            .order_by(Enrollment.created_at, User.email)
        )
        return [(user, enrollment) for user, enrollment in rows.tuples()]

    async def remove_enrollment(self, course_id: str, user_id: str) -> None:
        await self.session.execute(
            delete(Enrollment).where(Enrollment.course_id == course_id, Enrollment.user_id == user_id)
        )
