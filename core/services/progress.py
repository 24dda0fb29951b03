"""A student's progress: lessons completed, best quiz scores, per course and overall."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, LessonProgress
from core.db.models.courses import Course
from core.errors import NotFound
from core.repositories.progress import ProgressRepository
from core.repositories.quizzes import QuizRepository
from core.security.principal import Principal
from core.services.courses import CourseService

LESSON_NOT_FOUND = "lesson not found"


@dataclass
class QuizScore:
    quiz_id: str
    title: str
    best_score: float | None  # percent; None before the first attempt
    attempts: int


@dataclass
class CourseProgress:
    course: Course
    lessons_total: int
    completed: dict[str, datetime]  # lesson id -> when
    quizzes: list[QuizScore] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return round(100.0 * len(self.completed) / self.lessons_total, 1) if self.lessons_total else 0.0


class ProgressService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.progress = ProgressRepository(session)
        self.courses = CourseService(session)

    async def _lesson(self, principal: Principal, lesson_id: str) -> Lesson:
        lesson = await self.progress.get_lesson(lesson_id)
        if lesson is None:
            raise NotFound(LESSON_NOT_FOUND)
        try:
            await self.courses.get_visible(principal, lesson.course_id)
        except NotFound:
            raise NotFound(LESSON_NOT_FOUND) from None
        return lesson

    async def complete(self, principal: Principal, lesson_id: str) -> LessonProgress:
        """Idempotent: completing a lesson twice keeps the first completion time."""
        lesson = await self._lesson(principal, lesson_id)
        await self.progress.add_once(lesson.id, lesson.course_id, principal.user_id)
        done = await self.progress.completion(lesson.id, principal.user_id)
        assert done is not None  # just inserted, or already there
        return done

    async def undo(self, principal: Principal, lesson_id: str) -> None:
        lesson = await self._lesson(principal, lesson_id)
        await self.progress.remove(lesson.id, principal.user_id)

    async def for_course(self, principal: Principal, course_id: str) -> CourseProgress:
        course = await self.courses.get_visible(principal, course_id)
        [progress] = await self._progress(principal, [course])
        return progress

    async def summary(self, principal: Principal) -> list[CourseProgress]:
        return await self._progress(principal, await self.courses.list_visible(principal))

    async def _progress(self, principal: Principal, courses: list[Course]) -> list[CourseProgress]:
        ids = [c.id for c in courses]
        totals = await self.progress.lesson_counts(ids)
        completed = await self.progress.completed(principal.user_id, ids)
        quizzes = QuizRepository(self.session)
        best = {q: (s, n) for _, q, s, n in await quizzes.best_scores(principal.user_id, ids)}
        out = []
        for course in courses:
            scores = []
            manager = self.courses.can_manage(principal, course)
            for quiz, _ in await quizzes.quizzes_of(course.id, approved_only=not manager):
                score, attempts = best.get(quiz.id, (None, 0))
                scores.append(QuizScore(quiz.id, quiz.title, score, attempts))
            done = {p.lesson_id: p.completed_at for p in completed.get(course.id, [])}
            out.append(CourseProgress(course, totals.get(course.id, 0), done, scores))
        return out
