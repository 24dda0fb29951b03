from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from core.db.models.jobs import Job


class JobOut(msgspec.Struct):
    id: str
    kind: str
    course_id: str | None
    status: str
    stage: str
    progress: int
    message: str
    attempts: int
    max_attempts: int
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    status_url: str

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            job.id,
            job.kind.value,
            job.course_id,
            job.status.value,
            job.stage,
            job.progress,
            job.message,
            job.attempts,
            job.max_attempts,
            job.error,
            job.result,
            job.created_at,
            job.started_at,
            job.finished_at,
            job.heartbeat_at,
            f"/api/v1/jobs/{job.id}",
        )


class WorkerOut(msgspec.Struct):
    name: str
    threads: int
    started_at: datetime
    seen_at: datetime


class WorkerStatsOut(msgspec.Struct):
    workers_alive: int
    workers: list[WorkerOut]
    queue_length: int
    jobs: dict[str, int]
    running: int
    failed: int
    queued: int
    scope: str = "all"  # all: every job (admins); own: the caller's jobs and their courses' jobs
