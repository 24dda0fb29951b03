"""Carries change tags between processes over Redis pub/sub.

Publishing happens on a background thread, because commits also happen inside worker
threads whose event loop may stop before a scheduled task would run.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable

import redis
import redis.asyncio as aioredis

log = logging.getLogger(__name__)


def channel_name(queue_name: str) -> str:
    return f"profai:{queue_name}:changes"


class ChangePublisher:
    def __init__(self, redis_url: str, channel: str, on_failure: Callable[[], None] | None = None) -> None:
        self._client = redis.Redis.from_url(redis_url)
        self._channel = channel
        self._on_failure = on_failure  # e.g. clear this process's response cache
        self._pending: queue.SimpleQueue[set[str] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="change-publisher", daemon=True)
        self._thread.start()

    def __call__(self, tags: set[str]) -> None:
        self._pending.put(set(tags))

    def _run(self) -> None:
        while (tags := self._pending.get()) is not None:
            try:
                self._client.publish(self._channel, "\n".join(sorted(tags)))
            except redis.RedisError:
                log.exception("could not publish %d change tags", len(tags))
                if self._on_failure is not None:
                    self._on_failure()

    def close(self) -> None:
        self._pending.put(None)
        self._thread.join(timeout=5)
        self._client.close()


async def follow_changes(
    redis_url: str,
    channel: str,
    apply: Callable[[set[str]], None],
    on_subscribed: Callable[[], None] = lambda: None,
    on_lost: Callable[[], None] = lambda: None,
    retry_seconds: float = 1.0,
) -> None:
    """Apply every published tag set until cancelled; reconnects after Redis failures.

    Pub/sub keeps nothing for an absent subscriber: `on_subscribed` runs each time the
    subscription is confirmed (what was published before it is lost: clear what depends on
    it), `on_lost` when the connection drops."""
    while True:
        client = aioredis.Redis.from_url(redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                async for message in pubsub.listen():
                    kind = message.get("type")
                    if kind == "subscribe":
                        on_subscribed()
                    elif kind == "message":
                        apply(set(message["data"].decode().split("\n")))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("change feed interrupted; reconnecting")
            on_lost()
            await asyncio.sleep(retry_seconds)
        finally:
            await client.aclose()
