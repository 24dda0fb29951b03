"""What each kind of job does. Handlers are plain async functions of a JobContext."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from core.db.models.content import Lesson
from core.db.models.documents import Document, DocumentStatus
from core.db.models.jobs import JobKind
from core.db.models.quizzes import Quiz
from core.pipeline.deps import PipelineDeps, pipeline_deps
from core.pipeline.generation import generate_course
from core.pipeline.indexing import index_documents
from core.pipeline.job_context import JobContext, PermanentJobError
from core.pipeline.multilingual_vectors import prepare_multilingual
from core.pipeline.sentence_vectors import prepare_tutor
from core.repositories.content import ContentRepository
from core.repositories.documents import DocumentRepository
from core.repositories.quizzes import QuizRepository

Handler = Callable[[JobContext], Awaitable[dict[str, Any]]]


async def ingest(ctx: JobContext) -> dict[str, Any]:
    if not ctx.course_id:
        raise PermanentJobError("an ingest job needs a course")
    deps = await asyncio.to_thread(pipeline_deps, ctx.settings, ctx.embedders)
    for removed in ctx.payload.get("removed", []):
        await _remove_document(deps, ctx.course_id, removed["id"], removed["storage_name"])
    document_ids: list[str] = list(ctx.payload.get("document_ids", []))
    if document_ids:
        ready = await index_documents(ctx, deps, document_ids)
        if not ready:
            raise PermanentJobError(await _failure_summary(ctx, document_ids))
    result = await generate_course(ctx, deps, ctx.course_id)
    if document_ids:
        await prepare_tutor(ctx, deps, ctx.course_id, ready)
        # Last: the slowest step, and only questions in other languages wait for it.
        await prepare_multilingual(ctx, deps, ctx.course_id, ready)
    failed = await _failure_summary(ctx, document_ids, only_failed=True)
    if failed:
        result["message"] += f" ({failed})"
    active: list[str] = list(ctx.payload.get("warnings", []))  # found at upload: scripts, polyglots
    if active:
        result["warnings"] = active + list(result.get("warnings", []))
        result["message"] += f". Warning: {' '.join(active)}"
    return result


async def generate(ctx: JobContext) -> dict[str, Any]:
    """Regenerate chosen lessons or quizzes (or, with "all", the whole course)."""
    if not ctx.course_id:
        raise PermanentJobError("a generate job needs a course")
    deps = await asyncio.to_thread(pipeline_deps, ctx.settings, ctx.embedders)
    async with ctx.sessions() as session:
        content = ContentRepository(session)
        lessons = await content.lessons_of(ctx.course_id)
        quizzes = await content.quizzes_of(ctx.course_id)
        edited_quizzes = await QuizRepository(session).edited_quiz_ids(ctx.course_id)
    rewrite, kept = rewrite_keys(lessons, quizzes, edited_quizzes, ctx.payload)
    result = await generate_course(ctx, deps, ctx.course_id, rewrite=rewrite)
    if kept:
        result["message"] += f" (kept {kept} the teacher edited; name them to write them again)"
    return result


def rewrite_keys(
    lessons: Sequence[Lesson], quizzes: Sequence[Quiz], edited_quizzes: set[str], payload: dict[str, Any]
) -> tuple[set[str], str]:
    """Source keys to write again, and what "all" kept ("1 lesson and 2 quizzes", or "").

    Regenerating the whole course never overwrites what the teacher edited (a lesson, or a
    quiz with an edited question): those words are the teacher's. Naming a lesson or quiz
    (`lesson_ids`, `quiz_ids`) is asking for it, edited or not.
    """
    wanted = set(payload.get("lesson_ids", [])) | set(payload.get("quiz_ids", []))
    everything = bool(payload.get("all"))
    edited = {x.id for x in lessons if x.edited_by_teacher} | (edited_quizzes & {x.id for x in quizzes})

    def asked(row_id: str) -> bool:
        return row_id in wanted or (everything and row_id not in edited)

    rewrite = {x.source_key for x in lessons if asked(x.id)} | {x.source_key for x in quizzes if asked(x.id)}
    kept = (edited - wanted) if everything else set()
    counts = ((sum(x.id in kept for x in lessons), "lesson", "lessons"),
              (sum(x.id in kept for x in quizzes), "quiz", "quizzes"))
    return rewrite, " and ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


async def cleanup(ctx: JobContext) -> dict[str, Any]:
    course_id = str(ctx.payload["course_id"])
    deps = await asyncio.to_thread(pipeline_deps, ctx.settings, ctx.embedders)
    await ctx.report("cleanup", 10, "removing the course's vectors")
    await asyncio.to_thread(deps.vectors.delete_course, course_id)
    await ctx.report("cleanup", 60, "removing the course's files")
    folder = deps.files.path_of(course_id)
    await asyncio.to_thread(shutil.rmtree, folder, True)
    return {"course_id": course_id, "message": "course removed"}


async def _remove_document(deps: PipelineDeps, course_id: str, document_id: str, storage_name: str) -> None:
    await asyncio.to_thread(deps.vectors.delete_document, course_id, document_id)
    await asyncio.to_thread(deps.files.delete, storage_name)  # with its parsed form and page images


async def _failure_summary(ctx: JobContext, document_ids: list[str], only_failed: bool = False) -> str:
    async with ctx.sessions() as session:
        docs: list[Document] = await DocumentRepository(session).get_many(document_ids)
    failed = [d for d in docs if d.status is DocumentStatus.FAILED]
    if only_failed and not failed:
        return ""
    if not failed:
        return "no document could be processed (all were removed)"
    listed = "; ".join(f"{d.original_name}: {d.error}" for d in failed)
    return f"{len(failed)} of {len(docs)} document(s) failed: {listed}"


HANDLERS: dict[JobKind, Handler] = {
    JobKind.INGEST: ingest,
    JobKind.GENERATE: generate,
    JobKind.CLEANUP: cleanup,
}
