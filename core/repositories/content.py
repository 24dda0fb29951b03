"""Modules, lessons, quizzes and questions of a course."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, Module
from core.db.models.quizzes import Question, Quiz


class ContentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def modules_of(self, course_id: str) -> list[Module]:
        result = await self.session.scalars(
            select(Module).where(Module.course_id == course_id).order_by(Module.position)
        )
        return list(result)

    async def park(self, modules: Sequence[Module]) -> int:
        """Move `modules` to distinct negative positions and flush; returns the next free one.

        Positions are unique per course (a database constraint), and a flush updates rows one
        at a time in no chosen order: setting the final order directly would pass through two
        modules on one position. From the parking places every final place is free."""
        # In the same order (-n .. -1): regeneration reads a teacher's order from these positions.
        for i, module in enumerate(sorted(modules, key=lambda m: m.position)):
            module.position = i - len(modules)
        await self.session.flush()
        return -1 - len(modules)

    async def lessons_of(self, course_id: str) -> list[Lesson]:
        result = await self.session.scalars(
            select(Lesson).where(Lesson.course_id == course_id).order_by(Lesson.module_id, Lesson.position)
        )
        return list(result)

    async def lesson_by_id(self, lesson_id: str) -> Lesson | None:
        return await self.session.get(Lesson, lesson_id)

    async def module_by_id(self, module_id: str) -> Module | None:
        return await self.session.get(Module, module_id)

    async def lesson_in_course(self, course_id: str, lesson_id: str) -> Lesson | None:
        return await self.session.scalar(select(Lesson).where(Lesson.id == lesson_id, Lesson.course_id == course_id))

    async def module_in_course(self, course_id: str, module_id: str) -> Module | None:
        return await self.session.scalar(select(Module).where(Module.id == module_id, Module.course_id == course_id))

    async def quizzes_of(self, course_id: str) -> list[Quiz]:
        return list(await self.session.scalars(select(Quiz).where(Quiz.course_id == course_id)))

    async def quiz_in_course(self, course_id: str, quiz_id: str) -> Quiz | None:
        return await self.session.scalar(select(Quiz).where(Quiz.id == quiz_id, Quiz.course_id == course_id))

    async def questions_of(self, quiz_ids: Sequence[str]) -> list[Question]:
        if not quiz_ids:
            return []
        result = await self.session.scalars(
            select(Question).where(Question.quiz_id.in_(quiz_ids)).order_by(Question.quiz_id, Question.position)
        )
        return list(result)

    async def replace_questions(self, quiz_id: str, questions: Sequence[Question]) -> None:
        await self.session.execute(delete(Question).where(Question.quiz_id == quiz_id))
        self.session.add_all(questions)

    def add(self, entity: Module | Lesson | Quiz | Question) -> None:
        self.session.add(entity)

    async def delete(self, entity: Module | Lesson | Quiz) -> None:
        await self.session.delete(entity)
