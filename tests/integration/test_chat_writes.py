"""Grouped chat writes (core/services/chat_writes.py) on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select

from core.db.base import new_id
from core.db.engine import create_engine, create_session_factory
from core.db.models.chat import ChatMessage, ChatSession
from core.db.models.courses import Course
from core.db.models.users import Role, User
from core.errors import NotFound
from core.services.chat_writes import ChatWriter, TurnRecord
from core.settings import Settings


def turn(user: str, course: str, n: int, session_id: str | None = None) -> TurnRecord:
    cited = [{"n": 1, "document_id": "d", "page": n, "quote": f"quote {n}"}]
    return TurnRecord(user, course, session_id, f"question {n}", f"answer {n}", cited, "en", "en")


async def scenario(settings: Settings) -> None:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
    try:
        async with sessions() as db, db.begin():
            alice, bob = (User(email=f"{n}@x.org", name=n, role=Role.STUDENT, password_hash="x") for n in "ab")
            db.add_all([alice, bob])
            await db.flush()
            course = Course(title="C", owner_id=alice.id, enrollment_code=new_id()[:12])
            db.add(course)
            await db.flush()
            ids = alice.id, bob.id, course.id
        a, b, c = ids
        writer = ChatWriter(sessions)
        first_sid, _ = await writer.write(turn(a, c, 0))
        commits.clear()

        # Twenty answers finishing together: one group, far fewer commits than turns.
        others = [turn(a if i % 2 else b, c, i) for i in range(1, 20)]
        follow_up = turn(a, c, 20, first_sid)
        foreign = turn(b, c, 21, first_sid)  # Bob cannot write into Alice's session
        results = await asyncio.gather(*(writer.write(t) for t in [*others, follow_up, foreign]),
                                       return_exceptions=True)
        assert isinstance(results[-1], NotFound)
        good = [r for r in results[:-1] if not isinstance(r, BaseException)]
        assert len(good) == 20 and results[-2][0] == first_sid  # type: ignore[index]
        assert len(commits) <= 3, commits

        async with sessions() as db:
            chats = list(await db.scalars(select(ChatSession)))
            messages = list(await db.scalars(
                select(ChatMessage).where(ChatMessage.session_id == first_sid)
                .order_by(ChatMessage.created_at, ChatMessage.id)))
            reply = await db.get(ChatMessage, results[0][1])  # type: ignore[index]
        assert len(chats) == 20  # the first, and one per new turn
        assert [(m.role, m.content) for m in messages] == [
            ("user", "question 0"), ("assistant", "answer 0"), ("user", "question 20"), ("assistant", "answer 20")]
        assert reply is not None and reply.citations[0]["quote"] == "quote 1" and reply.role == "assistant"
        assert next(s for s in chats if s.id == first_sid).updated_at >= messages[0].created_at

        # A transaction that fails stores no turn of its group.
        async with sessions() as db, db.begin():
            await db.delete(await db.get(Course, c))
        failed = await asyncio.gather(*(writer.write(turn(a, c, 30 + i)) for i in range(3)), return_exceptions=True)
        assert all(isinstance(f, Exception) and not isinstance(f, NotFound) for f in failed), failed
        async with sessions() as db:
            assert list(await db.scalars(select(ChatMessage).where(ChatMessage.content.like("question 3_")))) == []
    finally:
        await engine.dispose()


def test_grouped_chat_writes(migrated: Settings) -> None:
    asyncio.run(scenario(migrated))
