"""Process-wide services of the API: what the composition root built, plus the API's caches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.cache import ResponseCache
from core.audio.engines import AudioEngines
from core.db.changes import ChangeFeed
from core.db.read_pool import ReadPool
from core.ingestion.page_cache import PageCache
from core.security.concurrency import ConcurrencyLimiter
from core.security.passwords import Passwords
from core.security.principal import Principal
from core.security.rate_limits import RateLimiter
from core.services.chat_writes import ChatWriter
from core.services.jobs import JobQueue
from core.services.llm_chat import LLMAnswerer
from core.services.passages import PageIndexCache
from core.services.retrieval import Retriever
from core.settings import Settings
from core.storage import FileStore


class ApiRoot(Protocol):
    """What the API takes from the composition root (profai/container.py `Root`)."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    reads: ReadPool
    queue: JobQueue
    files: FileStore
    passwords: Passwords
    changes: ChangeFeed
    retriever: Retriever
    answerer: LLMAnswerer | None
    audio: AudioEngines
    chat_writer: ChatWriter


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]  # may write
    read_sessions: async_sessionmaker[AsyncSession]  # GET requests, caches, streams
    queue: JobQueue
    files: FileStore
    # Credential digest -> principal. Revocation drops the entry here at once; other API
    # processes notice within the TTL (settings.cache_ttl_seconds).
    principals: TTLCache[str, Principal]
    responses: ResponseCache
    # Hot reads past the ORM: core/db/read_pool.py (PostgreSQL), core/db/sqlite_read_pool.py.
    reads: ReadPool
    # Rate limits (core/security/rate_limits.py): in Redis when configured, else this process's.
    limits: RateLimiter
    # Uploads and answer streams in flight per user (core/security/concurrency.py).
    inflight: ConcurrencyLimiter
    # Rendered PDF pages on disk, bounded (core/ingestion/page_cache.py).
    page_images: PageCache
    passwords: Passwords
    changes: ChangeFeed
    # The tutor: its embedder and vector store (built on first use, so startup stays fast),
    # its per-course page index cache, the LLM client (None offline) and the grouped writer.
    retriever: Retriever
    tutor_pages: PageIndexCache
    answerer: LLMAnswerer | None
    chat_writer: ChatWriter
    audio: AudioEngines
    # Lookups in flight, by credential digest: when a cached principal expires under load, the
    # many requests carrying it wait for one database lookup instead of each making their own.
    inflight_principals: dict[str, asyncio.Future[Principal]] = field(default_factory=dict)

    def apply_changes(self, tags: set[str]) -> None:
        """Drop what a commit (here or in another process) made stale."""
        self.responses.invalidate(tags)
        if any(t.startswith(("credential:", "token:")) for t in tags):
            for digest_key, principal in list(self.principals.items()):
                if f"credential:{principal.credential_id}" in tags or f"token:{digest_key}" in tags:
                    self.principals.pop(digest_key, None)
