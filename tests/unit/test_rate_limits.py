"""Rate limit rules on the in-memory store (the Redis store is tested through two API processes)."""

from __future__ import annotations

import asyncio

import pytest

from core.security.rate_limits import RateLimiter, Rule, parse_rule
from core.settings import Settings


def limiter(**rules: str) -> RateLimiter:
    return RateLimiter(Settings().model_copy(update={f"rate_limit_{k}": v for k, v in rules.items()}))


def test_acquire_refuses_past_the_limit_per_key() -> None:
    async def go() -> None:
        limits = limiter(chat="3/minute")
        assert [await limits.acquire(Rule.CHAT, "alice") for _ in range(3)] == [None] * 3
        refusal = await limits.acquire(Rule.CHAT, "alice")
        assert refusal is not None and refusal.rule is Rule.CHAT and 1 <= refusal.retry_after <= 60
        assert refusal.limit == "3 per 1 minute"
        assert await limits.acquire(Rule.CHAT, "bob") is None  # per key
        assert await limits.acquire(Rule.AUDIO, "alice") is None  # per rule

    asyncio.run(go())


def test_failures_block_until_reset() -> None:
    async def go() -> None:
        limits = limiter(login_ip="2/15 minutes")
        for _ in range(2):
            assert await limits.blocked(Rule.LOGIN_IP, "10.0.0.1") is None
            await limits.record(Rule.LOGIN_IP, "10.0.0.1")
        refusal = await limits.blocked(Rule.LOGIN_IP, "10.0.0.1")
        assert refusal is not None and 800 < refusal.retry_after <= 900
        await limits.reset(Rule.LOGIN_IP, "10.0.0.1")
        assert await limits.blocked(Rule.LOGIN_IP, "10.0.0.1") is None

    asyncio.run(go())


def test_off_disables_a_rule_and_bad_rules_are_refused() -> None:
    async def go() -> None:
        limits = limiter(upload="off")
        assert all([await limits.acquire(Rule.UPLOAD, "t") is None for _ in range(100)])

    asyncio.run(go())
    assert parse_rule("5/15 minutes") is not None and parse_rule("off") is None
    with pytest.raises(ValueError, match="not a rate limit"):
        parse_rule("five a minute")
    with pytest.raises(ValueError, match="not a rate limit"):
        limiter(chat="lots")
