"""Lesson completion and a student's progress."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post

from backend.db import SessionDep
from backend.schemas.quizzes import CourseProgressOut, LessonDoneOut
from core.security.principal import Principal
from core.services.progress import ProgressService

PrincipalRequest = Request[Principal, Any, Any]


class ProgressController(Controller):
    path = "/api/v1"
    tags = ["progress"]

    @post("/lessons/{lesson_id:str}/complete", status_code=200, summary="Mark a lesson done (idempotent)")
    async def complete(self, lesson_id: str, request: PrincipalRequest, session: SessionDep) -> LessonDoneOut:
        done = await ProgressService(session).complete(request.user, lesson_id)
        return LessonDoneOut(lesson_id, done.course_id, True, done.completed_at)

    @delete("/lessons/{lesson_id:str}/complete", status_code=204, summary="Undo: the lesson is not done")
    async def undo(self, lesson_id: str, request: PrincipalRequest, session: SessionDep) -> None:
        await ProgressService(session).undo(request.user, lesson_id)

    @get("/courses/{course_id:str}/progress", summary="My progress in a course: lessons and best quiz scores")
    async def course(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> CourseProgressOut:
        return CourseProgressOut.of(await ProgressService(session).for_course(request.user, course_id))

    @get("/me/progress", summary="My progress across my courses")
    async def mine(self, request: PrincipalRequest, session: SessionDep) -> list[CourseProgressOut]:
        return [CourseProgressOut.of(p) for p in await ProgressService(session).summary(request.user)]
