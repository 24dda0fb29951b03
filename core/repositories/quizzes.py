"""Quizzes, questions, attempts and the aggregates teachers and progress read."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Module
from core.db.models.quizzes import AttemptAnswer, Question, Quiz, QuizAttempt, QuizStatus


class QuizRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, quiz_id: str) -> Quiz | None:
        return await self.session.get(Quiz, quiz_id)

    async def get_question(self, question_id: str) -> Question | None:
        return await self.session.get(Question, question_id)

    async def quizzes_of(self, course_id: str, approved_only: bool) -> list[tuple[Quiz, int]]:
        """Module quizzes in module order, then the final quiz, each with its question count."""
        counts = (
            select(Question.quiz_id, func.count().label("n")).group_by(Question.quiz_id).subquery()
        )
        query = (
            select(Quiz, func.coalesce(counts.c.n, 0))
            .outerjoin(Module, Module.id == Quiz.module_id)
            .outerjoin(counts, counts.c.quiz_id == Quiz.id)
            .where(Quiz.course_id == course_id)
            # NULL module (the final quiz) sorts last on SQLite and PostgreSQL alike.
            .order_by(case((Quiz.module_id.is_(None), 1), else_=0), Module.position, Quiz.created_at)
        )
        if approved_only:
            query = query.where(Quiz.status == QuizStatus.APPROVED)
        return [(q, int(n)) for q, n in (await self.session.execute(query)).all()]

    async def drafts_of(self, course_id: str) -> list[Quiz]:
        """The course's quizzes students can't take yet (only those holding questions count)."""
        result = await self.session.scalars(
            select(Quiz)
            .where(Quiz.course_id == course_id, Quiz.status == QuizStatus.DRAFT)
            .where(select(Question.id).where(Question.quiz_id == Quiz.id).exists())
            .order_by(Quiz.created_at, Quiz.id)
        )
        return list(result)

    async def edited_quiz_ids(self, course_id: str) -> set[str]:
        """The course's quizzes holding a question the teacher edited."""
        rows = await self.session.execute(
            select(Question.quiz_id).join(Quiz, Quiz.id == Question.quiz_id)
            .where(Quiz.course_id == course_id, Question.edited_by_teacher.is_(True)).distinct()
        )
        return set(rows.scalars())

    async def questions_of(self, quiz_id: str) -> list[Question]:
        result = await self.session.scalars(
            select(Question).where(Question.quiz_id == quiz_id).order_by(Question.position, Question.id)
        )
        return list(result)

    def add(self, entity: QuizAttempt | AttemptAnswer) -> None:
        self.session.add(entity)

    async def attempts_of(self, quiz_id: str, user_id: str) -> list[QuizAttempt]:
        result = await self.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id)
        )
        return list(result)

    async def answers_of(self, attempt_ids: Sequence[str]) -> list[AttemptAnswer]:
        if not attempt_ids:
            return []
        result = await self.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempt_ids)))
        return list(result)

    async def option_counts(self, quiz_id: str) -> list[tuple[str, int | None, int, int]]:
        """(question_id, chosen_index, answers, correct answers) over every attempt of the quiz."""
        rows = await self.session.execute(
            select(
                AttemptAnswer.question_id, AttemptAnswer.chosen_index, func.count(),
                func.sum(case((AttemptAnswer.is_correct, 1), else_=0)),
            )
            .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
            .where(QuizAttempt.quiz_id == quiz_id)
            .group_by(AttemptAnswer.question_id, AttemptAnswer.chosen_index)
        )
        return [(qid, idx, int(n), int(ok or 0)) for qid, idx, n, ok in rows.all()]

    async def attempt_totals(self, quiz_id: str) -> tuple[int, int, float | None]:
        """Attempts, distinct students and the mean score of a quiz."""
        row = (await self.session.execute(
            select(func.count(), func.count(func.distinct(QuizAttempt.user_id)), func.avg(QuizAttempt.score))
            .where(QuizAttempt.quiz_id == quiz_id)
        )).one()
        return int(row[0]), int(row[1]), float(row[2]) if row[2] is not None else None

    async def best_scores(self, user_id: str, course_ids: Sequence[str]) -> list[tuple[str, str, float, int]]:
        """(course_id, quiz_id, best score, attempts) of one user's attempts in these courses."""
        if not course_ids:
            return []
        rows = await self.session.execute(
            select(QuizAttempt.course_id, QuizAttempt.quiz_id, func.max(QuizAttempt.score), func.count())
            .where(QuizAttempt.user_id == user_id, QuizAttempt.course_id.in_(course_ids))
            .group_by(QuizAttempt.course_id, QuizAttempt.quiz_id)
        )
        return [(c, q, float(s), int(n)) for c, q, s, n in rows.all()]
