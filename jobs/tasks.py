"""Huey tasks: plain functions that take an id and reload everything else."""

from __future__ import annotations

import logging

from huey.api import Task
from huey.signals import SIGNAL_INTERRUPTED

from core.services.jobs import JobQueue
from jobs.queue import huey
from jobs.runtime import hand_back, run_in_thread_loop

log = logging.getLogger(__name__)


@huey.task(context=False)
def run_job(job_id: str) -> None:
    run_in_thread_loop(job_id)


@huey.signal(SIGNAL_INTERRUPTED)
def _on_interrupted(signal: str, task: Task, *args: object, **kwargs: object) -> None:
    # The consumer was stopped hard (SIGINT): give the job back instead of waiting for the reaper.
    if task.name == run_job.name and task.args:
        hand_back(str(task.args[0]))


class HueyJobQueue(JobQueue):
    def enqueue(self, job_id: str, delay: float = 0.0) -> None:
        if delay > 0:
            run_job.schedule(args=(job_id,), delay=delay)
        else:
            run_job(job_id)

    def pending_count(self) -> int:
        return int(huey.pending_count())
