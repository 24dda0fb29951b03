"""Quizzes: taking them (students), reviewing, editing, approving and analysing them (teachers).

Visibility follows the course rule (CourseService.get_visible): a quiz of a course the caller
cannot see, or a draft quiz shown to a student, answers 404 exactly like a missing one.
Scores are percentages (0-100).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.courses import Course
from core.db.models.quizzes import AttemptAnswer, Question, Quiz, QuizAttempt, QuizStatus
from core.errors import Forbidden, InvalidInput, NotFound
from core.repositories.documents import DocumentRepository
from core.repositories.quizzes import QuizRepository
from core.security.principal import Principal
from core.services.citations import DocumentRef, document_refs
from core.services.courses import COURSE_NOT_FOUND, CourseService

QUIZ_NOT_FOUND = "quiz not found"
QUESTION_NOT_FOUND = "question not found"
OPTIONS = 4


@dataclass
class QuizView:
    quiz: Quiz
    questions: list[Question]
    manager: bool  # teachers see answers and explanations; students don't
    documents: dict[str, DocumentRef] = field(default_factory=dict)  # the cited ones, by id


@dataclass
class QuestionResult:
    question_id: str
    prompt: str
    options: list[str]
    chosen_index: int | None
    answer_index: int
    correct: bool
    explanation: str
    citation: dict[str, Any] | None


@dataclass
class AttemptResult:
    attempt: QuizAttempt
    results: list[QuestionResult]
    stored: bool  # False for a teacher's preview: it must not skew the statistics


@dataclass
class QuestionStats:
    question: Question
    answers: int
    correct_share: float | None
    option_counts: list[int]  # how often each option was chosen
    unanswered: int


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int
    students: int
    mean_score: float | None
    questions: list[QuestionStats]


class QuizService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.quizzes = QuizRepository(session)
        self.courses = CourseService(session)

    # --- access -----------------------------------------------------------------------
    async def _visible(self, principal: Principal, quiz_id: str) -> tuple[Quiz, Course, bool]:
        quiz = await self.quizzes.get(quiz_id)
        if quiz is None:
            raise NotFound(QUIZ_NOT_FOUND)
        try:
            course = await self.courses.get_visible(principal, quiz.course_id)
        except NotFound:
            raise NotFound(QUIZ_NOT_FOUND) from None
        manager = self.courses.can_manage(principal, course)
        if not manager and quiz.status is not QuizStatus.APPROVED:
            raise NotFound(QUIZ_NOT_FOUND)  # a draft does not exist for students
        return quiz, course, manager

    async def _managed(self, principal: Principal, quiz_id: str, *, write: bool) -> Quiz:
        quiz, _, manager = await self._visible(principal, quiz_id)
        if not manager:
            raise Forbidden("only the course's teacher can do this")
        if write and not principal.can_write():
            raise Forbidden("this API key is read-only")
        return quiz

    # --- reading ------------------------------------------------------------------------
    async def list_for_course(self, principal: Principal, course_id: str) -> list[tuple[Quiz, int]]:
        course = await self.courses.get_visible(principal, course_id)
        return await self.quizzes.quizzes_of(course.id, approved_only=not self.courses.can_manage(principal, course))

    async def view(self, principal: Principal, quiz_id: str) -> QuizView:
        quiz, _, manager = await self._visible(principal, quiz_id)
        questions = await self.quizzes.questions_of(quiz.id)
        return QuizView(quiz, questions, manager, await self._documents(questions) if manager else {})

    async def _documents(self, questions: list[Question]) -> dict[str, DocumentRef]:
        ids = list(dict.fromkeys(q.document_id for q in questions if q.document_id))
        return document_refs(await DocumentRepository(self.session).get_many(ids))

    @staticmethod
    def citation(q: Question, documents: dict[str, DocumentRef]) -> dict[str, Any] | None:
        if not q.document_id:
            return None
        ref = documents.get(q.document_id)
        return {"document_id": q.document_id, "document_name": ref.name if ref else "", "page": q.page,
                "quote": q.quote, "file_type": ref.file_type if ref else None}

    # --- attempts -------------------------------------------------------------------------
    async def submit(self, principal: Principal, quiz_id: str, answers: dict[str, int]) -> AttemptResult:
        quiz, _, manager = await self._visible(principal, quiz_id)
        questions = await self.quizzes.questions_of(quiz.id)
        if not questions:
            raise InvalidInput("this quiz has no questions")
        known = {q.id for q in questions}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InvalidInput("these ids are not questions of this quiz", details={"question_ids": unknown})
        bad = sorted(qid for qid, idx in answers.items() if not 0 <= idx < OPTIONS)
        if bad:
            raise InvalidInput(f"answers are option indexes 0-{OPTIONS - 1}", details={"question_ids": bad})
        if not answers:
            raise InvalidInput("answer at least one question")
        documents = await self._documents(questions)
        results = [
            QuestionResult(q.id, q.prompt, list(q.options), answers.get(q.id), q.answer_index,
                           answers.get(q.id) == q.answer_index, q.explanation, self.citation(q, documents))
            for q in questions
        ]
        correct = sum(r.correct for r in results)
        attempt = QuizAttempt(quiz_id=quiz.id, course_id=quiz.course_id, user_id=principal.user_id,
                              score=round(100.0 * correct / len(results), 1), correct=correct, total=len(results),
                              created_at=utcnow())
        if not manager:
            self.quizzes.add(attempt)
            await self.session.flush()
            for q, r in zip(questions, results, strict=True):
                self.quizzes.add(AttemptAnswer(
                    attempt_id=attempt.id, question_id=q.id, chosen_index=r.chosen_index, is_correct=r.correct,
                    prompt=q.prompt, options=list(q.options), answer_index=q.answer_index,
                ))
            await self.session.flush()
        return AttemptResult(attempt, results, stored=not manager)

    async def my_attempts(self, principal: Principal, quiz_id: str) -> list[AttemptResult]:
        quiz, _, _ = await self._visible(principal, quiz_id)
        attempts = await self.quizzes.attempts_of(quiz.id, principal.user_id)
        by_attempt: dict[str, list[AttemptAnswer]] = defaultdict(list)
        for a in await self.quizzes.answers_of([a.id for a in attempts]):
            by_attempt[a.attempt_id].append(a)
        # Explanations and citations come from the current question; prompts from the snapshot.
        questions = {q.id: q for q in await self.quizzes.questions_of(quiz.id)}
        documents = await self._documents(list(questions.values()))
        order = {qid: i for i, qid in enumerate(questions)}

        def result_of(a: AttemptAnswer) -> QuestionResult:
            q = questions.get(a.question_id)
            return QuestionResult(a.question_id, a.prompt, list(a.options), a.chosen_index, a.answer_index,
                                  a.is_correct, q.explanation if q else "", self.citation(q, documents) if q else None)

        out = []
        for attempt in attempts:
            rows = sorted(by_attempt[attempt.id], key=lambda a: order.get(a.question_id, len(order)))
            out.append(AttemptResult(attempt, [result_of(a) for a in rows], stored=True))
        return out

    # --- teachers ---------------------------------------------------------------------------
    async def stats(self, principal: Principal, quiz_id: str) -> QuizStats:
        quiz = await self._managed(principal, quiz_id, write=False)
        questions = await self.quizzes.questions_of(quiz.id)
        counts: dict[str, list[int]] = {q.id: [0] * OPTIONS for q in questions}
        unanswered: dict[str, int] = defaultdict(int)
        correct: dict[str, int] = defaultdict(int)
        for qid, idx, n, ok in await self.quizzes.option_counts(quiz.id):
            if qid not in counts:
                continue
            if idx is None or not 0 <= idx < OPTIONS:
                unanswered[qid] += n
            else:
                counts[qid][idx] += n
            correct[qid] += ok
        per_question = []
        for q in questions:
            total = sum(counts[q.id]) + unanswered[q.id]
            share = round(correct[q.id] / total, 3) if total else None
            per_question.append(QuestionStats(q, total, share, counts[q.id], unanswered[q.id]))
        attempts, students, mean = await self.quizzes.attempt_totals(quiz.id)
        return QuizStats(quiz, attempts, students, round(mean, 1) if mean is not None else None, per_question)

    async def update_question(self, principal: Principal, question_id: str, *, prompt: str | None = None,
                              options: list[str] | None = None, answer_index: int | None = None,
                              explanation: str | None = None) -> Question:
        question = await self.quizzes.get_question(question_id)
        if question is None:
            raise NotFound(QUESTION_NOT_FOUND)
        try:
            await self._managed(principal, question.quiz_id, write=True)
        except NotFound:
            raise NotFound(QUESTION_NOT_FOUND) from None
        if prompt is not None:
            if not prompt.strip():
                raise InvalidInput("the question needs a prompt")
            question.prompt = prompt.strip()
        if options is not None:
            cleaned = [o.strip() for o in options]
            if len(cleaned) != OPTIONS or not all(cleaned):
                raise InvalidInput(f"a question has exactly {OPTIONS} non-empty options")
            if len({o.lower() for o in cleaned}) != OPTIONS:
                raise InvalidInput("the options must differ from each other")
            question.options = cleaned
        if answer_index is not None:
            if not 0 <= answer_index < OPTIONS:
                raise InvalidInput(f"answer_index is 0-{OPTIONS - 1}")
            question.answer_index = answer_index
        if explanation is not None:
            question.explanation = explanation.strip()
        if any(v is not None for v in (prompt, options, answer_index, explanation)):
            question.edited_by_teacher = True
        await self.session.flush()
        return question

    async def approve_all(self, principal: Principal, course_id: str) -> tuple[int, list[tuple[Quiz, int]]]:
        """Approve every draft quiz of the course; (how many were drafts, the course's quizzes)."""
        course = await self.courses.get_visible(principal, course_id)
        if not self.courses.can_manage(principal, course):
            raise NotFound(COURSE_NOT_FOUND)  # drafts don't exist for students: neither does this
        if not principal.can_write():
            raise Forbidden("this API key is read-only")
        drafts = await self.quizzes.drafts_of(course.id)
        for quiz in drafts:
            quiz.status = QuizStatus.APPROVED
        await self.session.flush()
        return len(drafts), await self.quizzes.quizzes_of(course.id, approved_only=False)

    async def draft_count(self, course_id: str) -> int:
        return len(await self.quizzes.drafts_of(course_id))

    async def set_approved(self, principal: Principal, quiz_id: str, approved: bool = True) -> Quiz:
        quiz = await self._managed(principal, quiz_id, write=True)
        quiz.status = QuizStatus.APPROVED if approved else QuizStatus.DRAFT
        await self.session.flush()
        return quiz
