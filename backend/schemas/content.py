from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.schemas.common import Input
from core.db.models.content import Lesson, Module
from core.services.citations import DocumentRef
from core.services.content import Outline


class CitationOut(msgspec.Struct):
    number: int
    document_id: str
    document_name: str
    page: int
    quote: str
    url: str  # opens the cited document (PDF viewers honour #page=N)
    # Detected from the file's content: pdf, docx, pptx, md, txt or html; null for a removed document.
    # Only a pdf has pages that GET .../documents/{id}/pages/{n} renders.
    file_type: str | None = None


class LessonSummaryOut(msgspec.Struct):
    id: str
    title: str
    position: int
    summary: str


class ModuleOut(msgspec.Struct):
    id: str
    title: str
    position: int
    lessons: list[LessonSummaryOut]


class OutlineOut(msgspec.Struct):
    course_id: str
    course_title: str
    modules: list[ModuleOut]

    @classmethod
    def of(cls, outline: Outline) -> OutlineOut:
        return cls(outline.course.id, outline.course.title, [module_out(m, ls) for m, ls in outline.modules])


def module_out(module: Module, lessons: list[Lesson]) -> ModuleOut:
    return ModuleOut(
        module.id,
        module.title,
        module.position,
        [LessonSummaryOut(x.id, x.title, x.position, x.summary) for x in lessons],
    )


class LessonOut(msgspec.Struct):
    id: str
    course_id: str
    module_id: str
    title: str
    position: int
    body: str
    summary: str
    citations: list[CitationOut]
    edited_by_teacher: bool
    updated_at: datetime

    @classmethod
    def of(cls, lesson: Lesson, documents: dict[str, DocumentRef]) -> LessonOut:
        return cls(
            lesson.id,
            lesson.course_id,
            lesson.module_id,
            lesson.title,
            lesson.position,
            lesson.body,
            lesson.summary,
            citations_out(lesson.course_id, lesson.citations, documents),
            lesson.edited_by_teacher,
            lesson.updated_at,
        )


def citations_out(
    course_id: str, citations: list[dict[str, Any]], documents: dict[str, DocumentRef]
) -> list[CitationOut]:
    out = []
    for i, c in enumerate(citations, start=1):
        ref = documents.get(c["document_id"])
        out.append(
            CitationOut(
                i,
                c["document_id"],
                ref.name if ref else "removed document",
                int(c["page"]),
                c["quote"],
                f"/api/v1/courses/{course_id}/documents/{c['document_id']}/file#page={c['page']}",
                ref.file_type if ref else None,
            )
        )
    return out


class LessonPatch(Input):
    title: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    body: Annotated[str, msgspec.Meta(max_length=200_000)] | None = None


class ModulePatch(Input):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class ReorderIn(Input):
    modules: list[str] = msgspec.field(default_factory=list)
    lessons: dict[str, list[str]] = msgspec.field(default_factory=dict)


class RegenerateIn(Input):
    lesson_ids: list[str] = msgspec.field(default_factory=list)
    quiz_ids: list[str] = msgspec.field(default_factory=list)
