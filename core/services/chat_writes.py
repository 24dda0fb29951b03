"""A finished turn's rows (the question, the answer, a new session), written in groups.

Fifty answers finishing together would otherwise be fifty transactions of three ORM
objects each, one after another (SQLite has a single writer). Here the turns that finish
while one transaction runs all go into the next: one SELECT of the sessions they continue,
three bulk statements and one commit per group (`AsyncBatcher`). A turn whose session was
deleted while its answer streamed fails alone with NotFound; a failed transaction fails
every turn of its group, and none of them is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ai.batching import AsyncBatcher
from core.db.base import new_id, utcnow
from core.errors import NotFound
from core.repositories.chat import ChatRepository

SESSION_NOT_FOUND = "chat session not found"


@dataclass(frozen=True)
class TurnRecord:
    user_id: str
    course_id: str
    session_id: str | None  # None: the turn opens a new session
    question: str
    answer: str
    citations: list[dict[str, Any]]
    language: str  # asked for: the question's
    answer_language: str  # written in: the answer's (offline: en)


class ChatWriter:
    """One per sessionmaker (a process's database): `write` returns (session id, answer id)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_batch: int = 64) -> None:
        self.sessions = sessions
        self._batcher: AsyncBatcher[None, TurnRecord, tuple[str, str]] = AsyncBatcher(self._write_many, max_batch)

    async def write(self, turn: TurnRecord) -> tuple[str, str]:
        return await self._batcher.submit(None, turn)

    async def _write_many(self, _: None, turns: Sequence[TurnRecord]) -> list[tuple[str, str] | BaseException]:
        async with self.sessions() as db, db.begin():
            repo = ChatRepository(db)
            owners = await repo.owners([t.session_id for t in turns if t.session_id is not None])
            now = utcnow()
            # Explicit, increasing timestamps: rows of one session never tie when ordered,
            # even when a student's two questions land in the same group.
            tick = timedelta(microseconds=1)
            new_sessions: list[dict[str, Any]] = []
            messages: list[dict[str, Any]] = []
            continued: list[str] = []
            out: list[tuple[str, str] | BaseException] = []
            for i, t in enumerate(turns):
                asked, answered = now + 2 * i * tick, now + (2 * i + 1) * tick
                if t.session_id is None:
                    session_id = new_id()
                    new_sessions.append({"id": session_id, "course_id": t.course_id, "user_id": t.user_id,
                                         "title": t.question[:120], "created_at": now, "updated_at": now})
                elif owners.get(t.session_id) == t.user_id:
                    session_id = t.session_id
                    continued.append(session_id)
                else:  # deleted while the answer streamed
                    out.append(NotFound(SESSION_NOT_FOUND))
                    continue
                reply_id = new_id()
                messages += [
                    _message(new_id(), session_id, t, "user", t.question, [], asked),
                    _message(reply_id, session_id, t, "assistant", t.answer, t.citations, answered),
                ]
                out.append((session_id, reply_id))
            await repo.insert_sessions(new_sessions)
            await repo.insert_messages(messages)
            await repo.touch(continued, now)
        return out


def _message(message_id: str, session_id: str, t: TurnRecord, role: str, content: str,
             citations: list[dict[str, Any]], when: Any) -> dict[str, Any]:
    language = t.language if role == "user" else t.answer_language
    return {"id": message_id, "session_id": session_id, "course_id": t.course_id, "role": role,
            "content": content, "citations": citations, "language": language,
            "created_at": when, "updated_at": when}
