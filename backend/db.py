"""One request, one transaction: commit when the handler succeeds, then enqueue its jobs."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from backend.state import Services
from core.services.jobs import discard_pending, dispatch_pending


def services(state: State) -> Services:
    return state.services  # type: ignore[no-any-return]


async def provide_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    svc = services(state)
    async with svc.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            discard_pending(session)
            raise
        else:
            await session.commit()
            dispatch_pending(session, svc.queue)


async def provide_services(state: State) -> Services:
    return services(state)
