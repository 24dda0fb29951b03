"""The older system's routes, kept for its existing clients."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response.base import ASGIResponse

from backend.auth import teachers_only
from backend.cache import cached_json
from backend.controllers.jobs import read_visible_job
from backend.db import ServicesDep, SessionDep
from backend.rate_limits import in_flight, per_user
from backend.schemas.courses import CourseOut
from backend.schemas.legacy import job_out, upload_out, worker_stats_out
from backend.uploads import files_from_form
from core.db.base import new_id
from core.errors import InvalidInput
from core.security.concurrency import Kind
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.services.content import ContentService
from core.services.courses import CourseService
from core.services.documents import DocumentService
from core.services.stats import jobs_in_flight, worker_stats

PrincipalRequest = Request[Principal, Any, Any]
DEFAULT_PAGE = 50
MAX_PAGE = 200


class LegacyController(Controller):
    path = "/api"
    tags = ["legacy"]

    @post(
        "/upload-pdfs",
        status_code=202,
        guards=[teachers_only, per_user(Rule.UPLOAD)],
        summary="Legacy: create a course from uploaded files (form: files, course_title)",
    )
    async def upload_pdfs(self, request: PrincipalRequest, session: SessionDep, svc: ServicesDep) -> dict[str, Any]:
        async with in_flight(svc, Kind.UPLOAD, request.user.user_id):
            incoming, fields = await files_from_form(request)
            title = fields.get("course_title", "").strip()
            if not title:
                raise InvalidInput("course_title is required")
            if not incoming:
                raise InvalidInput("no files in the request: send them as multipart field 'files'")
            documents = DocumentService(session, svc.settings, svc.files)
            # The files land on disk before the transaction begins: no lock is held while they do.
            course_id = new_id()
            staged = await documents.stage(course_id, incoming)
            try:
                course = await CourseService(session).create(request.user, title, course_id=course_id)
            except BaseException:
                documents.discard(staged)
                raise
            result = await documents.register(request.user, course.id, staged)
            return upload_out(result.job, course.id)

    @get("/jobs/{job_id:str}", summary="Legacy: job status (PENDING, STARTED, SUCCESS, FAILURE)")
    async def job_status(self, job_id: str, request: PrincipalRequest, svc: ServicesDep) -> ASGIResponse:
        async def produce() -> tuple[dict[str, Any], list[str]]:
            return job_out(await read_visible_job(svc, request.user, job_id)), [f"job:{job_id}"]

        return await cached_json(svc.responses, request, produce)

    @get("/worker-stats", guards=[teachers_only], summary="Legacy: workers, their running tasks, waiting tasks")
    async def worker_stats(self, request: PrincipalRequest, session: SessionDep, svc: ServicesDep) -> dict[str, Any]:
        stats = await worker_stats(session, svc.queue, request.user, svc.settings.job_heartbeat_seconds)
        jobs = await jobs_in_flight(session, request.user, limit=MAX_PAGE)
        return worker_stats_out(stats, jobs, svc.settings.queue_name)

    @get("/courses", summary="Legacy: course list, a page at a time (limit ≤ 200, offset)")
    async def courses(
        self,
        request: PrincipalRequest,
        session: SessionDep,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Response[list[CourseOut]]:
        service = CourseService(session)
        courses, total = await service.page_visible(request.user, limit, offset)
        headers = {"X-Total-Count": str(total)}
        if offset + len(courses) < total:
            headers["Link"] = f'</api/courses?limit={limit}&offset={offset + limit}>; rel="next"'
        return Response(
            [CourseOut.of(c, manager=service.can_manage(request.user, c)) for c in courses], headers=headers
        )

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
