"""What a running job's handler gets to see and to call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.ai.embeddings import SharedEmbedder
from core.settings import Settings


class JobCancelled(Exception):
    """Raised inside a handler when the job's cancel flag is seen."""


class JobLost(Exception):
    """Raised inside a handler when the reaper has given the job to another worker."""


class PermanentJobError(Exception):
    """A failure that retrying can't fix (a corrupt file, a missing course): fail at once."""


Reporter = Callable[[str, int, str], Awaitable[None]]


@dataclass
class JobContext:
    job_id: str
    course_id: str | None
    created_by: str | None
    payload: dict[str, Any]
    attempt: int
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    report: Reporter  # (stage, percent, message); raises JobCancelled / JobLost
    embedders: SharedEmbedder  # the worker process's one embedder (built on first use)
