"""The read pools (PostgreSQL and SQLite) return what the ORM loads, and see every commit."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from core.db.base import new_id
from core.db.engine import create_engine, create_session_factory
from core.db.models.chat import ChatMessage, ChatSession
from core.db.models.courses import Course, CourseStatus, Enrollment
from core.db.models.documents import Document, DocumentStatus
from core.db.models.users import Role, User
from core.repositories.tutor_reads import TutorReads
from core.settings import Settings
from profai.container import read_pool


def columns(entity: object) -> dict[str, object]:
    return {a.key: getattr(entity, a.key) for a in sa_inspect(type(entity)).column_attrs}


async def scenario(settings: Settings) -> None:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    pool = read_pool(settings, engine, 4)
    await pool.open()
    reads = TutorReads(pool)
    try:
        async with sessions() as db, db.begin():
            teacher, student = (User(email=f"{n}@x.org", name=n, role=Role.STUDENT, password_hash="x") for n in "ts")
            db.add_all([teacher, student])
            await db.flush()
            course = Course(title="Ünïcode course", owner_id=teacher.id, enrollment_code=new_id()[:12],
                            status=CourseStatus.PUBLISHED, allow_general_knowledge=True)
            db.add(course)
            await db.flush()
            docs = [Document(course_id=course.id, original_name=f"d{i}.pdf", storage_name=new_id(), sha256="0" * 64,
                             size_bytes=10 + i, file_type="pdf", page_count=i or None,
                             status=DocumentStatus.READY if i != 1 else DocumentStatus.FAILED) for i in range(3)]
            db.add_all(docs)
            chat = ChatSession(course_id=course.id, user_id=student.id, title="t")
            db.add(chat)
            await db.flush()
            ids = teacher.id, student.id, course.id, chat.id

        t, s, c, sid = ids
        assert await reads.course(c, s) is not None
        found = await reads.course(c, s)
        assert found is not None and found[1] is False  # not enrolled yet
        async with sessions() as db:
            orm = await db.get(Course, c)
            orm_docs = list(await db.scalars(select(Document).where(Document.course_id == c,
                                                                    Document.status == DocumentStatus.READY)
                                             .order_by(Document.created_at, Document.id)))
        assert orm is not None and columns(found[0]) == columns(orm)  # aware datetimes, enums, bools
        assert found[0].status is CourseStatus.PUBLISHED and found[0].created_at.tzinfo is not None
        ready = await reads.ready_documents(c)
        assert [columns(d) for d in ready] == [columns(d) for d in orm_docs] and len(ready) == 2

        # A commit made elsewhere is seen by the very next read.
        async with sessions() as db, db.begin():
            db.add(Enrollment(course_id=c, user_id=s))
            db.add_all([ChatMessage(session_id=sid, course_id=c, role=r, content=f"{r} {i}", citations=[],
                                    language="en") for i in range(6) for r in ("user", "assistant")])
        found = await reads.course(c, s)
        assert found is not None and found[1] is True
        assert await reads.session_course(sid, s) == c
        assert await reads.session_course(sid, t) is None  # another user's session
        assert await reads.course("no-such-course", s) is None
        history = await reads.history(sid)
        assert len(history) == 8 and history[-1][0] == "assistant"
    finally:
        await pool.close()
        await engine.dispose()


def test_read_pool_matches_the_orm(migrated: Settings) -> None:
    asyncio.run(scenario(migrated))
