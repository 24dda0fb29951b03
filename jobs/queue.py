"""The Huey instance: Redis when REDIS_URL is set, a SQLite file otherwise.

Built by the composition root (profai/container.py), never at import."""

from __future__ import annotations

from huey import Huey, PriorityRedisHuey, SqliteHuey

from core.settings import Settings


def build_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        # Priority storage so that short interactive jobs can overtake bulk ingestion.
        return PriorityRedisHuey(settings.queue_name, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # A generous timeout: SQLite reports "database is locked" under concurrent enqueue.
    return SqliteHuey(
        settings.queue_name, filename=str((settings.data_dir / "queue.db").resolve()), results=False, timeout=30
    )
