from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, IdMixin, TimestampMixin, str_enum


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Course(IdMixin, TimestampMixin, Base):
    __tablename__ = "courses"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[CourseStatus] = mapped_column(str_enum(CourseStatus), default=CourseStatus.DRAFT)
    enrollment_code: Mapped[str] = mapped_column(String(16), unique=True)
    # The teacher may close enrollment: the code then admits nobody new.
    enrollment_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    allow_general_knowledge: Mapped[bool] = mapped_column(Boolean, default=False)


class Enrollment(IdMixin, TimestampMixin, Base):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
