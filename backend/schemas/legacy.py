"""The original system's response shapes and vocabulary (Celery's task states), built from ours.

Its clients read `task_id`, `status`, `progress` and `message` and wait for SUCCESS or FAILURE;
every field we add comes after those and changes none of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.db.models.jobs import Job, JobStatus
from core.services.stats import WorkerStats, worker_alias

# A cancelled job is FAILURE, not Celery's REVOKED: the original's clients know only the four
# documented states and wait for SUCCESS or FAILURE. `job_status` keeps our own word.
CELERY_STATUS = {
    JobStatus.QUEUED: "PENDING",
    JobStatus.RUNNING: "STARTED",
    JobStatus.SUCCEEDED: "SUCCESS",
    JobStatus.FAILED: "FAILURE",
    JobStatus.CANCELLED: "FAILURE",
}

UPLOAD_MESSAGE = "PDF processing started"


def upload_out(job: Job, course_id: str) -> dict[str, Any]:
    return {
        "task_id": job.id,
        "status": "pending",
        "message": UPLOAD_MESSAGE,
        "job_id": job.id,
        "course_id": course_id,
        "status_url": f"/api/jobs/{job.id}",
    }


def job_out(job: Job) -> dict[str, Any]:
    return {
        "task_id": job.id,
        "status": CELERY_STATUS[job.status],
        "progress": job.progress,
        "message": job.message,
        "job_id": job.id,
        "job_status": job.status.value,
        "stage": job.stage,
        "course_id": job.course_id,
        "result": job.result,
        "error": job.error,
    }


def worker_stats_out(stats: WorkerStats, jobs: list[Job], queue_name: str) -> dict[str, Any]:
    """Celery's `inspect` answers: per worker its stats, its running tasks; the waiting tasks per queue.
    Workers are named for admins only; anyone else sees stable aliases (worker_alias)."""
    def name_of(name: str) -> str:
        return name if stats.scope == "all" else worker_alias(name)

    workers = stats.workers
    active: dict[str, list[dict[str, Any]]] = {name_of(w.name): [] for w in workers}
    scheduled: list[dict[str, Any]] = []
    for job in jobs:
        if job.status is JobStatus.RUNNING:
            task = _task(job) | {"time_start": _ts(job.started_at)}
            active.setdefault(name_of(job.worker or "unknown"), []).append(task)
        else:
            scheduled.append({"eta": _iso(job.run_after), "request": _task(job)})
    return {
        "active_workers": {
            name_of(w.name): {
                "pool": {"max-concurrency": w.threads},
                "started_at": _iso(w.started_at),
                "seen_at": _iso(w.seen_at),
            }
            for w in workers
        },
        "active_tasks": active,
        "scheduled_tasks": {queue_name: scheduled},
        "workers_alive": stats.workers_alive,
        "queue_length": stats.queue_length,
    }


def _task(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "name": job.kind.value,
        "course_id": job.course_id,
        "status": CELERY_STATUS[job.status],
        "progress": job.progress,
        "message": job.message,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _ts(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None
