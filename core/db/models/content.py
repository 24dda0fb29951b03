from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin, UTCDateTime


class Module(IdMixin, TimestampMixin, Base):
    __tablename__ = "modules"
    # One module per place and per source key in a course, whatever runs at once (migration 0006).
    # Writers move modules through negative places first (core/repositories/content.py: park).
    __table_args__ = (
        Index("uq_modules_course_position", "course_id", "position", unique=True),
        Index("uq_modules_course_source_key", "course_id", "source_key", unique=True),
    )

    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    # The outline key lets regeneration match a module to its previous version.
    source_key: Mapped[str] = mapped_column(String(64), default="")
    # The teacher set the module order: regeneration keeps it (see content_writer).
    placed_by_teacher: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Lesson(IdMixin, TimestampMixin, Base):
    __tablename__ = "lessons"

    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    chunk_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    document_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_key: Mapped[str] = mapped_column(String(64), default="")
    edited_by_teacher: Mapped[bool] = mapped_column(Boolean, default=False)
    # The teacher arranged this lesson's module: regeneration keeps its module and order.
    placed_by_teacher: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LessonProgress(IdMixin, Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("lesson_id", "user_id"),)

    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
