"""Process-wide services of the API, created in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.cache import ResponseCache
from core.db.read_pool import ReadPool
from core.security.concurrency import ConcurrencyLimiter
from core.security.principal import Principal
from core.security.rate_limits import RateLimiter
from core.services.jobs import JobQueue
from core.services.passages import PageIndexCache
from core.services.retrieval import Retriever
from core.settings import Settings
from core.storage import FileStore


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

    def apply_changes(self, tags: set[str]) -> None:
        """Drop what a commit (here or in another process) made stale."""
        self.responses.invalidate(tags)
        if any(t.startswith(("credential:", "token:")) for t in tags):
            for digest_key, principal in list(self.principals.items()):
                if f"credential:{principal.credential_id}" in tags or f"token:{digest_key}" in tags:
                    self.principals.pop(digest_key, None)

    # The tutor's embedder and vector store (built on first use, so startup stays fast) and
    # its per-course page index cache; None only in apps built without the lifespan.
    retriever: Retriever | None = None
    tutor_pages: PageIndexCache | None = None
