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
QUIZZES = [quiz("q1"), quiz("q2"), quiz("q3")]
EDITED_QUIZZES = {"id-q3", "id-elsewhere"}  # q3 holds an edited question; the other id is no quiz here


def test_regenerating_everything_spares_what_the_teacher_edited() -> None:
    rewrite, kept = rewrite_keys(LESSONS, QUIZZES, EDITED_QUIZZES, {"all": True, "lesson_ids": [], "quiz_ids": []})
    assert rewrite == {"a", "c", "q1", "q2"} and kept == "1 lesson and 1 quiz"


def test_what_is_named_is_rewritten_even_when_edited() -> None:
    payload = {"all": False, "lesson_ids": ["id-b"], "quiz_ids": ["id-q2", "id-q3"]}
    rewrite, kept = rewrite_keys(LESSONS, QUIZZES, EDITED_QUIZZES, payload)
    assert rewrite == {"b", "q2", "q3"} and kept == ""


def test_nothing_named_and_not_all_rewrites_nothing() -> None:
    assert rewrite_keys(LESSONS, QUIZZES, EDITED_QUIZZES, {}) == (set(), "")


def test_what_all_kept_is_counted_in_words() -> None:
    lessons = [lesson("a", edited=True), lesson("b", edited=True)]
    assert rewrite_keys(lessons, QUIZZES, set(), {"all": True})[1] == "2 lessons"
    assert rewrite_keys([], QUIZZES, {"id-q1", "id-q2"}, {"all": True})[1] == "2 quizzes"
