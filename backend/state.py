"""Process-wide services of the API, created in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.security.principal import Principal
from core.services.jobs import JobQueue
from core.services.passages import PageIndexCache
from core.services.retrieval import Retriever
from core.settings import Settings
from core.storage import FileStore


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: JobQueue
    files: FileStore
    # Credential digest -> principal. Revocation drops the entry here at once; other API
    # processes notice within the TTL (settings.cache_ttl_seconds).
    principals: TTLCache[str, Principal]
    # The tutor's embedder and vector store (built on first use, so startup stays fast) and
    # its per-course page index cache; None only in apps built without the lifespan.
    retriever: Retriever | None = None
    tutor_pages: PageIndexCache | None = None
