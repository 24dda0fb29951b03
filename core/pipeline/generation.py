"""Stage two: build the course (outline, lessons, quizzes) from all of its ready documents.

Incremental by construction: each lesson is keyed by the chunks it is made of and each
quiz by its lessons' keys, so after adding or removing a document only what changed is
written again, and a re-run writes nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from core.db.models.documents import DocumentStatus
from core.generation.duplicates import DuplicateChapter
from core.generation.injection import without_planted_instructions
from core.generation.outline import Outline, plan_outline
from core.generation.quiz import extract_terms
from core.ingestion.types import Chunk, LessonDraft, LessonText, ModuleDraft, ParsedDocument, QuestionDraft
from core.pipeline.content_writer import store_course_content
from core.pipeline.deps import PipelineDeps
from core.pipeline.job_context import JobContext, PermanentJobError
from core.pipeline.parsed_cache import load_parsed
from core.pipeline.steps import chunks_of, parse_and_keep, span_percent
from core.repositories.content import ContentRepository
from core.repositories.courses import CourseRepository
from core.repositories.documents import DocumentRepository

LESSON_SPAN = (60, 85)
MAX_PLANS = 50  # each new plan follows another job's save: bounded by the jobs running at once
log = logging.getLogger(__name__)
QUIZ_SPAN = (85, 99)


def key_of(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@dataclass
class PlannedLesson:
    key: str
    title: str
    chunks: list[Chunk]
    text: LessonText | None = None  # None: unchanged, keep the stored lesson


@dataclass
class PlannedQuiz:
    key: str
    title: str
    questions: list[QuestionDraft] | None = None  # None: unchanged


@dataclass
class PlannedModule:
    key: str
    title: str
    lessons: list[PlannedLesson]
    quiz: PlannedQuiz | None = None


@dataclass
class CoursePlan:
    modules: list[PlannedModule] = field(default_factory=list)
    final_quiz: PlannedQuiz | None = None


async def generate_course(
    ctx: JobContext, deps: PipelineDeps, course_id: str, *, rewrite: set[str] | None = None
) -> dict[str, Any]:
    """`rewrite`: source keys of lessons or quizzes to write again even though unchanged."""
    settings = ctx.settings
    for attempt in range(MAX_PLANS):
        await ctx.report("outline", LESSON_SPAN[0] - 3, "building the outline from all documents")
        async with ctx.sessions() as session:
            course = await CourseRepository(session).get(course_id)
            if course is None:
                raise PermanentJobError("the course no longer exists")
            title = course.title
            documents = await DocumentRepository(session).list_for_course(course_id, DocumentStatus.READY)
            names = {doc.id: doc.original_name for doc in documents}
            content = ContentRepository(session)
            known_lessons = {lesson.source_key for lesson in await content.lessons_of(course_id)}
            known_quizzes = {quiz.source_key for quiz in await content.quizzes_of(course_id)}
            if rewrite:
                known_lessons -= rewrite
                known_quizzes -= rewrite

        units: list[tuple[str, ParsedDocument, list[Chunk]]] = []
        for doc in documents:
            path = deps.files.path_of(doc.storage_name)
            parsed = await asyncio.to_thread(load_parsed, path)
            if parsed is None:  # e.g. indexed by an older version: parse again
                parsed = await parse_and_keep(settings, path, doc.original_name)
            # Material is data: sentences addressed to an AI never reach a lesson, a quiz or a model.
            chunks = [
                replace(c, text=without_planted_instructions(c.text))
                for c in chunks_of(settings, parsed, doc.id, course_id)
            ]
            units.append((doc.id, parsed, chunks))
        planned: Outline = await asyncio.to_thread(plan_outline, units) if units else Outline([], [])
        outline: list[ModuleDraft] = planned.modules
        warnings = duplicate_warnings(planned.duplicates, names)
        pages = {doc_id: parsed.pages for doc_id, parsed, _ in units}
        terms = extract_terms([c for _, _, chunks in units for c in chunks])

        plan = _plan(outline)
        await _write_lessons(ctx, deps, plan, pages, known_lessons)
        await _write_quizzes(ctx, deps, plan, pages, terms, known_quizzes)
        await ctx.report("saving", QUIZ_SPAN[1], "saving the course")
        async with ctx.sessions() as session:
            # Another job may have finished documents meanwhile: then this plan would drop them.
            if await store_course_content(session, course_id, plan, {doc.id for doc in documents}):
                await session.commit()
                break
        # Planned again from what is there now: lessons the other job wrote are reused.
        log.info("course %s: documents changed while planning (attempt %d); planning again", course_id, attempt + 1)
    else:
        raise RuntimeError(f"the course's documents kept changing over {MAX_PLANS} plans; the job will retry")
    message = f"course ready: {len(plan.modules)} modules, {sum(len(m.lessons) for m in plan.modules)} lessons"
    return {
        "course_id": course_id,
        "course_title": title,
        "modules": [{"title": m.title, "lessons": [lesson.title for lesson in m.lessons]} for m in plan.modules],
        "warnings": warnings,
        "message": f"{message}. Warning: {' '.join(warnings)}" if warnings else message,
    }


def duplicate_warnings(duplicates: list[DuplicateChapter], names: dict[str, str]) -> list[str]:
    """One sentence per pair of documents that hold the same chapters, for the teacher."""
    pairs: dict[tuple[str, str], list[DuplicateChapter]] = {}
    for dup in duplicates:
        pairs.setdefault((dup.kept_document_id, dup.dropped_document_id), []).append(dup)
    out = []
    for (kept, dropped), dups in pairs.items():
        kept_name, dropped_name = names.get(kept, kept), names.get(dropped, dropped)
        titles = list(dict.fromkeys(d.title for d in dups))
        theirs = [t for t in dict.fromkeys(d.dropped_title for d in dups) if t not in titles]
        there = f" (as {_listed(theirs)})" if theirs else ""
        verb, pronoun = ("is", "it") if len(titles) == 1 else ("are", "them")
        out.append(
            f"{_listed(titles)} {verb} in both {kept_name} and {dropped_name}{there}: the course teaches "
            f"{pronoun} once, from {kept_name}. Remove {dropped_name} if it is a copy."
        )
    return out


def _listed(titles: list[str]) -> str:
    quoted = [f"“{t}”" for t in titles]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def module_key(first_document: str, title: str, used: dict[str, int]) -> str:
    """(first document, title); a title repeated in one document (two "Exercises" chapters) gets
    a distinct key from its second use on, so that each keeps its own module."""
    key = key_of("module", first_document, title)
    seen = used.get(key, 0)
    used[key] = seen + 1
    return key if not seen else hashlib.sha256(f"{key}\x1f{seen + 1}".encode()).hexdigest()[:32]


def _plan(outline: list[ModuleDraft]) -> CoursePlan:
    plan = CoursePlan()
    used: dict[str, int] = {}
    for draft in outline:
        lessons = [
            PlannedLesson(key_of("lesson", *(c.id for c in lesson.chunks)), lesson.title, lesson.chunks)
            for lesson in draft.lessons
            if lesson.chunks
        ]
        if not lessons:
            continue
        first_doc = lessons[0].chunks[0].document_id
        module = PlannedModule(module_key(first_doc, draft.title, used), draft.title, lessons)
        module.quiz = PlannedQuiz(key_of("quiz", *(lesson.key for lesson in lessons)), f"Quiz: {draft.title}")
        plan.modules.append(module)
    if plan.modules:
        all_keys = [lesson.key for m in plan.modules for lesson in m.lessons]
        plan.final_quiz = PlannedQuiz(key_of("final", *all_keys), "Final quiz")
    return plan


async def _write_lessons(
    ctx: JobContext, deps: PipelineDeps, plan: CoursePlan, pages: dict[str, list[str]], known: set[str]
) -> None:
    todo = [lesson for m in plan.modules for lesson in m.lessons if lesson.key not in known]
    limit = asyncio.Semaphore(max(1, ctx.settings.llm_concurrency))
    done = 0

    async def write(lesson: PlannedLesson) -> None:
        nonlocal done
        async with limit:
            lesson.text = await deps.writer.write_lesson(LessonDraft(lesson.title, lesson.chunks), pages)
            done += 1
            await ctx.report(
                "lessons", span_percent(LESSON_SPAN, done, len(todo)), f"writing lesson {done}/{len(todo)}"
            )

    await asyncio.gather(*(write(lesson) for lesson in todo))


async def _write_quizzes(
    ctx: JobContext,
    deps: PipelineDeps,
    plan: CoursePlan,
    pages: dict[str, list[str]],
    terms: list[str],
    known: set[str],
) -> None:
    settings = ctx.settings
    jobs: list[tuple[PlannedQuiz, list[Chunk], int]] = []
    for module in plan.modules:
        if module.quiz and module.quiz.key not in known:
            chunks = [c for lesson in module.lessons for c in lesson.chunks]
            jobs.append((module.quiz, chunks, settings.module_quiz_questions))
    if plan.final_quiz and plan.final_quiz.key not in known:
        chunks = [c for m in plan.modules for lesson in m.lessons for c in lesson.chunks]
        jobs.append((plan.final_quiz, chunks, settings.final_quiz_questions))
    for i, (quiz, chunks, n) in enumerate(jobs, start=1):
        await ctx.report("quizzes", span_percent(QUIZ_SPAN, i - 1, len(jobs)), f"quiz {i}/{len(jobs)}")
        quiz.questions = await deps.writer.write_questions(chunks, pages, n, terms)
