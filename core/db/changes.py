"""Which cached views a commit makes stale.

Every flush collects *tags* ("course:<id>", "job:<id>", "user:<id>", ...) from the rows it
wrote; after the commit they go to the process's `ChangeFeed` sinks (the API's cache, and a Redis channel
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


class ChangeFeed:
    """A process's sinks, and the session class whose commits feed them.

    The listeners sit on a Session subclass of this feed's own (not on SQLAlchemy's Session
    class for the whole process), so two roots in one process (tests) never hear each other.
    Session factories pass `sync_session_class=feed.session_class` (core/db/engine.py)."""

    def __init__(self) -> None:
        self._sinks: list[Sink] = []
        self.session_class: type[Session] = type("TrackedSession", (Session,), {})
        event.listen(self.session_class, "after_flush", _collect)
        event.listen(self.session_class, "after_commit", self._publish)
        event.listen(self.session_class, "after_rollback", _forget)

    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def remove_sink(self, sink: Sink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def publish(self, tags: set[str]) -> None:
        """Hand tags to every sink (what a commit does; also for tags that come from elsewhere)."""
        for sink in list(self._sinks):
            sink(tags)

    def _publish(self, session: Session) -> None:
        tags: set[str] = session.info.pop(_KEY, set())
        if tags:
            self.publish(tags)


def _collect(session: Session, _context: object) -> None:
    tags: set[str] = session.info.setdefault(_KEY, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        tags.update(tags_of(row))


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
