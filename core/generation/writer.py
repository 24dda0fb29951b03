"""The course-writer interface and its offline implementation.

Generation code depends on `CourseWriter` only; the provider (offline or an LLM endpoint) is
chosen by configuration. The offline writer needs no model: it runs the structured lesson
writer (the section's own content, cited) and the text-built quiz in a thread, so an async
caller's event loop never blocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from core.generation.lesson_text import write_structured_lesson
from core.generation.quiz import make_questions
from core.ingestion.types import Chunk, LessonDraft, LessonText, QuestionDraft


@runtime_checkable
class CourseWriter(Protocol):
    """Writes lesson text and quiz questions grounded in the given chunks and pages."""

    async def write_lesson(self, draft: LessonDraft, pages: Mapping[str, list[str]]) -> LessonText:
        """Lesson markdown with [n] markers into `citations` (document, page, quote)."""
        ...

    async def write_questions(
        self,
        chunks: Sequence[Chunk],
        pages: Mapping[str, list[str]],
        n: int,
        related_terms: Sequence[str],
    ) -> list[QuestionDraft]:
        """Up to `n` multiple-choice questions; fewer when the material doesn't support more."""
        ...


class OfflineWriter:
    """No model, no network: extractive lessons, questions built from the text."""

    def __init__(self, *, seed: str = "profai") -> None:
        self.seed = seed  # same material + same seed -> same quiz

    async def write_lesson(self, draft: LessonDraft, pages: Mapping[str, list[str]]) -> LessonText:
        return await asyncio.to_thread(write_structured_lesson, draft, pages=pages)

    async def write_questions(
        self,
        chunks: Sequence[Chunk],
        pages: Mapping[str, list[str]],
        n: int,
        related_terms: Sequence[str],
    ) -> list[QuestionDraft]:
        # The seed also covers the chunk ids, so two quizzes of one course differ in layout.
        seed = f"{self.seed}:{chunks[0].id if chunks else ''}:{n}"
        return await asyncio.to_thread(make_questions, chunks, pages, n=n, seed=seed, term_pool=list(related_terms))
