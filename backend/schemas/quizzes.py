from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.schemas.common import Input
from core.db.models.quizzes import Question, Quiz, QuizAttempt
from core.services.progress import CourseProgress
from core.services.quizzes import AttemptResult, QuestionResult, QuizService, QuizStats, QuizView

Option = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class QuizCitationOut(msgspec.Struct):
    """The passage a question tests: document, page and quote (see QuizService.citation)."""

    document_id: str
    document_name: str
    page: int | None
    quote: str
    # pdf, docx, pptx, md, txt or html, detected from the file's content; null for a removed document.
    file_type: str | None = None

    @classmethod
    def maybe(cls, raw: dict[str, Any] | None) -> QuizCitationOut | None:
        return None if raw is None else msgspec.convert(raw, cls)


class AttemptIn(Input):
    # question id -> chosen option index (0-3); the service checks ids and ranges.
    answers: dict[str, int]


class QuestionPatch(Input):
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)] | None = None
    options: Annotated[list[Option], msgspec.Meta(min_length=4, max_length=4)] | None = None
    answer_index: Annotated[int, msgspec.Meta(ge=0, le=3)] | None = None
    explanation: Annotated[str, msgspec.Meta(max_length=4000)] | None = None


class QuizOut(msgspec.Struct):
    id: str
    course_id: str
    module_id: str | None
    title: str
    status: str
    question_count: int
    kind: str  # module | final

    @classmethod
    def of(cls, quiz: Quiz, count: int) -> QuizOut:
        kind = "module" if quiz.module_id else "final"
        return cls(quiz.id, quiz.course_id, quiz.module_id, quiz.title, quiz.status.value, count, kind)


class QuestionOut(msgspec.Struct, omit_defaults=True):
    id: str
    position: int
    prompt: str
    options: list[str]
    # Teachers only: a student's view never carries the answer (nor the kind:
    # cloze | definition | true_statement | code_output | concept; absent: written before kinds were kept).
    kind: str | None = None
    answer_index: int | None = None
    explanation: str | None = None
    citation: QuizCitationOut | None = None
    edited_by_teacher: bool | None = None  # teachers only: regenerating the course keeps its quiz

    @classmethod
    def of(cls, q: Question, view: QuizView) -> QuestionOut:
        out = cls(q.id, q.position, q.prompt, list(q.options))
        if view.manager:
            out.kind = q.kind or None
            out.answer_index, out.explanation = q.answer_index, q.explanation
            out.edited_by_teacher = q.edited_by_teacher
            out.citation = QuizCitationOut.maybe(QuizService.citation(q, view.documents))
        return out


class ApproveAllOut(msgspec.Struct):
    course_id: str
    approved: int  # drafts approved by this call
    quizzes: list[QuizOut]  # every quiz of the course, now all approved

    @classmethod
    def of(cls, course_id: str, approved: int, quizzes: list[tuple[Quiz, int]]) -> ApproveAllOut:
        return cls(course_id, approved, [QuizOut.of(q, n) for q, n in quizzes])


class QuizDetailOut(msgspec.Struct):
    quiz: QuizOut
    questions: list[QuestionOut]

    @classmethod
    def of(cls, view: QuizView) -> QuizDetailOut:
        return cls(QuizOut.of(view.quiz, len(view.questions)), [QuestionOut.of(q, view) for q in view.questions])


class QuestionResultOut(msgspec.Struct):
    question_id: str
    prompt: str
    options: list[str]
    chosen_index: int | None
    correct_index: int
    correct: bool
    explanation: str
    citation: QuizCitationOut | None

    @classmethod
    def of(cls, r: QuestionResult) -> QuestionResultOut:
        return cls(
            r.question_id,
            r.prompt,
            r.options,
            r.chosen_index,
            r.answer_index,
            r.correct,
            r.explanation,
            QuizCitationOut.maybe(r.citation),
        )


class AttemptOut(msgspec.Struct):
    id: str | None  # None for a teacher's preview, which is not stored
    quiz_id: str
    score: float  # percent
    correct: int
    total: int
    created_at: datetime
    stored: bool
    results: list[QuestionResultOut]

    @classmethod
    def of(cls, r: AttemptResult) -> AttemptOut:
        a: QuizAttempt = r.attempt
        return cls(
            a.id if r.stored else None,
            a.quiz_id,
            a.score,
            a.correct,
            a.total,
            a.created_at,
            r.stored,
            [QuestionResultOut.of(x) for x in r.results],
        )


class QuestionStatsOut(msgspec.Struct):
    question_id: str
    position: int
    prompt: str
    answer_index: int
    answers: int
    correct_share: float | None
    option_counts: list[int]
    unanswered: int


class QuizStatsOut(msgspec.Struct):
    quiz_id: str
    attempts: int
    students: int
    mean_score: float | None
    questions: list[QuestionStatsOut]

    @classmethod
    def of(cls, s: QuizStats) -> QuizStatsOut:
        qs = [
            QuestionStatsOut(
                x.question.id,
                x.question.position,
                x.question.prompt,
                x.question.answer_index,
                x.answers,
                x.correct_share,
                x.option_counts,
                x.unanswered,
            )
            for x in s.questions
        ]
        return cls(s.quiz.id, s.attempts, s.students, s.mean_score, qs)


class QuestionTeacherOut(msgspec.Struct):
    id: str
    quiz_id: str
    position: int
    prompt: str
    options: list[str]
    answer_index: int
    explanation: str
    edited_by_teacher: bool
    kind: str | None = None

    @classmethod
    def of(cls, q: Question) -> QuestionTeacherOut:
        return cls(q.id, q.quiz_id, q.position, q.prompt, list(q.options), q.answer_index, q.explanation,
                   q.edited_by_teacher, q.kind or None)


class QuizScoreOut(msgspec.Struct):
    quiz_id: str
    title: str
    best_score: float | None
    attempts: int


class CourseProgressOut(msgspec.Struct):
    course_id: str
    course_title: str
    lessons_total: int
    lessons_completed: int
    percent: float
    completed_lessons: dict[str, datetime]
    quizzes: list[QuizScoreOut]

    @classmethod
    def of(cls, p: CourseProgress) -> CourseProgressOut:
        return cls(
            p.course.id,
            p.course.title,
            p.lessons_total,
            len(p.completed),
            p.percent,
            p.completed,
            [QuizScoreOut(q.quiz_id, q.title, q.best_score, q.attempts) for q in p.quizzes],
        )


class LessonDoneOut(msgspec.Struct):
    lesson_id: str
    course_id: str
    completed: bool
    completed_at: datetime | None
