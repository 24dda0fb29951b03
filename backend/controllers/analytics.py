from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Controller, Request, get

from backend.db import SessionDep
from core.security.principal import Principal
from core.services.analytics import course_analytics


class AnalyticsController(Controller):
    path = "/api/v1/courses/{course_id:str}/analytics"
    tags = ["analytics"]

    @get("/", summary="For the course's teacher: completion, quiz score distribution, most asked questions")
    async def analytics(
        self, course_id: str, request: Request[Principal, Any, Any], session: SessionDep
    ) -> dict[str, Any]:
        return asdict(await course_analytics(session, request.user, course_id))
