"""`profai worker`: a Huey consumer with thread workers plus a liveness beat."""

from __future__ import annotations

import logging
import threading

from core.ai.embeddings import SharedEmbedder
from core.db.base import utcnow
from core.db.change_feed import ChangePublisher, channel_name
from core.db.changes import ChangeFeed
from core.repositories.jobs import JobRepository
from core.settings import Settings
from jobs.runtime import WORKER_NAME, WorkerThreads
from jobs.tasks import HueyJobQueue, JobTasks

log = logging.getLogger(__name__)


def run_worker(
    settings: Settings, tasks: JobTasks, embedders: SharedEmbedder, changes: ChangeFeed, threads: int | None = None
) -> None:
    """Consume `tasks`' queue until SIGTERM (drain) or SIGINT; the pieces come from the
    composition root (profai/container.py)."""
    threads = threads or settings.worker_threads
    workers = WorkerThreads(settings, HueyJobQueue(tasks), embedders, changes)
    tasks.runner = workers
    huey = tasks.huey
    publisher = publish_changes(settings, changes)
    stop = threading.Event()
    started = utcnow()

    async def beat(forget: bool = False) -> None:
        runtime = workers.runtime()
        async with runtime.sessions() as session:
            repo = JobRepository(session)
            if forget:
                await repo.forget_worker(WORKER_NAME)
            else:
                await repo.beat(WORKER_NAME, threads, 0, started, utcnow())
            await session.commit()

    def beat_loop() -> None:
        runtime = workers.runtime()
        while not stop.is_set():
            try:
                runtime.loop.run_until_complete(beat())
            except Exception:
                log.exception("worker beat failed")
            stop.wait(settings.job_heartbeat_seconds)
        runtime.loop.run_until_complete(beat(forget=True))

    beater = threading.Thread(target=beat_loop, name="worker-beat", daemon=True)
    beater.start()
    # SIGTERM (what Kubernetes and `profai up` send) drains: running jobs finish first.
    # SIGINT stops at once; interrupted jobs are handed back or reaped.
    consumer = huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        backoff=1.1,
        max_delay=0.25,
        graceful_signal="TERM",
        check_worker_health=True,
    )
    log.info("worker %s starting with %d threads", WORKER_NAME, threads)
    try:
        consumer.run()
    finally:
        stop.set()
        beater.join(timeout=5)
        if publisher is not None:
            publisher.close()


def publish_changes(settings: Settings, changes: ChangeFeed) -> ChangePublisher | None:
    """Tell the API processes what our commits changed (their caches listen on Redis)."""
    if not settings.redis_url:
        return None
    publisher = ChangePublisher(settings.redis_url, channel_name(settings.queue_name))
    changes.add_sink(publisher)
    return publisher
