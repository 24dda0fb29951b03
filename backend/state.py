"""Process-wide services of the API, created in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.security.principal import Principal
from core.services.jobs import JobQueue
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
