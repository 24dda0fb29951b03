from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum


class QuizStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class Quiz(IdMixin, TimestampMixin, Base):
    __tablename__ = "quizzes"

    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # None for the course's final quiz.
    module_id: Mapped[str | None] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), index=True, nullable=True
    )
    title: Mapped[str] = mapped_column(String(300))
    # Hash of the lessons it was built from: regeneration keeps a quiz whose material is unchanged.
    source_key: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[QuizStatus] = mapped_column(str_enum(QuizStatus), default=QuizStatus.DRAFT)


class Question(IdMixin, TimestampMixin, Base):
    __tablename__ = "questions"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    answer_index: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quote: Mapped[str] = mapped_column(Text, default="")
    # What the question asks (QuestionDraft.kind); "" for questions written before kinds were kept.
    kind: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # The teacher changed it: regenerating the whole course keeps its quiz (jobs/handlers.py).
    edited_by_teacher: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class QuizAttempt(IdMixin, Base):
    __tablename__ = "quiz_attempts"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    correct: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttemptAnswer(IdMixin, Base):
    """One row per answered question, so item statistics are plain SQL aggregates."""

    __tablename__ = "attempt_answers"

    attempt_id: Mapped[str] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    chosen_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_correct: Mapped[bool] = mapped_column(Boolean)
    # Snapshot, so an attempt still reads right after the teacher edits the question.
    prompt: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer_index: Mapped[int] = mapped_column(Integer, default=0)
