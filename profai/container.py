"""The composition root: every long-lived object of a process, built in one place.

`build(settings)` makes them and nothing else does: no module builds a collaborator at import
or keeps one in a registry of its own. The API (`profai.api:app_factory`), the worker, the
scheduler and the tests call it and hand the pieces on (`create_app(settings, root)`,
`run_worker(...)`). Construction is cheap: nothing connects or loads a model here; what is
heavy (the embedding model, the vector store, speech models) is built on first use by the
object that owns it, once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from huey import Huey
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.ai.embeddings import SharedEmbedder
from core.audio.engines import AudioEngines
from core.db.changes import ChangeFeed
from core.db.engine import create_engine, create_session_factory
from core.db.read_pool import PostgresReadPool, ReadPool
from core.db.sqlite_read_pool import SqliteReadPool
from core.security.passwords import Passwords
from core.services.chat_writes import ChatWriter
from core.services.jobs import JobQueue
from core.services.llm_chat import LLMAnswerer
from core.services.retrieval import Retriever
from core.settings import Settings
from core.storage import FileStore
from jobs.queue import build_huey
from jobs.tasks import HueyJobQueue, JobTasks


@dataclass
class Root:
    settings: Settings
    engine: AsyncEngine  # this process's (the API's and the scheduler's); worker threads make their own
    sessions: async_sessionmaker[AsyncSession]  # may write; commits feed `changes`
    read_sessions: async_sessionmaker[AsyncSession]
    reads: ReadPool  # opened by whoever serves (the API's lifespan)
    changes: ChangeFeed
    huey: Huey
    tasks: JobTasks
    queue: JobQueue
    files: FileStore
    passwords: Passwords
    embedders: SharedEmbedder
    retriever: Retriever
    answerer: LLMAnswerer | None  # None offline (LLM_PROVIDER=none)
    audio: AudioEngines
    chat_writer: ChatWriter

    async def aclose(self) -> None:
        """Release what the root holds (the engine's connections, the tutor's store and LLM client)."""
        self.retriever.close()
        if self.answerer is not None:
            await self.answerer.close()
        await self.engine.dispose()


def build(settings: Settings) -> Root:
    engine = create_engine(settings)
    changes = ChangeFeed()
    sessions = create_session_factory(engine, changes=changes)
    huey = build_huey(settings)
    tasks = JobTasks(huey)
    embedders = SharedEmbedder(settings)
    return Root(
        settings=settings,
        engine=engine,
        sessions=sessions,
        read_sessions=create_session_factory(engine, read_only=True, changes=changes),
        reads=read_pool(settings, engine),
        changes=changes,
        huey=huey,
        tasks=tasks,
        queue=HueyJobQueue(tasks),
        files=FileStore(settings.resolved_upload_dir),
        passwords=Passwords(),
        embedders=embedders,
        retriever=Retriever(settings, embedders, embedders.multilingual()),
        answerer=LLMAnswerer(settings) if settings.llm_provider == "openai" else None,
        audio=AudioEngines(settings),
        chat_writer=ChatWriter(sessions),
    )


def read_pool(settings: Settings, engine: AsyncEngine, size: int | None = None) -> ReadPool:
    """The hot reads' pool for this database (DB_POOL_SIZE connections unless `size`)."""
    size = size or settings.db_pool_size
    if engine.dialect.name == "postgresql":
        return PostgresReadPool(settings.resolved_database_url, engine.dialect, size)
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be shared with the workers: name a file")
    # SQLite serves a read in microseconds: a few threads keep up with the event loop.
    return SqliteReadPool(Path(database), size=min(size, 4))
