"""Which lessons and quizzes a regeneration job writes again (jobs/handlers.py)."""

from __future__ import annotations

from core.db.models.content import Lesson
from core.db.models.quizzes import Quiz
from jobs.handlers import rewrite_keys


def lesson(key: str, edited: bool = False) -> Lesson:
    return Lesson(id=f"id-{key}", source_key=key, edited_by_teacher=edited)


def quiz(key: str) -> Quiz:
    return Quiz(id=f"id-{key}", source_key=key)


LESSONS = [lesson("a"), lesson("b", edited=True), lesson("c")]
QUIZZES = [quiz("q1"), quiz("q2")]


def test_regenerating_everything_spares_the_lessons_the_teacher_edited() -> None:
    rewrite, spared = rewrite_keys(LESSONS, QUIZZES, {"all": True, "lesson_ids": [], "quiz_ids": []})
    assert rewrite == {"a", "c", "q1", "q2"} and spared == 1


def test_a_lesson_named_is_rewritten_even_when_edited() -> None:
    rewrite, spared = rewrite_keys(LESSONS, QUIZZES, {"all": False, "lesson_ids": ["id-b"], "quiz_ids": ["id-q2"]})
    assert rewrite == {"b", "q2"} and spared == 0


def test_nothing_named_and_not_all_rewrites_nothing() -> None:
    assert rewrite_keys(LESSONS, QUIZZES, {}) == (set(), 0)
