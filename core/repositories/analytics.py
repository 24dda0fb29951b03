"""Aggregates over one course for its teacher: completion, quiz scores, questions asked."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.chat import ChatMessage
from core.db.models.content import Lesson, LessonProgress, Module
from core.db.models.courses import Enrollment
from core.db.models.quizzes import Quiz, QuizAttempt


class AnalyticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def student_count(self, course_id: str) -> int:
        query = select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course_id)
        return int(await self.session.scalar(query) or 0)

    async def lesson_completions(self, course_id: str) -> list[tuple[str, str, str, int]]:
        """(lesson id, lesson title, module title, students who completed it), in course order."""
        done = (
            select(LessonProgress.lesson_id, func.count().label("n"))
            .where(LessonProgress.course_id == course_id)
            .group_by(LessonProgress.lesson_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(Lesson.id, Lesson.title, Module.title, func.coalesce(done.c.n, 0))
            .join(Module, Module.id == Lesson.module_id)
            .outerjoin(done, done.c.lesson_id == Lesson.id)
            .where(Lesson.course_id == course_id)
            .order_by(Module.position, Lesson.position)
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def best_scores(self, course_id: str) -> list[tuple[str, str, str, float, int]]:
        """(quiz id, quiz title, user id, best score, attempts) per quiz and student."""
        rows = await self.session.execute(
            select(Quiz.id, Quiz.title, QuizAttempt.user_id, func.max(QuizAttempt.score), func.count())
            .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
            .where(Quiz.course_id == course_id)
            .group_by(Quiz.id, Quiz.title, QuizAttempt.user_id)
        )
        return [(r[0], r[1], r[2], float(r[3]), int(r[4])) for r in rows]

    async def chat_messages(self, course_id: str, limit: int = 5000) -> list[ChatMessage]:
        """The course's most recent messages, oldest first within each session."""
        recent = (
            select(ChatMessage)
            .where(ChatMessage.course_id == course_id)
            .order_by(ChatMessage.created_at.desc())
            .limit(limit)
            .subquery()
        )
        result = await self.session.scalars(
            select(ChatMessage)
            .join(recent, recent.c.id == ChatMessage.id)
            .order_by(ChatMessage.session_id, ChatMessage.created_at)
        )
        return list(result)
