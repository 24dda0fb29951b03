"""What a teacher learns about a course: who finishes what, how quizzes go, what students ask."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories.analytics import AnalyticsRepository
from core.security.principal import Principal
from core.services.courses import CourseService

BUCKETS = 10  # 0-9, 10-19, ... 90-100 percent


@dataclass
class QuizScores:
    quiz_id: str
    title: str
    attempts: int = 0
    students: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * BUCKETS)


@dataclass
class AskedQuestion:
    question: str
    count: int
    pages: list[dict[str, Any]]


@dataclass
class CourseAnalytics:
    course_id: str
    students: int
    lessons: list[dict[str, Any]]
    quiz_scores: list[QuizScores]
    top_questions: list[AskedQuestion]


async def course_analytics(session: AsyncSession, principal: Principal, course_id: str) -> CourseAnalytics:
    await CourseService(session).get_manageable(principal, course_id)
    repo = AnalyticsRepository(session)
    lessons = [
        {"lesson_id": lid, "title": title, "module_title": module, "completed": n}
        for lid, title, module, n in await repo.lesson_completions(course_id)
    ]
    scores: dict[str, QuizScores] = {}
    for quiz_id, title, _user, best, attempts in await repo.best_scores(course_id):
        entry = scores.setdefault(quiz_id, QuizScores(quiz_id, title))
        entry.attempts += attempts
        entry.students += 1
        entry.buckets[min(BUCKETS - 1, int(best // 10))] += 1
    return CourseAnalytics(
        course_id,
        await repo.student_count(course_id),
        lessons,
        sorted(scores.values(), key=lambda s: s.title),
        top_questions(await repo.chat_messages(course_id)),
    )


def normalise(question: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", question.lower()))


def top_questions(messages: list[Any], limit: int = 10) -> list[AskedQuestion]:
    """Group questions asked in the same words; each answer's citations give the pages."""
    counts: Counter[str] = Counter()
    wording: dict[str, str] = {}
    pages: dict[str, Counter[tuple[str, str, int]]] = defaultdict(Counter)
    pending: str | None = None
    for message in messages:
        if message.role == "user":
            pending = normalise(message.content)
            if pending:
                counts[pending] += 1
                wording.setdefault(pending, message.content.strip())
        elif message.role == "assistant" and pending:
            for cite in message.citations or []:
                pages[pending][
                    (cite.get("document_id", ""), cite.get("document_name", ""), int(cite.get("page", 0)))
                ] += 1
            pending = None
    return [
        AskedQuestion(
            wording[key],
            n,
            [
                {"document_id": d, "document_name": name, "page": p, "count": c}
                for (d, name, p), c in pages[key].most_common(5)
            ],
        )
        for key, n in counts.most_common(limit)
    ]
