"""Services on in-memory fakes (tests/fakes.py) and a SQLite file: no server, no model.

The same services run on Milvus, Huey and the ONNX model in tests/api and tests/integration;
here their own logic is checked in milliseconds: the tutor's retrieval stays inside a course
and declines what the course does not cover; deleting a course queues its clean-up only
once the transaction commits, and its commit's change tags reach the process's feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ai.embeddings import SharedEmbedder
from core.db.changes import ChangeFeed
from core.db.engine import create_engine, create_session_factory
from core.db.migrate import upgrade
from core.db.models.jobs import Job, JobKind
from core.db.models.users import Role, User
from core.errors import NotFound
from core.ingestion.types import Chunk
from core.security.principal import Principal
from core.services.course_removal import delete_course
from core.services.courses import CourseService
from core.services.jobs import discard_pending, dispatch_pending
from core.services.retrieval import Retriever
from core.settings import Settings
from tests.fakes import HashingEmbedder, InMemoryQueue, InMemoryVectorStore

A, B = "a" * 32, "b" * 32


def chunk(course: str, n: int, text: str) -> Chunk:
    return Chunk(f"{course[:1]}{n:031d}", f"d{course[:1]}" + "0" * 30, course, n, "Section", n + 1, n + 1, text)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, embedding_provider="local", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def retriever(settings: Settings) -> tuple[Retriever, InMemoryVectorStore, HashingEmbedder]:
    embedder, store = HashingEmbedder(), InMemoryVectorStore()
    texts = {
        A: ["Files are opened with the open function and closed when done.", "A list keeps items in order."],
        B: ["Files in the other course: open them with care.", "Recipes for bread and cakes."],
    }
    chunks = [chunk(course, n, text) for course, lines in texts.items() for n, text in enumerate(lines)]
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))
    shared = SharedEmbedder(settings, lambda _s: embedder)
    return Retriever(settings, shared, open_store=lambda _dim: store), store, embedder


async def test_retrieval_stays_in_its_course_and_ranks_the_closest_chunk(
    retriever: tuple[Retriever, InMemoryVectorStore, HashingEmbedder],
) -> None:
    tutor, store, _ = retriever
    found = await tutor.search(A, "How are files opened with the open function?", k=3)
    assert found.hits and found.hits[0].text.startswith("Files are opened")
    assert all(hit.chunk_id.startswith("a") for hit in found.hits)  # never course B's chunk
    assert store.ensured == 1  # the store was opened once, on first use
    tutor.close()
    assert store.closed


async def test_retrieval_declines_what_the_course_does_not_cover(
    retriever: tuple[Retriever, InMemoryVectorStore, HashingEmbedder],
) -> None:
    tutor, _, _ = retriever
    found = await tutor.search(A, "Who won the football match yesterday?", k=3)
    assert found.hits == [] and found.best_similarity < tutor.floor


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ChangeFeed]]:
    await asyncio.to_thread(upgrade, settings=settings)  # Alembic runs its own event loop
    engine = create_engine(settings)
    feed = ChangeFeed()
    try:
        yield create_session_factory(engine, changes=feed), feed
    finally:
        await engine.dispose()


async def test_deleting_a_course_queues_its_cleanup_after_the_commit_only(
    sessions: tuple[async_sessionmaker[AsyncSession], ChangeFeed],
) -> None:
    factory, feed = sessions
    heard: list[set[str]] = []
    feed.add_sink(heard.append)
    queue = InMemoryQueue()
    async with factory() as session:
        teacher = User(email="t@x.org", name="T", role=Role.TEACHER, password_hash="x")
        session.add(teacher)
        await session.flush()
        me = Principal(teacher.id, Role.TEACHER)
        course_id = (await CourseService(session).create(me, "Files")).id
        await session.commit()
        assert f"course:{course_id}" in set().union(*heard)  # the commit told the process's feed

        await delete_course(session, me, course_id)
        await session.rollback()  # the request failed after all
        discard_pending(session)
        assert dispatch_pending(session, queue) == [] and queue.take() == []

        await delete_course(session, me, course_id)  # a rollback expired every object: ids only
        await session.commit()
        sent = dispatch_pending(session, queue)
        assert queue.take() == sent and len(sent) == 1
        job = await session.get(Job, sent[0])
        assert job is not None and job.kind is JobKind.CLEANUP and job.payload == {"course_id": course_id}
        with pytest.raises(NotFound):
            await CourseService(session).get_manageable(me, course_id)


async def test_another_teacher_cannot_delete_it(sessions: tuple[async_sessionmaker[AsyncSession], ChangeFeed]) -> None:
    factory, _ = sessions
    async with factory() as session:
        owner, other = (User(email=f"{n}@x.org", name=n, role=Role.TEACHER, password_hash="x") for n in "oa")
        session.add_all([owner, other])
        await session.flush()
        course = await CourseService(session).create(Principal(owner.id, Role.TEACHER), "Mine")
        await session.commit()
        with pytest.raises(NotFound):  # the same answer as for a missing course
            await delete_course(session, Principal(other.id, Role.TEACHER), course.id)
