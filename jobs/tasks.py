"""Huey tasks: plain functions that take an id and reload everything else.

`JobTasks` registers the one task on a Huey instance (the composition root does, in every
process: the API and the scheduler only enqueue, a worker also runs). A worker attaches its
`TaskRunner`; without one the task refuses to run.
"""

from __future__ import annotations

import logging
from typing import Protocol

from huey import Huey
from huey.api import Task, TaskWrapper
from huey.signals import SIGNAL_INTERRUPTED

from core.services.jobs import JobQueue

log = logging.getLogger(__name__)


class TaskRunner(Protocol):
    def run(self, job_id: str) -> None: ...

    def hand_back(self, job_id: str) -> None: ...


class JobTasks:
    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.runner: TaskRunner | None = None

        # Named and placed as before (jobs.tasks.run_job): messages already queued still match.
        def run_job(job_id: str) -> None:
            if self.runner is None:
                raise RuntimeError("this process only enqueues jobs; `profai worker` runs them")
            self.runner.run(job_id)

        self.run_job: TaskWrapper = huey.task(context=False)(run_job)
        huey.signal(SIGNAL_INTERRUPTED)(self._on_interrupted)

    def _on_interrupted(self, signal: str, task: Task, *args: object, **kwargs: object) -> None:
        # The consumer was stopped hard (SIGINT): give the job back instead of waiting for the reaper.
        if self.runner is not None and task.name == self.run_job.name and task.args:
            self.runner.hand_back(str(task.args[0]))


class HueyJobQueue(JobQueue):
    def __init__(self, tasks: JobTasks) -> None:
        self.tasks = tasks

    def enqueue(self, job_id: str, delay: float = 0.0) -> None:
        if delay > 0:
            self.tasks.run_job.schedule(args=(job_id,), delay=delay)
        else:
            self.tasks.run_job(job_id)

    def pending_count(self) -> int:
        return int(self.tasks.huey.pending_count())
