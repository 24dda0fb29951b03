"""Chat sessions and their messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
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

    async def message_owned(self, message_id: str, user_id: str) -> ChatMessage | None:
        """A message of one of `user_id`'s sessions; None for a missing one or another user's."""
        return await self.session.scalar(
            select(ChatMessage)
            .join(ChatSession, ChatSession.id == ChatMessage.session_id)
            .where(ChatMessage.id == message_id, ChatSession.user_id == user_id)
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

    # --- many turns in one statement each (core/services/chat_writes.py) ----------------
    async def owners(self, session_ids: Sequence[str]) -> dict[str, str]:
        """session id -> its user id, for the sessions that still exist."""
        if not session_ids:
            return {}
        rows = await self.session.execute(
            select(ChatSession.id, ChatSession.user_id).where(ChatSession.id.in_(set(session_ids)))
        )
        return {sid: uid for sid, uid in rows.all()}

    async def insert_sessions(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(ChatSession), list(rows))

    async def insert_messages(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(ChatMessage), list(rows))

    async def touch(self, session_ids: Sequence[str], when: datetime) -> None:
        if session_ids:
            await self.session.execute(
                update(ChatSession).where(ChatSession.id.in_(set(session_ids))).values(updated_at=when)
            )
