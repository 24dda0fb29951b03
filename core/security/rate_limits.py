"""Rate limits on moving windows (the `limits` library): in Redis when REDIS_URL is set, so
every API process counts together, in this process's memory otherwise.

A rule is a setting like "5/15 minutes" (RATE_LIMIT_* in core/settings.py; "off" disables it).
Two ways to use one: `acquire` counts every request and refuses past the limit (chat, uploads);
`blocked` + `record` count only failures (wrong passwords, wrong enrollment codes), so that
after too many failures even a right answer is refused until the window moves on.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from core.settings import Settings

log = logging.getLogger(__name__)


class Rule(StrEnum):
    LOGIN_ACCOUNT = "login_account"
    LOGIN_IP = "login_ip"
    REGISTER_IP = "register_ip"
    REGISTER_ACCOUNT = "register_account"
    ENROLL = "enroll"
    CHAT = "chat"
    AUDIO = "audio"
    UPLOAD = "upload"
    PAGE_RENDER = "page_render"


@dataclass(frozen=True)
class Refusal:
    """A request over its limit: which rule, and when to come back."""

    rule: Rule
    retry_after: int  # seconds
    limit: str


def parse_rule(text: str) -> RateLimitItem | None:
    text = text.strip()
    if text.lower() in ("", "off", "none", "0"):
        return None
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"not a rate limit: {text!r} (write e.g. '5/15 minutes', or 'off')") from exc


def storage_for(settings: Settings) -> Storage:
    if settings.redis_url:
        # redis-py's asyncio client: the package Huey already uses (no second Redis client).
        return RedisStorage(
            "async+" + settings.redis_url,
            implementation="redispy",
            key_prefix=f"{settings.queue_name}:limits",
            wrap_exceptions=True,
        )
    return MemoryStorage()


class RateLimiter:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.items: dict[Rule, RateLimitItem | None] = {
            rule: parse_rule(getattr(settings, f"rate_limit_{rule.value}")) for rule in Rule
        }
        self.strategy = MovingWindowRateLimiter(storage or storage_for(settings))

    async def acquire(self, rule: Rule, key: str) -> Refusal | None:
        """Count one request; a Refusal (not counted) when the window is full."""
        item = self.items[rule]
        if item is None:
            return None
        try:
            if await self.strategy.hit(item, rule.value, key):
                return None
            return await self._refusal(rule, item, key)
        except StorageError:  # a store outage must not take the API down with it
            log.warning("rate limit store failed (rule %s): request allowed", rule, exc_info=True)
            return None

    async def blocked(self, rule: Rule, key: str) -> Refusal | None:
        """A Refusal when the window already holds the limit's count of failures."""
        item = self.items[rule]
        if item is None:
            return None
        try:
            if await self.strategy.test(item, rule.value, key):
                return None
            return await self._refusal(rule, item, key)
        except StorageError:
            log.warning("rate limit store failed (rule %s): request allowed", rule, exc_info=True)
            return None

    async def record(self, rule: Rule, key: str) -> None:
        """Count one failure."""
        item = self.items[rule]
        if item is None:
            return
        try:
            await self.strategy.hit(item, rule.value, key)
        except StorageError:
            log.warning("rate limit store failed (rule %s): failure not counted", rule, exc_info=True)

    async def reset(self, rule: Rule, key: str) -> None:
        """Forget the failures (a successful login clears its account's count)."""
        item = self.items[rule]
        if item is None:
            return
        try:
            await self.strategy.clear(item, rule.value, key)
        except StorageError:
            log.warning("rate limit store failed (rule %s): not reset", rule, exc_info=True)

    async def _refusal(self, rule: Rule, item: RateLimitItem, key: str) -> Refusal:
        stats = await self.strategy.get_window_stats(item, rule.value, key)
        return Refusal(rule, max(1, math.ceil(stats.reset_time - time.time())), str(item))
