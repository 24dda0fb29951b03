"""SQLite writers of one process take turns in an asyncio queue before asking SQLite for its lock.

When a writer finds the write lock taken, SQLite's busy handler sleeps and tries again with
growing sleeps (1, 2, 5 ... 100 ms), so colliding writers wait for each other's sleeps, not
for each other's work: under a burst of uploads a 10 ms transaction waited hundreds of ms.
Queued here, a writer of this process starts the moment the one before it ends; only the
other processes (workers) still meet the busy handler. Held from BEGIN IMMEDIATE to the end
of the transaction (commit, rollback, or the connection going back to the pool).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from sqlalchemy.util import await_
from sqlalchemy.util.concurrency import in_greenlet

log = logging.getLogger(__name__)
INFO_KEY = "profai_writer_turn"


class WriterQueue:
    def __init__(self, timeout: float) -> None:
        # Past this wait a writer goes ahead anyway and SQLite's busy timeout decides, as before.
        self.timeout = timeout
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    def enter(self, info: dict[str, Any]) -> None:
        """Wait for this process's turn (inside SQLAlchemy's async bridge; elsewhere a no-op)."""
        if not in_greenlet() or INFO_KEY in info:
            return
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(loop, asyncio.Lock())
        try:
            await_(asyncio.wait_for(lock.acquire(), self.timeout))
        except TimeoutError:
            log.warning("a SQLite writer waited %.0f s for its turn; going ahead", self.timeout)
            return
        info[INFO_KEY] = lock

    def leave(self, info: dict[str, Any]) -> None:
        lock = info.pop(INFO_KEY, None)
        if lock is not None and lock.locked():
            lock.release()
