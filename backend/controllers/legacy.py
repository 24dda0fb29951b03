"""The older system's routes, kept for its existing clients."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.response.base import ASGIResponse

from backend.auth import teachers_only
from backend.cache import cached_json
from backend.controllers.jobs import read_visible_job, stats_out
from backend.db import ServicesDep, SessionDep
from backend.schemas.courses import CourseOut
from backend.schemas.jobs import WorkerStatsOut
from backend.uploads import files_from_form
from core.errors import InvalidInput
from core.security.principal import Principal
from core.services.content import ContentService
from core.services.courses import CourseService
from core.services.documents import DocumentService

PrincipalRequest = Request[Principal, Any, Any]


class LegacyController(Controller):
    path = "/api"
    tags = ["legacy"]

    @post(
        "/upload-pdfs",
        status_code=202,
        guards=[teachers_only],
        summary="Legacy: create a course from uploaded files (form: files, course_title)",
    )
    async def upload_pdfs(self, request: PrincipalRequest, session: SessionDep, svc: ServicesDep) -> dict[str, Any]:
        incoming, fields = await files_from_form(request)
        title = fields.get("course_title", "").strip()
        if not title:
            raise InvalidInput("course_title is required")
        if not incoming:
            raise InvalidInput("no files in the request: send them as multipart field 'files'")
        course = await CourseService(session).create(request.user, title)
        result = await DocumentService(session, svc.settings, svc.files).upload(request.user, course.id, incoming)
        job = result.job
        return {
            "job_id": job.id,
            "task_id": job.id,
            "status": job.status.value,
            "status_url": f"/api/jobs/{job.id}",
            "course_id": course.id,
        }

    @get("/jobs/{job_id:str}", summary="Legacy: job status")
    async def job_status(self, job_id: str, request: PrincipalRequest, svc: ServicesDep) -> ASGIResponse:
        async def produce() -> tuple[dict[str, Any], list[str]]:
            job = await read_visible_job(svc, request.user, job_id)
            return {
                "task_id": job.id,
                "status": job.status.value,
                "progress": job.progress,
                "message": job.message,
                "result": job.result,
                "stage": job.stage,
                "error": job.error,
            }, [f"job:{job_id}"]

        return await cached_json(svc.responses, request, produce)

    @get("/worker-stats", guards=[teachers_only], summary="Legacy: worker statistics")
    async def worker_stats(self, request: PrincipalRequest, session: SessionDep, svc: ServicesDep) -> WorkerStatsOut:
        return await stats_out(session, svc, request.user)

    @get("/courses", summary="Legacy: course list")
    async def courses(self, request: PrincipalRequest, session: SessionDep) -> list[CourseOut]:
        service = CourseService(session)
        courses = await service.list_visible(request.user)
        return [CourseOut.of(c, manager=service.can_manage(request.user, c)) for c in courses]

    @get("/course/{course_id:str}", summary="Legacy: one course with its modules and lessons")
    async def course(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> dict[str, Any]:
        service = CourseService(session)
        content = ContentService(session)
        outline = await content.outline(request.user, course_id)
        course = CourseOut.of(outline.course, manager=service.can_manage(request.user, outline.course))
        cited = await content.cited_documents([d for _, ls in outline.modules for x in ls for d in x.document_ids])
        types = {i: ref.file_type for i, ref in cited.items()}

        def citations(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
            # Stored citations as they always were, plus the file type (null for a removed document).
            return [{**c, "file_type": types.get(str(c.get("document_id")))} for c in stored]

        modules = [
            {
                "id": m.id,
                "title": m.title,
                "lessons": [
                    {"id": x.id, "title": x.title, "content": x.body, "citations": citations(x.citations)}
                    for x in lessons
                ],
            }
            for m, lessons in outline.modules
        ]
        return {
            **msgspec.to_builtins(course),
            "course_id": outline.course.id,
            "course_title": outline.course.title,
            "modules": modules,
        }
