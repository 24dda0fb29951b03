from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.openapi import ResponseSpec
from litestar.response.base import ASGIResponse

from backend.auth import teachers_only
from backend.cache import cached_json, json_response
from backend.db import ServicesDep, SessionDep
from backend.rate_limits import acquire
from backend.schemas.courses import CourseIn, CourseOut, CoursePatch, EnrollIn, PublishOut, StudentOut
from backend.schemas.jobs import JobOut
from core.repositories.course_reads import CourseReads
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.services.course_removal import delete_course
from core.services.courses import CourseService, enrolled_summaries
from core.services.jobs import JobService

PrincipalRequest = Request[Principal, Any, Any]


class CourseController(Controller):
    path = "/api/v1/courses"
    tags = ["courses"]

    @get(
        "/",
        summary="Courses I teach, or (students) the published courses I'm enrolled in",
        responses={200: ResponseSpec(list[CourseOut], description="the courses")},
    )
    async def list_courses(self, request: PrincipalRequest, svc: ServicesDep) -> ASGIResponse:
        principal = request.user

        async def produce() -> tuple[list[CourseOut], list[str]]:
            if not principal.is_teacher:  # a student's list: the read pool
                summaries = await enrolled_summaries(CourseReads(svc.reads), principal)
                courses = [CourseOut.of(s.course, manager=False, summary=s) for s in summaries]
            else:
                # Its own short session: a cache hit should not pay for a transaction.
                async with svc.read_sessions() as session:
                    service = CourseService(session)
                    visible = await service.list_visible(principal)
                    summaries = await service.summaries(visible, principal.is_teacher, principal)
                courses = [
                    CourseOut.of(s.course, manager=service.can_manage(principal, s.course), summary=s)
                    for s in summaries
                ]
            return courses, [f"user:{principal.user_id}", *(f"course:{c.id}" for c in courses)]

        # A student's list is read far more often than it changes; a teacher's carries the
        # live state of the last job, so it is always read fresh.
        if principal.is_teacher:
            courses, _ = await produce()
            return json_response(msgspec.json.encode(courses))
        return await cached_json(svc.responses, request, produce)

    @post("/", guards=[teachers_only], summary="Create a draft course")
    async def create_course(self, data: CourseIn, request: PrincipalRequest, session: SessionDep) -> CourseOut:
        course = await CourseService(session).create(request.user, data.title, data.description, data.language)
        return CourseOut.of(course, manager=True)

    @get("/{course_id:str}", summary="One course")
    async def get_course(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> CourseOut:
        service = CourseService(session)
        course = await service.get_visible(request.user, course_id)
        [summary] = await service.summaries([course], service.can_manage(request.user, course))
        return CourseOut.of(course, manager=service.can_manage(request.user, course), summary=summary)

    @patch("/{course_id:str}", summary="Change title, description, language or settings")
    async def update_course(
        self, course_id: str, data: CoursePatch, request: PrincipalRequest, session: SessionDep
    ) -> CourseOut:
        course = await CourseService(session).update(
            request.user,
            course_id,
            title=data.title,
            description=data.description,
            language=data.language,
            allow_general_knowledge=data.allow_general_knowledge,
            enrollment_open=data.enrollment_open,
        )
        return CourseOut.of(course, manager=True)

    @post(
        "/{course_id:str}/enrollment-code/rotate",
        status_code=200,
        summary="A new enrollment code; the old one admits nobody from now on (enrolled students stay)",
    )
    async def rotate_code(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> CourseOut:
        return CourseOut.of(await CourseService(session).rotate_code(request.user, course_id), manager=True)

    @get("/{course_id:str}/students", summary="Who joined the course (its teacher or an admin)")
    async def students(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> list[StudentOut]:
        return [StudentOut.of(u, e) for u, e in await CourseService(session).students(request.user, course_id)]

    @post(
        "/{course_id:str}/publish",
        status_code=200,
        summary="Publish: enrolled students can see it; says how many quizzes are still drafts",
    )
    async def publish(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> PublishOut:
        course, drafts = await CourseService(session).publish(request.user, course_id)
        return PublishOut.published(course, drafts)

    @post("/{course_id:str}/unpublish", status_code=200, summary="Back to draft")
    async def unpublish(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> CourseOut:
        return CourseOut.of(await CourseService(session).set_published(request.user, course_id, False), manager=True)

    @delete("/{course_id:str}", status_code=204, summary="Delete the course, its documents, content and vectors")
    async def delete_course(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> None:
        await delete_course(session, request.user, course_id)

    @get("/{course_id:str}/jobs", summary="The course's recent jobs")
    async def course_jobs(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> list[JobOut]:
        await CourseService(session).get_manageable(request.user, course_id)
        return [JobOut.of(j) for j in await JobService(session).list_for_course(course_id)]


class EnrollmentController(Controller):
    path = "/api/v1/enrollments"
    tags = ["courses"]

    @post("/", status_code=201, summary="Join a published course with its enrollment code (students)")
    async def enroll(
        self, data: EnrollIn, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> CourseOut:
        # Every try counts (RATE_LIMIT_ENROLL), atomically: parallel guesses cannot slip past.
        await acquire(svc, Rule.ENROLL, request.user.user_id)
        course = await CourseService(session).enroll(request.user, data.code)
        return CourseOut.of(course, manager=False)
