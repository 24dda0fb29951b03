"""A student's course list for the read pool (core/db/read_pool.py): the same queries as
CourseRepository.list_enrolled and .counts, as statements compiled once."""

from __future__ import annotations

from sqlalchemy import bindparam, func, literal, select, union_all

from core.db.models.content import Lesson, Module
from core.db.models.courses import Course, CourseStatus, Enrollment
from core.db.models.documents import Document
from core.db.read_pool import ReadPool

_PUBLISHED = CourseStatus.PUBLISHED.value
ENROLLED = (
    select(*Course.__table__.columns)
    .join(Enrollment, Enrollment.course_id == Course.id)
    .where(Enrollment.user_id == bindparam("user_id"), Course.status == _PUBLISHED)
    .order_by(Course.title)
)
_ENROLLED_IDS = (
    select(Enrollment.course_id)
    .join(Course, Course.id == Enrollment.course_id)
    .where(Enrollment.user_id == bindparam("user_id"), Course.status == _PUBLISHED)
    .scalar_subquery()
)
COUNTS = union_all(
    *(
        select(literal(kind).label("kind"), model.course_id.label("course_id"), func.count().label("n"))  # type: ignore[attr-defined]
        .where(model.course_id.in_(_ENROLLED_IDS))  # type: ignore[attr-defined]
        .group_by(model.course_id)  # type: ignore[attr-defined]
        for model, kind in ((Document, "documents"), (Module, "modules"), (Lesson, "lessons"), (Enrollment, "students"))
    )
)


class CourseReads:
    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool

    async def enrolled(self, user_id: str) -> list[Course]:
        """A student's published courses, by title (transient objects, never flushed)."""
        return [Course(**row) for row in await self.pool.all(ENROLLED, {"user_id": user_id})]

    async def enrolled_counts(self, user_id: str) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in await self.pool.all(COUNTS, {"user_id": user_id}):
            out.setdefault(row["course_id"], {})[row["kind"]] = int(row["n"])
        return out
