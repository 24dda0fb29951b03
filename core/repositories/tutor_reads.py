"""What a tutor turn reads before answering, through the read pool (core/db/read_pool.py):
the course with the caller's enrollment in one statement, its ready documents, and a
follow-up's session and latest messages. Same queries as CourseRepository.get/.is_enrolled,
DocumentRepository.list_for_course and ChatRepository.get_owned/.messages_of."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select

from core.db.models.chat import ChatMessage, ChatSession
from core.db.models.courses import Course, Enrollment
from core.db.models.documents import Document, DocumentStatus
from core.db.read_pool import ReadPool

HISTORY_TURNS = 8  # messages a follow-up question sees

COURSE_WITH_ENROLLMENT = select(
    *Course.__table__.columns,
    exists()
    .where(Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id"))
    .label("enrolled"),
).where(Course.id == bindparam("course_id"))
READY_DOCUMENTS = (
    select(*Document.__table__.columns)
    .where(Document.course_id == bindparam("course_id"), Document.status == DocumentStatus.READY.value)
    .order_by(Document.created_at, Document.id)
)
OWNED_SESSION = select(ChatSession.course_id).where(
    ChatSession.id == bindparam("session_id"), ChatSession.user_id == bindparam("user_id")
)
LATEST_MESSAGES = (
    select(ChatMessage.role, ChatMessage.content)
    .where(ChatMessage.session_id == bindparam("session_id"))
    .order_by(ChatMessage.created_at.desc())
    .limit(HISTORY_TURNS)
)


class TutorReads:
    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool

    async def course(self, course_id: str, user_id: str) -> tuple[Course, bool] | None:
        """The course (a transient object, never flushed) and whether the user is enrolled."""
        row = await self.pool.first(COURSE_WITH_ENROLLMENT, {"course_id": course_id, "user_id": user_id})
        if row is None:
            return None
        enrolled = bool(row.pop("enrolled"))
        return Course(**row), enrolled

    async def ready_documents(self, course_id: str) -> list[Document]:
        return [Document(**row) for row in await self.pool.all(READY_DOCUMENTS, {"course_id": course_id})]

    async def session_course(self, session_id: str, user_id: str) -> str | None:
        """The course of the user's own chat session; None for a missing one or another user's."""
        row = await self.pool.first(OWNED_SESSION, {"session_id": session_id, "user_id": user_id})
        return row["course_id"] if row is not None else None

    async def history(self, session_id: str) -> list[tuple[str, str]]:
        """(role, content) of the session's latest messages, oldest first."""
        rows = await self.pool.all(LATEST_MESSAGES, {"session_id": session_id})
        return [(r["role"], r["content"]) for r in reversed(rows)]
