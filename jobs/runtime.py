"""Runs one job: claim, heartbeat, report progress, finish, retry or fail.

Each Huey worker thread keeps its own event loop and database engine, because async
engines and their connections belong to the loop that created them. `WorkerThreads` holds
them (one per worker process, made by `profai worker` from the composition root).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.ai.embeddings import SharedEmbedder
from core.db.base import utcnow
from core.db.changes import ChangeFeed
from core.db.engine import create_engine, create_session_factory
from core.db.models.jobs import Job, JobStatus
from core.pipeline.job_context import JobCancelled, JobContext, JobLost, PermanentJobError
from core.repositories.jobs import JobRepository
from core.services.jobs import JobQueue, dispatch_pending, enqueue_after_commit, fail_job_documents
from core.settings import Settings
from jobs.outage_wait import OutageBudget

if TYPE_CHECKING:
    from jobs.handlers import Handler

log = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


class ThreadRuntime:
    def __init__(self, settings: Settings, changes: ChangeFeed | None = None) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        # The heavy work (parsing in child processes, embedding, writing lessons and quizzes)
        # runs on the loop's executor threads, at a lower CPU priority than the API. The loop's
        # own thread, which runs the database transactions, keeps the normal one: a starved
        # thread holding SQLite's write lock would stall the API's writers (Linux gives each
        # thread its own nice value; threads and processes inherit their creator's).
        niced = ThreadPoolExecutor(
            thread_name_prefix="job-cpu", initializer=lower_priority, initargs=(settings.worker_nice,)
        )
        self.loop.set_default_executor(niced)
        self.engine: AsyncEngine = create_engine(settings)
        self.sessions: async_sessionmaker[AsyncSession] = create_session_factory(self.engine, changes=changes)


def lower_priority(increment: int) -> None:
    """Yield the CPU to the API on shared cores (this thread, and what it starts)."""
    if increment > 0:
        try:
            os.nice(increment)
        except OSError as exc:  # a container may forbid it; running at normal priority is fine
            log.warning("could not lower a job thread's CPU priority: %s", exc)


class WorkerThreads:
    """A worker process's job runner (jobs/tasks.py `TaskRunner`): each thread that runs a
    job gets its own ThreadRuntime on first use."""

    def __init__(self, settings: Settings, queue: JobQueue, embedders: SharedEmbedder, changes: ChangeFeed) -> None:
        self.settings = settings
        self.queue = queue
        self.embedders = embedders
        self.changes = changes
        self._local = threading.local()

    def runtime(self) -> ThreadRuntime:
        runtime: ThreadRuntime | None = getattr(self._local, "runtime", None)
        if runtime is None:
            runtime = self._local.runtime = ThreadRuntime(self.settings, self.changes)
        return runtime

    def _runner(self, runtime: ThreadRuntime) -> JobRunner:
        return JobRunner(self.settings, runtime.sessions, self.queue, self.embedders)

    def run(self, job_id: str) -> None:
        runtime = self.runtime()
        runtime.loop.run_until_complete(self._runner(runtime).run(job_id))

    def hand_back(self, job_id: str) -> None:
        runtime = self.runtime()
        runtime.loop.run_until_complete(self._runner(runtime).hand_back(job_id))


def worker_name() -> str:
    return f"{WORKER_NAME}:{threading.current_thread().name}"


class JobRunner:
    def __init__(
        self, settings: Settings, sessions: async_sessionmaker[AsyncSession], queue: JobQueue,
        embedders: SharedEmbedder,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.queue = queue
        self.embedders = embedders
        self.worker = worker_name()
        self._budget = OutageBudget(settings, sessions)

    async def run(self, job_id: str) -> None:
        from jobs.handlers import HANDLERS  # imported late: handlers pull in the heavy pipeline

        budget = OutageBudget(self.settings, self.sessions)
        self._budget = budget
        job = await budget.retrying(lambda: self._claim(job_id))
        if job is None:
            log.info("job %s not claimed (started elsewhere, finished, cancelled or unknown)", job_id)
            return
        log.info("job %s (%s) attempt %d/%d on %s", job.id, job.kind, job.attempts, job.max_attempts, self.worker)
        state = _RunState()
        ctx = JobContext(
            job.id,
            job.course_id,
            job.created_by,
            dict(job.payload or {}),
            job.attempts,
            self.settings,
            self.sessions,
            lambda stage, pct, msg: self._report(job.id, state, stage, pct, msg),
            self.embedders,
        )
        heartbeat = asyncio.create_task(self._heartbeat(job.id, state))
        try:
            result = await self._handle(HANDLERS[job.kind], ctx, state, budget)
        except JobLost:
            log.warning("job %s was taken over by another worker; dropping this run", job.id)
        except JobCancelled:
            await self._finish(job.id, JobStatus.CANCELLED, message="cancelled", stage="cancelled")
        except PermanentJobError as exc:
            await self._finish(job.id, JobStatus.FAILED, error=str(exc), message=str(exc), stage="failed")
        except Exception as exc:
            log.exception("job %s failed", job.id)
            failure = exc
            await budget.retrying(lambda: self._retry_or_fail(job, failure))
        else:
            await self._finish(
                job.id,
                JobStatus.SUCCEEDED,
                result=result,
                progress=100,
                stage="done",
                message=str(result.get("message", "done")) if result else "done",
            )
        finally:
            heartbeat.cancel()
            # Wait for the cancellation to finish: the loop stops when run() returns, and a
            # heartbeat cut off inside its transaction would keep it (and SQLite's write
            # lock, or the job row's lock on PostgreSQL) until this thread's next job.
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _claim(self, job_id: str) -> Job | None:
        async with self.sessions() as session:
            claimed = await JobRepository(session).claim(job_id, self.worker, utcnow())
            await session.commit()
            return await session.get(Job, job_id) if claimed else None

    async def _handle(
        self, handler: Handler, ctx: JobContext, state: _RunState, budget: OutageBudget
    ) -> dict[str, Any]:
        """The handler's result; after an outage (core/outages.py) the handler runs again once
        the component is back, within the job's outage budget and the same attempt."""
        while True:
            try:
                return await handler(ctx)
            except (JobLost, JobCancelled, PermanentJobError):
                raise
            except Exception as exc:
                if state.lost or await budget.wait_out(exc, lambda m: self._waiting(ctx.job_id, state, m)) is None:
                    raise
                log.warning("job %s: running its handler again after the outage", ctx.job_id)

    async def _waiting(self, job_id: str, state: _RunState, message: str) -> None:
        await self._touch(job_id, state, stage="waiting", message=message[:500])

    async def _report(self, job_id: str, state: _RunState, stage: str, pct: int, message: str) -> None:
        await self._touch(job_id, state, stage=stage[:64], progress=max(0, min(100, int(pct))), message=message)

    async def _heartbeat(self, job_id: str, state: _RunState) -> None:
        while True:
            await asyncio.sleep(self.settings.job_heartbeat_seconds)
            try:
                await self._touch(job_id, state)
            except (JobCancelled, JobLost):
                return  # the handler notices at its next report
            except Exception:
                log.exception("heartbeat for job %s failed", job_id)

    async def _touch(self, job_id: str, state: _RunState, **values: Any) -> None:
        now = utcnow()
        async with self.sessions() as session:
            repo = JobRepository(session)
            cancel = await repo.update_running(job_id, self.worker, heartbeat_at=now, updated_at=now, **values)
            await session.commit()
        if cancel is None:
            state.lost = True
            raise JobLost(job_id)
        if cancel:
            raise JobCancelled(job_id)

    async def _finish(self, job_id: str, status: JobStatus, **values: Any) -> None:
        await self._budget.retrying(lambda: self._finish_once(job_id, status, **values))

    async def _finish_once(self, job_id: str, status: JobStatus, **values: Any) -> None:
        now = utcnow()
        async with self.sessions() as session:
            done = await JobRepository(session).transition(
                job_id,
                JobStatus.RUNNING,
                self.worker,
                status=status,
                finished_at=now,
                updated_at=now,
                heartbeat_at=now,
                **values,
            )
            if done and status is JobStatus.FAILED:
                await fail_job_documents(session, job_id, str(values.get("error") or values.get("message")))
            await session.commit()
        if not done:
            log.warning("job %s: finishing as %s skipped, another worker owns it now", job_id, status)

    async def _retry_or_fail(self, job: Job, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        if job.attempts >= job.max_attempts:
            await self._finish(
                job.id,
                JobStatus.FAILED,
                stage="failed",
                error=f"failed after {job.attempts} attempts: {reason}",
                message=reason,
            )
            return
        delay = self.settings.job_retry_backoff_seconds * 2 ** (job.attempts - 1)
        now = utcnow()
        async with self.sessions() as session:
            moved = await JobRepository(session).transition(
                job.id,
                JobStatus.RUNNING,
                self.worker,
                status=JobStatus.QUEUED,
                worker=None,
                run_after=now + timedelta(seconds=delay),
                updated_at=now,
                stage="retrying",
                message=f"attempt {job.attempts} failed ({reason}); retrying in {delay:.0f}s",
                error=reason,
            )
            if moved:
                enqueue_after_commit(session, job.id, delay)
            await session.commit()
            dispatch_pending(session, self.queue)

    async def hand_back(self, job_id: str) -> None:
        now = utcnow()
        async with self.sessions() as session:
            moved = await JobRepository(session).transition(
                job_id,
                JobStatus.RUNNING,
                self.worker,
                status=JobStatus.QUEUED,
                worker=None,
                attempts=Job.attempts - 1,
                updated_at=now,
                stage="queued",
                message="worker stopped; re-queued",
            )
            if moved:
                enqueue_after_commit(session, job_id)
            await session.commit()
            dispatch_pending(session, self.queue)


class _RunState:
    lost = False
