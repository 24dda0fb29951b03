from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post

from backend.db import ServicesDep, SessionDep
from backend.schemas.content import (
    LessonOut,
    LessonPatch,
    ModuleOut,
    ModulePatch,
    OutlineOut,
    RegenerateIn,
    ReorderIn,
    module_out,
)
from backend.schemas.jobs import JobOut
from core.security.principal import Principal
from core.services.content import ContentService

PrincipalRequest = Request[Principal, Any, Any]


class ContentController(Controller):
    path = "/api/v1"
    tags = ["content"]

    @get("/courses/{course_id:str}/outline", summary="Modules and their lessons, in order")
    async def outline(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> OutlineOut:
        return OutlineOut.of(await ContentService(session).outline(request.user, course_id))

    @post(
        "/courses/{course_id:str}/outline/reorder",
        status_code=200,
        summary="Reorder modules and lessons (lessons may move between modules)",
    )
    async def reorder(
        self, course_id: str, data: ReorderIn, request: PrincipalRequest, session: SessionDep
    ) -> OutlineOut:
        outline = await ContentService(session).reorder(request.user, course_id, data.modules, data.lessons)
        return OutlineOut.of(outline)

    @post(
        "/courses/{course_id:str}/regenerate",
        status_code=202,
        summary="Regenerate chosen lessons/quizzes, or the whole course when none are named",
        description="The whole course keeps every lesson the teacher edited and every quiz with a question the "
        "teacher edited (the job's message counts them); name them in `lesson_ids` / `quiz_ids` to write them "
        "again anyway.",
    )
    async def regenerate(
        self, course_id: str, data: RegenerateIn, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> JobOut:
        job = await ContentService(session).regenerate(
            request.user, svc.settings, course_id, lesson_ids=data.lesson_ids, quiz_ids=data.quiz_ids
        )
        return JobOut.of(job)

    @get("/lessons/{lesson_id:str}", summary="A lesson with its citations (document, page, quote)")
    async def lesson(self, lesson_id: str, request: PrincipalRequest, session: SessionDep) -> LessonOut:
        lesson, documents = await ContentService(session).lesson(request.user, lesson_id)
        return LessonOut.of(lesson, documents)

    @patch("/lessons/{lesson_id:str}", summary="Edit a lesson's title or text (teacher)")
    async def edit_lesson(
        self, lesson_id: str, data: LessonPatch, request: PrincipalRequest, session: SessionDep
    ) -> LessonOut:
        service = ContentService(session)
        await service.edit_lesson(request.user, lesson_id, data.title, data.body)
        lesson, documents = await service.lesson(request.user, lesson_id)
        return LessonOut.of(lesson, documents)

    @post("/lessons/{lesson_id:str}/regenerate", status_code=202, summary="Write one lesson again")
    async def regenerate_lesson(
        self, lesson_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> JobOut:
        service = ContentService(session)
        lesson, _ = await service.lesson(request.user, lesson_id)
        job = await service.regenerate(request.user, svc.settings, lesson.course_id, lesson_ids=[lesson.id])
        return JobOut.of(job)

    @patch("/modules/{module_id:str}", summary="Rename a module (teacher)")
    async def rename_module(
        self, module_id: str, data: ModulePatch, request: PrincipalRequest, session: SessionDep
    ) -> ModuleOut:
        module = await ContentService(session).rename_module(request.user, module_id, data.title)
        return module_out(module, [])
