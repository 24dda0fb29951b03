"""Which lesson may be read aloud to whom: the access rule, then the text to speak."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.repositories.audio import LessonAudioRepository
from core.security.principal import Principal
from core.services.courses import CourseService


@dataclass(frozen=True)
class SpeakableLesson:
    id: str
    course_id: str
    title: str
    body: str
    summary: str
    written_in: str  # the course's language


async def lesson_to_speak(session: AsyncSession, principal: Principal, lesson_id: str) -> SpeakableLesson:
    """The lesson if the caller may see its course (NotFound otherwise, exactly like a missing
    lesson), as plain values: the caller ends its read transaction before speaking, since
    speech (and a model writing it) may take a while."""
    found = await LessonAudioRepository(session).lesson_with_course(lesson_id)
    if found is None:
        raise NotFound("lesson not found")
    lesson, course = found
    try:
        await CourseService(session).get_visible(principal, course.id)
    except NotFound:
        raise NotFound("lesson not found") from None  # someone else's lesson looks exactly like no lesson
    return SpeakableLesson(lesson.id, lesson.course_id, lesson.title, lesson.body, lesson.summary, course.language)
