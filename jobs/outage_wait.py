"""A job waits out an outage of what it depends on instead of spending its attempts.

Attempts count a job's own failures (a corrupt file, a bug). A database, queue or vector
store restarting is not one: the runner polls the failing component with backoff (the
job's stage says `waiting`, with why) and runs the handler again once it answers, which
is safe because every stage is idempotent. Only an outage longer than
JOB_OUTAGE_WAIT_SECONDS counts as a failed attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.outages import Component, Outage, classify
from core.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 5.0  # a probe is cheap; a job resumes at most this long after the return

Report = Callable[[str], Awaitable[None]]


class OutageBudget:
    """The time one run of a job may spend waiting for components, all outages together."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.left = settings.job_outage_wait_seconds
        self.waited = 0.0
        self.outages = 0

    async def wait_out(self, exc: BaseException, report: Report | None = None) -> Outage | None:
        """If `exc` is an outage and the budget allows, wait until the component answers and
        return the outage (the caller runs its work again); None means: a real failure, or
        the budget is spent (the caller fails the attempt)."""
        outage = classify(exc)
        if outage is None or self.left <= 0:
            return None
        self.outages += 1
        started = time.monotonic()
        deadline = started + self.left
        delay = FIRST_DELAY_SECONDS
        log.warning("waiting for the %s to come back: %s", outage.component, outage.detail)
        try:
            while True:
                down = time.monotonic() - started
                if report is not None:
                    await _quietly(
                        report(f"waiting for the {outage.component.value} (down {down:.0f} s): {outage.detail}")
                    )
                await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                if await self._answers(outage.component):
                    log.warning("the %s is back after %.1f s; resuming", outage.component, time.monotonic() - started)
                    return outage
                if time.monotonic() >= deadline:
                    return None
                delay = min(delay * 2, MAX_DELAY_SECONDS)
        finally:
            spent = time.monotonic() - started
            self.left -= spent
            self.waited += spent

    async def retrying(self, write: Callable[[], Awaitable[T]]) -> T:
        """`write` (a short transaction), repeated after the database comes back if it fails
        for an outage: a finished job is not lost to a database restart at its last write."""
        while True:
            try:
                return await write()
            except Exception as exc:
                if await self.wait_out(exc) is None:
                    raise

    async def _answers(self, component: Component) -> bool:
        try:
            if component is Component.DATABASE:
                async with self.sessions() as session:
                    await session.execute(text("SELECT 1"))
            elif component is Component.VECTOR_STORE:
                await asyncio.to_thread(_ping_vector_store, self.settings)
            else:
                await asyncio.to_thread(_ping_queue, self.settings)
        except Exception as exc:  # noqa: BLE001 - any failure means: not back yet
            log.debug("%s still unavailable: %s", component, exc)
            return False
        return True


async def _quietly(report: Awaitable[None]) -> None:
    # Saying "waiting" needs the database, which may be the component that is down.
    try:
        await report
    except Exception as exc:  # best effort; JobLost and JobCancelled go on up
        if classify(exc) is None:
            raise
        log.debug("could not report the wait: %s", exc)


def _ping_vector_store(settings: Settings) -> None:
    from pymilvus import MilvusClient

    token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
    # A client of its own: the process's shared channel may still be in reconnect backoff.
    client = MilvusClient(uri=settings.milvus_uri, token=token, timeout=5, dedicated=True)
    try:
        client.list_collections()
    finally:
        client.close()


def _ping_queue(settings: Settings) -> None:
    if not settings.redis_url:
        return  # the SQLite queue lives in the database file: nothing else to wait for
    import redis

    with redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5) as conn:
        conn.ping()
