"""Rate limits at the HTTP edge: who a request counts against, and the 429 it gets.

The counting lives in core/security/rate_limits.py. A refusal is Litestar's 429, which
backend/errors.py renders in the one error shape, with a Retry-After header.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers.base import BaseRouteHandler

from backend.state import Services
from core.security.concurrency import AtCapacity, Kind
from core.security.rate_limits import Refusal, Rule

WHAT = {
    Rule.LOGIN_ACCOUNT: "too many failed logins for this account",
    Rule.LOGIN_IP: "too many failed logins from this address",
    Rule.REGISTER_IP: "too many registrations from this address",
    Rule.REGISTER_ACCOUNT: "too many registrations for this email address",
    Rule.ENROLL: "too many wrong enrollment codes",
    Rule.CHAT: "too many questions",
    Rule.AUDIO: "too many speech requests",
    Rule.UPLOAD: "too many uploads",
    Rule.PAGE_RENDER: "too many page images rendered",
}


def too_many(refusal: Refusal) -> TooManyRequestsException:
    return TooManyRequestsException(
        detail=refusal_message(refusal), headers={"Retry-After": str(refusal.retry_after)}
    )


def refusal_message(refusal: Refusal) -> str:
    return f"{WHAT[refusal.rule]} ({refusal.limit}): try again in {refusal.retry_after} s"


def account_key(email: str) -> str:
    """Emails are not kept in the limit store (Redis) in clear."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: uvicorn takes it from X-Forwarded-For when the request comes
    through a trusted proxy (FORWARDED_ALLOW_IPS), from the socket otherwise."""
    client = connection.scope.get("client")
    return client[0] if client else "unknown"


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    return connection.app.state.services  # type: ignore[no-any-return]


async def acquire(svc: Services, rule: Rule, key: str) -> None:
    """Count one request against `rule`; 429 past the limit."""
    refusal = await svc.limits.acquire(rule, key)
    if refusal is not None:
        raise too_many(refusal)


async def ensure_not_blocked(svc: Services, rule: Rule, key: str) -> None:
    """429 when `key` has used up its failures under `rule`."""
    refusal = await svc.limits.blocked(rule, key)
    if refusal is not None:
        raise too_many(refusal)


def per_user(rule: Rule) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A guard counting each request of the calling user against `rule`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        await acquire(services_of(connection), rule, connection.user.user_id)

    guard.__name__ = f"rate_limit_{rule.value}"
    return guard


# A slot frees when an upload or a stream ends: a few seconds is a fair time to come back.
IN_FLIGHT_RETRY_AFTER = 5


def at_capacity(exc: AtCapacity) -> TooManyRequestsException:
    return TooManyRequestsException(
        detail=at_capacity_message(exc), headers={"Retry-After": str(IN_FLIGHT_RETRY_AFTER)}
    )


def at_capacity_message(exc: AtCapacity) -> str:
    return (
        f"too many {exc.kind.value} at once (limit {exc.limit} per user): "
        f"try again when one has finished (in about {IN_FLIGHT_RETRY_AFTER} s)"
    )


@asynccontextmanager
async def in_flight(svc: Services, kind: Kind, user_id: str) -> AsyncIterator[None]:
    """Hold one of the user's `kind` slots for the block; 429 with Retry-After when all are taken."""
    try:
        slot = await svc.inflight.take(kind, user_id)
    except AtCapacity as exc:
        raise at_capacity(exc) from exc
    try:
        yield
    finally:
        await svc.inflight.release(kind, user_id, slot)


async def holding(
    svc: Services,
    kind: Kind,
    user_id: str,
    start: Callable[[], Awaitable[AsyncIterator[dict[str, Any]]]],
) -> AsyncIterator[dict[str, Any]]:
    """The events `start` opens, holding one of the user's `kind` slots until the stream ends
    or is closed. Taken before `start` (so a refusal is a real 429 and costs nothing)."""
    try:
        slot = await svc.inflight.take(kind, user_id)
    except AtCapacity as exc:
        raise at_capacity(exc) from exc
    try:
        events = await start()
    except BaseException:
        await svc.inflight.release(kind, user_id, slot)
        raise

    async def held() -> AsyncIterator[dict[str, Any]]:
        try:
            async for event in events:
                yield event
        finally:
            await svc.inflight.release(kind, user_id, slot)

    return held()
