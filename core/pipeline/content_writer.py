"""Saving a course plan: reuse rows whose source is unchanged, add new ones, drop the rest.

Where modules and lessons go is core/pipeline/arrangement.py: a teacher's arrangement is kept.

Jobs of one course may finish at once: the course row is locked first (PostgreSQL; SQLite
writers take turns anyway), and a plan made from other documents than the course's ready ones
at that moment is refused (`False`): saving it would drop the modules of a document another
job has just finished. The caller plans again with what is there now."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.content import Lesson, Module
from core.db.models.documents import DocumentStatus
from core.db.models.quizzes import Question, Quiz, QuizStatus
from core.pipeline.arrangement import arrange
from core.repositories.content import ContentRepository
from core.repositories.courses import CourseRepository
from core.repositories.documents import DocumentRepository

if TYPE_CHECKING:
    from core.pipeline.generation import CoursePlan, PlannedQuiz


async def store_course_content(
    session: AsyncSession, course_id: str, plan: CoursePlan, documents: set[str] | None = None
) -> bool:
    """Save `plan`; False (nothing written) when `documents`, the ready documents it was made
    from, are no longer the course's ready documents."""
    if await CourseRepository(session).get_for_update(course_id) is None:
        return True  # the course is gone: nothing to save, nothing to plan again
    if documents is not None:
        ready = await DocumentRepository(session).list_for_course(course_id, DocumentStatus.READY)
        if {doc.id for doc in ready} != documents:
            return False
    content = ContentRepository(session)
    existing = await content.modules_of(course_id)
    modules = {m.source_key: m for m in existing}
    free_place = await content.park(existing)
    lessons = {lesson.source_key: lesson for lesson in await content.lessons_of(course_id)}
    quizzes = {q.source_key: q for q in await content.quizzes_of(course_id)}
    kept: set[str] = set()
    generated: list[tuple[Module, list[Lesson]]] = []  # the material's order; arrange() places them

    for planned in plan.modules:
        module = modules.get(planned.key)
        if module is None:
            module = Module(
                course_id=course_id,
                position=free_place,  # parked like the others until arrange() places it
                title=planned.title,
                source_key=planned.key,
                placed_by_teacher=False,
            )
            free_place -= 1
            content.add(module)
            await session.flush()
        kept.add(module.id)  # an existing module's title is never rewritten: a teacher's rename is kept
        module_lessons: list[Lesson] = []
        for item in planned.lessons:
            lesson = lessons.get(item.key)
            if lesson is None and item.text is not None:
                lesson = Lesson(
                    course_id=course_id,
                    module_id=module.id,
                    position=len(module_lessons),
                    title=item.title,
                    body=item.text.body,
                    summary=item.text.summary,
                    citations=[asdict(c) for c in item.text.citations],
                    chunk_ids=[c.id for c in item.chunks],
                    document_ids=sorted({c.document_id for c in item.chunks}),
                    source_key=item.key,
                    placed_by_teacher=False,
                )
                content.add(lesson)
                await session.flush()
            elif lesson is not None and item.text is not None:  # asked to write it again
                lesson.body, lesson.summary = item.text.body, item.text.summary
                lesson.citations = [asdict(c) for c in item.text.citations]
                lesson.edited_by_teacher = False
            if lesson is not None:
                module_lessons.append(lesson)
                kept.add(lesson.id)
        generated.append((module, module_lessons))
        if planned.quiz is not None:
            await _store_quiz(session, content, course_id, module.id, planned.quiz, quizzes, kept)
    if plan.final_quiz is not None:
        await _store_quiz(session, content, course_id, None, plan.final_quiz, quizzes, kept)
    arrange(generated)
    await session.flush()  # lessons leave a module that is about to go before it goes (FK cascade)

    for quiz in quizzes.values():
        if quiz.id not in kept:
            await content.delete(quiz)
    for lesson in lessons.values():
        if lesson.id not in kept:
            await content.delete(lesson)
    for module in modules.values():
        if module.id not in kept:
            await content.delete(module)
    await session.flush()
    return True


async def _store_quiz(
    session: AsyncSession,
    content: ContentRepository,
    course_id: str,
    module_id: str | None,
    planned: PlannedQuiz,
    existing: dict[str, Quiz],
    kept: set[str],
) -> None:
    quiz = existing.get(planned.key)
    if quiz is not None:
        quiz.module_id = module_id
        kept.add(quiz.id)
        if planned.questions is None:
            return
        quiz.status = QuizStatus.DRAFT  # new questions need the teacher's approval again
    elif not planned.questions:
        return
    else:
        quiz = Quiz(course_id=course_id, module_id=module_id, title=planned.title, source_key=planned.key)
        content.add(quiz)
        await session.flush()
        kept.add(quiz.id)
    await content.replace_questions(
        quiz.id,
        [
            Question(
                quiz_id=quiz.id,
                position=i,
                prompt=q.prompt,
                options=list(q.options),
                answer_index=q.answer_index,
                explanation=q.explanation,
                document_id=q.citation.document_id,
                page=q.citation.page,
                quote=q.citation.quote,
                kind=q.kind,
            )
            for i, q in enumerate(planned.questions)
        ],
    )
