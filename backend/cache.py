"""Encoded responses kept in the API process, dropped by the change tags of each commit.

With Redis configured every process hears every commit (core/db/change_feed.py), so an
entry lives until something it depends on changes. Without Redis (the embedded default)
the workers' commits cannot reach the API, so the cache is off: a stale job status is
worse than a slower one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
from litestar import MediaType, Request
from litestar.response.base import ASGIResponse

from core.security.principal import Principal


class ResponseCache:
    def __init__(self, maxsize: int = 50_000, enabled: bool = True) -> None:
        self.maxsize = maxsize if enabled else 0
        # key -> (body, tags, route template for metrics)
        self._entries: OrderedDict[str, tuple[bytes, tuple[str, ...], str]] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        # Bumped by every invalidation: a value computed across one is not stored, since
        # it may predate the change that the invalidation announced.
        self.generation = 0

    def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    def lookup(self, key: str) -> tuple[bytes, str] | None:
        """The body and the route template it was produced by."""
        entry = self._entries.get(key)
        return (entry[0], entry[2]) if entry is not None else None

    def put(
        self, key: str, body: bytes, tags: Iterable[str], generation: int | None = None, route: str = "unmatched"
    ) -> None:
        if self.maxsize == 0 or (generation is not None and generation != self.generation):
            return
        tags = tuple(tags)
        self._drop(key)
        self._entries[key] = (body, tags, route)
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.maxsize:
            self._drop(next(iter(self._entries)))

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
