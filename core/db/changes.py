"""Which cached views a commit makes stale.

Every flush collects *tags* ("course:<id>", "job:<id>", "user:<id>", ...) from the rows it
wrote; after the commit they go to the process's sink (the API's cache, and a Redis channel
that every other process listens to). Bulk UPDATE statements bypass the unit of work, so
repositories that use them call `mark_changed` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db.models import (
    ApiKey,
    AuthToken,
    ChatMessage,
    ChatSession,
    Course,
    Document,
    Enrollment,
    Job,
    Lesson,
    LessonProgress,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    User,
)

_KEY = "profai.changed_tags"
Sink = Callable[[set[str]], None]
_sinks: list[Sink] = []


def add_sink(sink: Sink) -> None:
    _sinks.append(sink)


def remove_sink(sink: Sink) -> None:
    if sink in _sinks:
        _sinks.remove(sink)


def mark_changed(session: Any, *tags: str) -> None:
    """Record tags by hand (bulk updates); accepts a Session or an AsyncSession."""
    target = getattr(session, "sync_session", session)
    target.info.setdefault(_KEY, set()).update(tags)


def tags_of(row: object) -> Iterable[str]:
    if isinstance(row, Course):
        return (f"course:{row.id}", f"user:{row.owner_id}")
    if isinstance(row, Enrollment | LessonProgress | QuizAttempt):
        return (f"course:{row.course_id}", f"user:{row.user_id}")
    if isinstance(row, Job):
        return (f"job:{row.id}",) + ((f"course:{row.course_id}",) if row.course_id else ())
    if isinstance(row, Document | Module | Lesson | Quiz | ChatSession | ChatMessage):
        return (f"course:{row.course_id}",)
    if isinstance(row, Question):
        return (f"quiz:{row.quiz_id}",)
    if isinstance(row, ApiKey | AuthToken):
        return (f"credential:{row.id}",)
    if isinstance(row, User):
        return (f"user:{row.id}",)
    return ()


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: object) -> None:
    tags: set[str] = session.info.setdefault(_KEY, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        tags.update(tags_of(row))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    tags: set[str] = session.info.pop(_KEY, set())
    if tags:
        for sink in list(_sinks):
            sink(tags)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
