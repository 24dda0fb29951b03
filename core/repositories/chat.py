"""Chat sessions and their messages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.chat import ChatMessage, ChatSession


class ChatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_owned(self, session_id: str, user_id: str) -> ChatSession | None:
        """The chat session if `user_id` owns it; None for a missing one or another user's."""
        return await self.session.scalar(
            select(ChatSession).where(ChatSession.id == session_id, ChatSession.user_id == user_id)
        )

    async def sessions_of(self, course_id: str, user_id: str) -> list[tuple[ChatSession, int]]:
        """The user's sessions in a course, newest activity first, with their message counts."""
        counts = (
            select(ChatMessage.session_id, func.count().label("n"))
            .where(ChatMessage.course_id == course_id)
            .group_by(ChatMessage.session_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(ChatSession, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.session_id == ChatSession.id)
            .where(ChatSession.course_id == course_id, ChatSession.user_id == user_id)
            .order_by(ChatSession.updated_at.desc(), ChatSession.id)
        )
        return [(s, int(n)) for s, n in rows.all()]

    async def messages_of(self, session_id: str, limit: int | None = None) -> list[ChatMessage]:
        """Messages in order; with `limit`, only the latest ones (still in order)."""
        query = select(ChatMessage).where(ChatMessage.session_id == session_id)
        if limit is None:
            return list(await self.session.scalars(query.order_by(ChatMessage.created_at, ChatMessage.id)))
        latest = await self.session.scalars(query.order_by(ChatMessage.created_at.desc()).limit(limit))
        return list(reversed(list(latest)))

    def add(self, entity: ChatSession | ChatMessage) -> None:
        self.session.add(entity)
