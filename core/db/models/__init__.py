"""All tables, imported together so that Alembic and the mappers see every one."""

from core.db.models.chat import ChatMessage, ChatSession
from core.db.models.content import Lesson, LessonProgress, Module
from core.db.models.courses import Course, Enrollment
from core.db.models.documents import Document
from core.db.models.jobs import Job, WorkerBeat
from core.db.models.quizzes import AttemptAnswer, Question, Quiz, QuizAttempt
from core.db.models.users import ApiKey, AuthToken, User

__all__ = [
    "ApiKey",
    "AttemptAnswer",
    "AuthToken",
    "ChatMessage",
    "ChatSession",
    "Course",
    "Document",
    "Enrollment",
    "Job",
    "Lesson",
    "LessonProgress",
    "Module",
    "Question",
    "Quiz",
    "QuizAttempt",
    "User",
    "WorkerBeat",
]
