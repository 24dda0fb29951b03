"""Quizzes: students take approved ones; teachers review, edit, approve and read statistics."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post

from backend.db import SessionDep
from backend.schemas.quizzes import (
    ApproveAllOut,
    AttemptIn,
    AttemptOut,
    QuestionPatch,
    QuestionTeacherOut,
    QuizDetailOut,
    QuizOut,
    QuizStatsOut,
)
from core.security.principal import Principal
from core.services.quizzes import QuizService

PrincipalRequest = Request[Principal, Any, Any]


class QuizController(Controller):
    path = "/api/v1"
    tags = ["quizzes"]

    @get("/courses/{course_id:str}/quizzes", summary="The course's quizzes (students: approved ones only)")
    async def list_quizzes(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> list[QuizOut]:
        return [QuizOut.of(q, n) for q, n in await QuizService(session).list_for_course(request.user, course_id)]

    @post(
        "/courses/{course_id:str}/quizzes/approve",
        status_code=200,
        summary="Teacher: approve every draft quiz of the course at once",
    )
    async def approve_all(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> ApproveAllOut:
        approved, quizzes = await QuizService(session).approve_all(request.user, course_id)
        return ApproveAllOut.of(course_id, approved, quizzes)

    @get("/quizzes/{quiz_id:str}", summary="A quiz; answers and explanations only for its teacher")
    async def get_quiz(self, quiz_id: str, request: PrincipalRequest, session: SessionDep) -> QuizDetailOut:
        return QuizDetailOut.of(await QuizService(session).view(request.user, quiz_id))

    @post("/quizzes/{quiz_id:str}/attempts", status_code=201, summary="Submit answers; get score and explanations")
    async def submit(self, quiz_id: str, data: AttemptIn, request: PrincipalRequest, session: SessionDep) -> AttemptOut:
        return AttemptOut.of(await QuizService(session).submit(request.user, quiz_id, data.answers))

    @get("/quizzes/{quiz_id:str}/attempts", summary="My attempts at this quiz, newest first")
    async def my_attempts(self, quiz_id: str, request: PrincipalRequest, session: SessionDep) -> list[AttemptOut]:
        return [AttemptOut.of(a) for a in await QuizService(session).my_attempts(request.user, quiz_id)]

    @get("/quizzes/{quiz_id:str}/stats", summary="Teacher: per-question statistics over all attempts")
    async def stats(self, quiz_id: str, request: PrincipalRequest, session: SessionDep) -> QuizStatsOut:
        return QuizStatsOut.of(await QuizService(session).stats(request.user, quiz_id))

    @post("/quizzes/{quiz_id:str}/approve", status_code=200, summary="Teacher: approve; students can take it")
    async def approve(self, quiz_id: str, request: PrincipalRequest, session: SessionDep) -> QuizOut:
        service = QuizService(session)
        quiz = await service.set_approved(request.user, quiz_id, True)
        return QuizOut.of(quiz, len((await service.view(request.user, quiz_id)).questions))

    @post("/quizzes/{quiz_id:str}/unapprove", status_code=200, summary="Teacher: back to draft")
    async def unapprove(self, quiz_id: str, request: PrincipalRequest, session: SessionDep) -> QuizOut:
        service = QuizService(session)
        quiz = await service.set_approved(request.user, quiz_id, False)
        return QuizOut.of(quiz, len((await service.view(request.user, quiz_id)).questions))

    @patch("/questions/{question_id:str}", summary="Teacher: edit a question (4 options, answer 0-3)")
    async def edit_question(
        self, question_id: str, data: QuestionPatch, request: PrincipalRequest, session: SessionDep
    ) -> QuestionTeacherOut:
        question = await QuizService(session).update_question(
            request.user,
            question_id,
            prompt=data.prompt,
            options=data.options,
            answer_index=data.answer_index,
            explanation=data.explanation,
        )
        return QuestionTeacherOut.of(question)


class LegacyQuizController(Controller):
    path = "/api/quiz"
    tags = ["legacy"]

    @get("/{course_id:str}", summary="Legacy: the course's quizzes with their questions (no answers for students)")
    async def quizzes(self, course_id: str, request: PrincipalRequest, session: SessionDep) -> list[QuizDetailOut]:
        service = QuizService(session)
        quizzes = await service.list_for_course(request.user, course_id)
        return [QuizDetailOut.of(await service.view(request.user, q.id)) for q, _ in quizzes]

    @post("/{quiz_id:str}/submit", status_code=200, summary="Legacy: submit answers {answers: {question_id: index}}")
    async def submit(self, quiz_id: str, data: AttemptIn, request: PrincipalRequest, session: SessionDep) -> AttemptOut:
        return AttemptOut.of(await QuizService(session).submit(request.user, quiz_id, data.answers))
