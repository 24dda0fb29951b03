"""Reading and editing a course's outline and lessons."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, Module
from core.db.models.courses import Course
from core.db.models.jobs import Job, JobKind
from core.errors import InvalidInput, NotFound
from core.repositories.content import ContentRepository
from core.repositories.courses import CourseRepository
from core.repositories.documents import DocumentRepository
from core.security.principal import Principal
from core.services.citations import DocumentRef, document_refs
from core.services.courses import CourseService
from core.services.jobs import JobService
from core.settings import Settings


@dataclass
class Outline:
    course: Course
    modules: list[tuple[Module, list[Lesson]]]


class ContentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.content = ContentRepository(session)
        self.courses = CourseService(session)
        self.documents = DocumentRepository(session)

    async def outline(self, principal: Principal, course_id: str) -> Outline:
        course = await self.courses.get_visible(principal, course_id)
        return Outline(course, await self._outline_of(course_id))

    async def _outline_of(self, course_id: str) -> list[tuple[Module, list[Lesson]]]:
        lessons = await self.content.lessons_of(course_id)
        by_module: dict[str, list[Lesson]] = {}
        for lesson in lessons:
            by_module.setdefault(lesson.module_id, []).append(lesson)
        return [
            (m, sorted(by_module.get(m.id, []), key=lambda lesson: lesson.position))
            for m in await self.content.modules_of(course_id)
        ]

    async def lesson(self, principal: Principal, lesson_id: str) -> tuple[Lesson, dict[str, DocumentRef]]:
        """The lesson and the documents it cites (name and file type, by id)."""
        lesson = await self.content.lesson_by_id(lesson_id)
        if lesson is None:
            raise NotFound("lesson not found")
        try:
            await self.courses.get_visible(principal, lesson.course_id)
        except NotFound:
            raise NotFound("lesson not found") from None
        return lesson, await self.cited_documents(lesson.document_ids)

    async def cited_documents(self, document_ids: list[str]) -> dict[str, DocumentRef]:
        return document_refs(await self.documents.get_many(list(dict.fromkeys(document_ids))))

    async def _managed_lesson(self, principal: Principal, lesson_id: str) -> Lesson:
        lesson, _ = await self.lesson(principal, lesson_id)
        await self.courses.get_manageable(principal, lesson.course_id)
        return lesson

    async def edit_lesson(self, principal: Principal, lesson_id: str, title: str | None, body: str | None) -> Lesson:
        lesson = await self._managed_lesson(principal, lesson_id)
        if title is not None:
            if not title.strip():
                raise InvalidInput("a lesson needs a title")
            lesson.title = title.strip()[:300]
        if body is not None:
            lesson.body = body
        lesson.edited_by_teacher = True
        await self.session.flush()
        return lesson

    async def rename_module(self, principal: Principal, module_id: str, title: str) -> Module:
        module = await self.content.module_by_id(module_id)
        if module is None:
            raise NotFound("module not found")
        try:
            await self.courses.get_manageable(principal, module.course_id)
        except NotFound:
            raise NotFound("module not found") from None
        if not title.strip():
            raise InvalidInput("a module needs a title")
        module.title = title.strip()[:300]
        await self.session.flush()
        return module

    async def reorder(
        self, principal: Principal, course_id: str, module_ids: list[str], lessons: dict[str, list[str]]
    ) -> Outline:
        """Set the order of modules, and of lessons (which may move between modules).

        What the teacher changes is marked as placed by the teacher, so that regeneration keeps it
        (core/pipeline/arrangement.py): a new module order marks every module; a module whose
        lessons change (reordered, or one moved in or out) marks every lesson it then holds.
        """
        course = await self.courses.get_manageable(principal, course_id)
        # Serialised with the jobs writing this course (content_writer takes the same lock).
        await CourseRepository(self.session).get_for_update(course_id)
        outline = await self._outline_of(course_id)
        modules = {m.id: m for m, _ in outline}
        current = {m.id: [lesson.id for lesson in ls] for m, ls in outline}
        all_lessons = {lesson.id: lesson for _, ls in outline for lesson in ls}
        if module_ids:
            if sorted(module_ids) != sorted(modules):
                raise InvalidInput("modules must list every module of the course exactly once")
            changed = module_ids != [m.id for m, _ in outline]
            await self.content.park(list(modules.values()))
            for position, module_id in enumerate(module_ids):
                modules[module_id].position = position
                modules[module_id].placed_by_teacher |= changed
        if lessons:
            listed = [lesson_id for ids in lessons.values() for lesson_id in ids]
            if set(lessons) - set(modules):
                raise InvalidInput("lessons names a module that is not in this course")
            if sorted(listed) != sorted(all_lessons):
                raise InvalidInput("lessons must list every lesson of the course exactly once")
            for module_id, ids in lessons.items():
                changed = ids != current[module_id]
                for position, lesson_id in enumerate(ids):
                    lesson = all_lessons[lesson_id]
                    lesson.module_id, lesson.position = module_id, position
                    lesson.placed_by_teacher |= changed
        await self.session.flush()
        return Outline(course, await self._outline_of(course_id))

    async def regenerate(
        self,
        principal: Principal,
        settings: Settings,
        course_id: str,
        *,
        lesson_ids: list[str] | None = None,
        quiz_ids: list[str] | None = None,
    ) -> Job:
        await self.courses.get_manageable(principal, course_id)
        if lesson_ids:
            for lesson_id in lesson_ids:
                if await self.content.lesson_in_course(course_id, lesson_id) is None:
                    raise NotFound("lesson not found")
        if quiz_ids:
            for quiz_id in quiz_ids:
                if await self.content.quiz_in_course(course_id, quiz_id) is None:
                    raise NotFound("quiz not found")
        payload = {"lesson_ids": lesson_ids or [], "quiz_ids": quiz_ids or [], "all": not (lesson_ids or quiz_ids)}
        return await JobService(self.session).create(
            JobKind.GENERATE,
            course_id=course_id,
            created_by=principal.user_id,
            payload=payload,
            max_attempts=settings.job_max_attempts,
            message="regeneration requested",
        )
