"""Encoded responses kept in the API process, dropped by the change tags of each commit.

With Redis configured every process hears every commit (core/db/change_feed.py), so an
entry lives until something it depends on changes, and at most RESPONSE_CACHE_TTL_SECONDS
(a bound on whatever a lost message could leave stale). Redis pub/sub loses what is
published while a subscriber is away, so the whole cache is cleared, and stays off, whenever
the subscription is lost, and cleared again each time it is (re)established; a failed
publish clears it too. Without Redis (the embedded default) the workers' commits cannot
reach the API, so the cache is off: a stale job status is worse than a slower one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
from litestar import MediaType, Request
from litestar.response.base import ASGIResponse

from core.security.principal import Principal


class ResponseCache:
    def __init__(
        self,
        maxsize: int = 50_000,
        enabled: bool = True,
        ttl_seconds: float = 300.0,
        *,
        live: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maxsize = maxsize if enabled else 0
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        # key -> (body, tags, route template for metrics, expiry on the clock)
        self._entries: OrderedDict[str, tuple[bytes, tuple[str, ...], str, float]] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        # Bumped by every invalidation: a value computed across one is not stored, since
        # it may predate the change that the invalidation announced.
        self.generation = 0
        # False while this process may be missing invalidations (its subscription is down):
        # nothing is served or stored then.
        self.live = live
        self.clears = 0
        self.last_clear = ""

    def get(self, key: str) -> bytes | None:
        entry = self._fresh(key)
        return entry[0] if entry is not None else None

    def lookup(self, key: str) -> tuple[bytes, str] | None:
        """The body and the route template it was produced by."""
        entry = self._fresh(key)
        return (entry[0], entry[2]) if entry is not None else None

    def _fresh(self, key: str) -> tuple[bytes, tuple[str, ...], str, float] | None:
        entry = self._entries.get(key)
        if entry is None or not self.live:
            return None
        if entry[3] <= self._clock():
            self._drop(key)
            return None
        return entry

    def put(
        self, key: str, body: bytes, tags: Iterable[str], generation: int | None = None, route: str = "unmatched"
    ) -> None:
        if self.maxsize == 0 or not self.live or (generation is not None and generation != self.generation):
            return
        tags = tuple(tags)
        self._drop(key)
        self._entries[key] = (body, tags, route, self._clock() + self.ttl_seconds)
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.maxsize:
            self._drop(next(iter(self._entries)))

    def clear(self, reason: str) -> None:
        """Drop everything (a value being computed now is not kept either)."""
        self.generation += 1
        self._entries.clear()
        self._keys_by_tag.clear()
        self.clears += 1
        self.last_clear = reason

    def subscribed(self) -> None:
        """The invalidation channel is (again) listened to: what was published before is lost."""
        self.clear("subscribed")
        self.live = True

    def unsubscribed(self) -> None:
        """The invalidation channel dropped: invalidations may be missed until it is back."""
        self.live = False
        self.clear("subscription lost")

    def publish_failed(self) -> None:
        """A commit's tags did not reach the other processes; ours may hold what they announce."""
        self.clear("publish failed")

    def state(self) -> dict[str, Any]:
        """For /health/ready."""
        if not self.maxsize:
            return {"status": "off"}
        return {
            "status": "on" if self.live else "paused",
            "entries": len(self._entries),
            "max_entries": self.maxsize,
            "ttl_seconds": self.ttl_seconds,
            "clears": self.clears,
            "last_clear": self.last_clear,
        }

    def invalidate(self, tags: Iterable[str]) -> None:
        self.generation += 1
        for tag in tags:
            for key in self._keys_by_tag.pop(tag, set()):
                self._drop(key)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry[1]:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]

    def __len__(self) -> int:
        return len(self._entries)


async def cached_json(
    cache: ResponseCache,
    request: Request[Principal, Any, Any],
    produce: Callable[[], Awaitable[tuple[object, Iterable[str]]]],
) -> ASGIResponse:
    """This user's cached answer to this GET, or produce (value, tags), encode and keep it.

    The key is the request's path and query plus the user id, so that backend/edge.py can
    answer the next identical request before it reaches Litestar.
    """
    from backend.edge import cache_key, request_path  # edge imports auth, which imports state

    key = cache_key(request_path(request.scope), request.user.user_id)
    body = cache.get(key)
    if body is None:
        generation = cache.generation
        value, tags = await produce()
        body = msgspec.json.encode(value)
        cache.put(key, body, tags, generation, route=request.scope.get("path_template") or "unmatched")
    return json_response(body)


def json_response(body: bytes) -> ASGIResponse:
    # An ASGIResponse passes through Litestar untouched: a Response would be copied first.
    return ASGIResponse(body=body, media_type=MediaType.JSON)
