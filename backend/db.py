"""One request, one transaction: commit when the handler succeeds, then enqueue its jobs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import State
from litestar.params import Dependency
from sqlalchemy.ext.asyncio import AsyncSession

from backend.state import Services
from core.services.jobs import discard_pending, dispatch_pending, has_pending

# Handlers take these instead of the bare types: Litestar would otherwise run each
# dependency through its validator on every request (measured: ~15 % of a cached GET).
ServicesDep = Annotated[Services, Dependency(skip_validation=True)]
SessionDep = Annotated[AsyncSession, Dependency(skip_validation=True)]


def services(state: State) -> Services:
    return state.services  # type: ignore[no-any-return]


async def provide_session(state: State, request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    svc = services(state)
    factory = svc.read_sessions if request.method in ("GET", "HEAD") else svc.sessions
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            discard_pending(session)
            raise
        else:
            await session.commit()
            if has_pending(session):
                # Enqueueing is blocking I/O (Huey's SQLite file, which workers lock, or Redis).
                await asyncio.to_thread(dispatch_pending, session, svc.queue)


async def provide_services(state: State) -> Services:
    return services(state)
