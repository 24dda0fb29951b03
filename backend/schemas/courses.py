from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from backend.schemas.common import Input
from backend.schemas.jobs import JobOut
from core.db.models.courses import Course, Enrollment
from core.db.models.documents import Document
from core.db.models.users import User
from core.services.courses import CourseSummary

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Language = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]


class CourseIn(Input):
    title: Title
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    language: Language = "en"


class CoursePatch(Input):
    title: Title | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    language: Language | None = None
    allow_general_knowledge: bool | None = None
    enrollment_open: bool | None = None  # false: the code admits nobody new


class EnrollIn(Input):
    # Spaces and dashes are ignored ("ABCDE-FGHJK").
    code: Annotated[str, msgspec.Meta(min_length=4, max_length=32)]


class StudentOut(msgspec.Struct):
    user_id: str
    email: str
    name: str
    enrolled_at: datetime

    @classmethod
    def of(cls, user: User, enrollment: Enrollment) -> StudentOut:
        return cls(user.id, user.email, user.name, enrollment.created_at)


class CourseOut(msgspec.Struct):
    id: str
    title: str
    description: str
    language: str
    status: str
    owner_id: str
    created_at: datetime
    updated_at: datetime
    allow_general_knowledge: bool
    enrollment_code: str | None = None  # teachers only
    enrollment_open: bool | None = None  # teachers only
    counts: dict[str, int] | None = None
    state: str | None = None  # draft | processing | ready | failed | published
    last_job: JobOut | None = None

    @classmethod
    def of(cls, course: Course, *, manager: bool, summary: CourseSummary | None = None) -> CourseOut:
        out = cls(
            course.id,
            course.title,
            course.description,
            course.language,
            course.status.value,
            course.owner_id,
            course.created_at,
            course.updated_at,
            course.allow_general_knowledge,
            enrollment_code=course.enrollment_code if manager else None,
            enrollment_open=course.enrollment_open if manager else None,
        )
        if summary is not None:
            out.counts = summary.counts
            out.last_job = JobOut.of(summary.last_job) if summary.last_job and manager else None
            out.state = course_state(summary)
        return out


def course_state(summary: CourseSummary) -> str:
    if summary.course.status.value == "published":
        return "published"
    job = summary.last_job
    if job is not None and job.status.value in ("queued", "running"):
        return "processing"
    if job is not None and job.status.value == "failed":
        return "failed"
    return "ready" if summary.counts.get("lessons") else "draft"


class DocumentOut(msgspec.Struct):
    id: str
    course_id: str
    filename: str
    file_type: str
    size_bytes: int
    sha256: str
    page_count: int | None
    chunk_count: int | None
    status: str
    error: str | None
    created_at: datetime

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        return cls(
            d.id,
            d.course_id,
            d.original_name,
            d.file_type,
            d.size_bytes,
            d.sha256,
            d.page_count,
            d.chunk_count,
            d.status.value,
            d.error,
            d.created_at,
        )


class UploadOut(msgspec.Struct):
    job: JobOut
    documents: list[DocumentOut]


class PublishOut(CourseOut, kw_only=True):
    """The course, and the quizzes students still can't take: drafts need approval (one by one,
    or all at once with POST /courses/{id}/quizzes/approve)."""

    draft_quizzes: int
    warning: str | None = None

    @classmethod
    def published(cls, course: Course, drafts: int) -> PublishOut:
        base = CourseOut.of(course, manager=True)
        warning = None
        if drafts:
            warning = (
                f"{drafts} quiz{'zes are' if drafts > 1 else ' is'} still a draft: students will not see "
                f"{'them' if drafts > 1 else 'it'} until approved."
            )
        return cls(**msgspec.structs.asdict(base), draft_quizzes=drafts, warning=warning)
