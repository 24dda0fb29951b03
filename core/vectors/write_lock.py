"""One writer at a time on a milvus-lite server.

milvus-lite 3.x serves requests from a thread pool but its flush is not safe against a
concurrent flush or insert: the memtable is swapped outside its lock, and two flushes that
commit out of order fail with "current_seq is monotonic" (seen with four threads writing).
So this process's writes take a lock per server, and processes of one machine (the embedded
default's worker and API) share a lock file as well. A Milvus server needs none of this.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


@contextmanager
def exclusive_writes(server: str, lock_file: Path | None = None) -> Iterator[None]:
    with _thread_lock(server):
        if lock_file is None:
            yield
            return
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        with lock_file.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
