"""Per-user caps on work in flight: uploads receiving, answer streams open.

A rate limit counts requests over time; this counts requests at once. With REDIS_URL every API
process shares the count (a sorted set per user and kind: member = slot id, score = when it was
taken, so a slot a killed process never gave back stops counting after STALE_SECONDS);
without Redis each process counts its own (MAX_CONCURRENT_* is then per API process).
A store outage lets the request through, as the rate limits do.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Any

from core.settings import Settings

log = logging.getLogger(__name__)

STALE_SECONDS = 3600  # longer than any upload (API_BODY_TIMEOUT_SECONDS) or answer stream


class Kind(StrEnum):
    UPLOAD = "uploads"
    STREAM = "streams"


class AtCapacity(Exception):
    def __init__(self, kind: Kind, limit: int) -> None:
        super().__init__(f"{kind} in flight: limit {limit}")
        self.kind, self.limit = kind, limit


class ConcurrencyLimiter:
    def __init__(self, settings: Settings) -> None:
        self.limits = {Kind.UPLOAD: settings.max_concurrent_uploads, Kind.STREAM: settings.max_concurrent_streams}
        self.prefix = f"{settings.queue_name}:inflight"
        self._redis: Any = None
        if settings.redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._local: dict[tuple[Kind, str], int] = {}
        self._lock = asyncio.Lock()

    async def take(self, kind: Kind, user_id: str) -> str:
        """A slot id to give back with `release`; AtCapacity when the user already has the limit."""
        slot = uuid.uuid4().hex
        limit = self.limits[kind]
        if self._redis is not None:
            try:
                if await self._take_shared(kind, user_id, slot, limit):
                    return slot
                raise AtCapacity(kind, limit)
            except AtCapacity:
                raise
            except Exception:
                log.warning("concurrency store failed (%s): request allowed", kind, exc_info=True)
                return ""
        async with self._lock:
            held = self._local.get((kind, user_id), 0)
            if held >= limit:
                raise AtCapacity(kind, limit)
            self._local[(kind, user_id)] = held + 1
        return slot

    async def release(self, kind: Kind, user_id: str, slot: str) -> None:
        if self._redis is not None:
            if slot:
                try:
                    await self._redis.zrem(self._key(kind, user_id), slot)
                except Exception:
                    log.warning("concurrency store failed (%s): slot not released", kind, exc_info=True)
            return
        async with self._lock:
            held = self._local.get((kind, user_id), 0) - 1
            if held > 0:
                self._local[(kind, user_id)] = held
            else:
                self._local.pop((kind, user_id), None)

    @asynccontextmanager
    async def slot(self, kind: Kind, user_id: str) -> AsyncIterator[None]:
        taken = await self.take(kind, user_id)
        try:
            yield
        finally:
            await self.release(kind, user_id, taken)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _key(self, kind: Kind, user_id: str) -> str:
        return f"{self.prefix}:{kind.value}:{user_id}"

    async def _take_shared(self, kind: Kind, user_id: str, slot: str, limit: int) -> bool:
        key, now = self._key(kind, user_id), time.time()
        # Add, then count: two processes adding at once both see both and the later one backs
        # off, so the cap is never exceeded (at worst both refuse, and the client retries).
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", now - STALE_SECONDS)
            pipe.zadd(key, {slot: now})
            pipe.zrank(key, slot)
            pipe.expire(key, STALE_SECONDS)
            _, _, rank, _ = await pipe.execute()
        if rank is not None and rank < limit:
            return True
        await self._redis.zrem(key, slot)
        return False
