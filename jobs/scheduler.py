"""`profai scheduler`: the periodic work. Run exactly one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from core.db.changes import ChangeFeed
from core.db.engine import create_engine, create_session_factory
from core.outages import classify, is_outage
from core.services.jobs import JobQueue
from core.settings import Settings
from core.storage import FileStore
from jobs.reaper import DatabaseGrace, reap
from jobs.worker import publish_changes

log = logging.getLogger(__name__)


async def run_scheduler(settings: Settings, queue: JobQueue, changes: ChangeFeed) -> None:
    publisher = publish_changes(settings, changes)
    engine = create_engine(settings)
    sessions = create_session_factory(engine, changes=changes)
    files = FileStore(settings.resolved_upload_dir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("scheduler running: reaper every %.0fs", settings.reaper_interval_seconds)
    try:
        grace = DatabaseGrace(settings)
        while not stop.is_set():
            try:
                await reap(sessions, queue, settings, stale=grace.reap_stale(time.monotonic()))
            except Exception as exc:
                grace.failed()
                if is_outage(exc):
                    log.warning("reaper pass skipped: %s", classify(exc))
                else:
                    log.exception("reaper pass failed")
            else:
                grace.succeeded(time.monotonic())
            try:
                await asyncio.to_thread(sweep_partials, files, settings.partial_file_max_age_seconds)
            except Exception:
                log.exception("partial files sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.reaper_interval_seconds)
    finally:
        await engine.dispose()
        if publisher is not None:
            publisher.close()


def sweep_partials(files: FileStore, max_age_seconds: float) -> None:
    """An API process killed mid-upload leaves its `.part` file; nothing else would remove it."""
    for path in files.sweep_partials(max_age_seconds):
        log.info("removed a dead request's partial file %s", path)
