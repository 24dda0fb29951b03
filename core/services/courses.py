"""Courses, enrollment and the access rule every other service builds on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.courses import Course, CourseStatus, Enrollment
from core.db.models.jobs import Job
from core.db.models.users import Role, User
from core.errors import Forbidden, InvalidInput, NotFound
from core.repositories.course_reads import CourseReads
from core.repositories.courses import CourseRepository
from core.repositories.jobs import JobRepository
from core.repositories.quizzes import QuizRepository
from core.security.principal import Principal
from core.security.tokens import new_enrollment_code, normalise_enrollment_code

COURSE_NOT_FOUND = "course not found"


def can_see_course(principal: Principal, course: Course, enrolled: bool) -> bool:
    """The access rule: its teacher and admins always; students once enrolled and published."""
    if principal.is_admin or course.owner_id == principal.user_id:
        return True
    return course.status is CourseStatus.PUBLISHED and enrolled


@dataclass
class CourseSummary:
    course: Course
    counts: dict[str, int]
    last_job: Job | None


class CourseService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.courses = CourseRepository(session)
        self.jobs = JobRepository(session)

    # --- access ---------------------------------------------------------------
    async def get_visible(self, principal: Principal, course_id: str) -> Course:
        """The course if the caller may see it; NotFound otherwise, exactly like a missing id."""
        course = await self.courses.get(course_id)
        if course is None or not await self._can_see(principal, course):
            raise NotFound(COURSE_NOT_FOUND)
        return course

    async def get_manageable(self, principal: Principal, course_id: str) -> Course:
        """The course if the caller may change it (its owner or an admin)."""
        course = await self.get_visible(principal, course_id)
        if not self.can_manage(principal, course):
            # A student enrolled in the course may see it, so 403 leaks nothing here.
            raise Forbidden("only the course's teacher can change it")
        if not principal.can_write():
            raise Forbidden("this API key is read-only")
        return course

    @staticmethod
    def can_manage(principal: Principal, course: Course) -> bool:
        return principal.is_admin or course.owner_id == principal.user_id

    async def _can_see(self, principal: Principal, course: Course) -> bool:
        if self.can_manage(principal, course):  # no enrollment query for the course's teacher
            return True
        return can_see_course(principal, course, await self.courses.is_enrolled(course.id, principal.user_id))

    # --- queries --------------------------------------------------------------------
    async def list_visible(self, principal: Principal) -> list[Course]:
        if principal.is_admin:
            return await self.courses.list_all()
        if principal.is_teacher:
            return await self.courses.list_owned(principal.user_id)
        return await self.courses.list_enrolled(principal.user_id)

    async def page_visible(self, principal: Principal, limit: int, offset: int) -> tuple[list[Course], int]:
        """One page of what list_visible returns, in the same order, and the full count."""
        if principal.is_admin:
            return await self.courses.page(limit=limit, offset=offset)
        if principal.is_teacher:
            return await self.courses.page(limit=limit, offset=offset, owner_id=principal.user_id)
        return await self.courses.page(limit=limit, offset=offset, student_id=principal.user_id)

    async def summaries(
        self, courses: list[Course], with_jobs: bool = True, principal: Principal | None = None
    ) -> list[CourseSummary]:
        """Counts per course and (for teachers; students never see jobs) each one's last job.

        With `principal`, `courses` must be its whole visible list (list_visible).
        """
        ids = [c.id for c in courses]
        scope = None
        if principal is not None and not principal.is_admin:
            scope = (
                self.courses.ids_query(owner_id=principal.user_id)
                if principal.is_teacher
                else self.courses.ids_query(student_id=principal.user_id)
            )
        counts = await self.courses.counts(ids, scope)
        last_jobs = await self.jobs.latest_for_courses(ids) if with_jobs else {}
        return [CourseSummary(c, counts[c.id], last_jobs.get(c.id)) for c in courses]

    # --- commands -----------------------------------------------------------------
    async def create(
        self,
        principal: Principal,
        title: str,
        description: str = "",
        language: str = "en",
        course_id: str | None = None,
    ) -> Course:
        if not principal.is_teacher:
            raise Forbidden("only teachers can create courses")
        if not principal.can_write():
            raise Forbidden("this API key is read-only")
        title = title.strip()
        if not title:
            raise InvalidInput("the course needs a title")
        course = Course(
            **({"id": course_id} if course_id else {}),
            owner_id=principal.user_id,
            title=title[:300],
            description=description,
            language=language,
            enrollment_code=await self._unique_code(),
        )
        self.courses.add(course)
        await self.session.flush()
        return course

    async def update(self, principal: Principal, course_id: str, **changes: object) -> Course:
        course = await self.get_manageable(principal, course_id)
        for name, value in changes.items():
            if value is None:
                continue
            if name == "title":
                if not str(value).strip():
                    raise InvalidInput("the course needs a title")
                value = str(value).strip()[:300]
            setattr(course, name, value)
        await self.session.flush()
        return course

    async def set_published(self, principal: Principal, course_id: str, published: bool) -> Course:
        course = await self.get_manageable(principal, course_id)
        course.status = CourseStatus.PUBLISHED if published else CourseStatus.DRAFT
        await self.session.flush()
        return course

    async def publish(self, principal: Principal, course_id: str) -> tuple[Course, int]:
        """Publish; with the number of quizzes still drafts, which students will not see."""
        course = await self.set_published(principal, course_id, True)
        return course, len(await QuizRepository(self.session).drafts_of(course.id))

    async def delete(self, principal: Principal, course_id: str) -> Course:
        course = await self.get_manageable(principal, course_id)
        await self.courses.delete(course)
        await self.session.flush()
        return course

    async def enroll(self, principal: Principal, code: str) -> Course:
        # Teachers and admins never enroll: a teacher holding another teacher's code (or
        # guessing codes) learns nothing, and their own courses need no enrollment.
        if principal.role is not Role.STUDENT:
            raise Forbidden("only student accounts enroll with a code; teachers and admins see their courses directly")
        course = await self.courses.get_by_code(normalise_enrollment_code(code))
        # Unpublished courses answer like unknown codes: a draft is not visible to students.
        if course is None or course.status is not CourseStatus.PUBLISHED:
            raise NotFound("no published course has this enrollment code")
        if await self.courses.is_enrolled(course.id, principal.user_id):
            return course
        if not course.enrollment_open:
            raise Forbidden("this course is closed to new students: ask its teacher")
        self.courses.add(Enrollment(course_id=course.id, user_id=principal.user_id))
        await self.session.flush()
        return course

    async def rotate_code(self, principal: Principal, course_id: str) -> Course:
        """A new enrollment code; the old one admits nobody from now on (enrolled students stay)."""
        course = await self.get_manageable(principal, course_id)
        course.enrollment_code = await self._unique_code()
        await self.session.flush()
        return course

    async def students(self, principal: Principal, course_id: str) -> list[tuple[User, Enrollment]]:
        """Who joined the course, first joined first (its teacher or an admin)."""
        course = await self.get_manageable(principal, course_id)
        return await self.courses.students_of(course.id)

    async def _unique_code(self) -> str:
        while True:
            code = new_enrollment_code()
            if not await self.courses.code_taken(code):
                return code


async def enrolled_summaries(reads: CourseReads, principal: Principal) -> list[CourseSummary]:
    """A student's course list with counts, on the read pool (PostgreSQL): the same answer
    as list_visible + summaries for a student, who never sees jobs."""
    courses = await reads.enrolled(principal.user_id)
    counts = await reads.enrolled_counts(principal.user_id) if courses else {}
    zero = {"documents": 0, "modules": 0, "lessons": 0, "students": 0}
    return [CourseSummary(c, {**zero, **counts.get(c.id, {})}, None) for c in courses]
