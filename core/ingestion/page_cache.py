"""Rendered page images on disk, beside their PDF (`<file>.page<N>.png`), bounded in size.

Beside the file, so that deleting a document deletes its pages (FileStore.delete removes
`<file>.*`). The folder is bounded by PAGE_IMAGE_CACHE_MAX_MB the way the speech cache is
(core/audio/cache.py): once a process has written a twentieth of the limit since it last
looked, it sums every page image under the upload folder and deletes the least recently
used down to 90 % of the limit. A hit refreshes a file's time at most once an hour.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

TOUCH_AFTER_SECONDS = 3600
PATTERN = "*/*.page*.png"  # <course>/<document>.page<N>.png under the upload folder


class PageCache:
    def __init__(self, upload_root: Path, max_bytes: int = 0) -> None:
        self.root = upload_root
        self.max_bytes = max_bytes  # 0: no limit
        # One per API process (backend/app.py's services): it counts what the process wrote.
        self._written_since_trim: int | None = None  # None: not looked yet, so look at the first write
        self._trim_lock = threading.Lock()

    @staticmethod
    def path(source: Path, page: int) -> Path:
        return source.with_name(f"{source.name}.page{page}.png")

    def get(self, source: Path, page: int) -> bytes | None:
        path = self.path(source, page)
        try:
            if time.time() - path.stat().st_mtime > TOUCH_AFTER_SECONDS:
                os.utime(path)
            return path.read_bytes()
        except FileNotFoundError:  # never rendered, or trimmed between the check and the read
            return None

    def put(self, source: Path, page: int, png: bytes) -> None:
        """Written to a temporary name and renamed: another process reads all of it or none."""
        path = self.path(source, page)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-page-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(png)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._count(len(png))

    def _count(self, written: int) -> None:
        if not self.max_bytes:
            return
        with self._trim_lock:
            before = self.max_bytes if self._written_since_trim is None else self._written_since_trim
            total = before + written
            due = total >= self.max_bytes // 20
            self._written_since_trim = 0 if due else total
        if due:
            self.trim()

    def trim(self) -> int:
        """Delete the least recently used page images down to 90 % of the limit; bytes freed."""
        files: list[tuple[float, int, Path]] = []
        for path in self.root.glob(PATTERN):
            with contextlib.suppress(FileNotFoundError):
                st = path.stat()
                files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        if not self.max_bytes or total <= self.max_bytes:
            return 0
        freed, target = 0, total - int(self.max_bytes * 0.9)
        for _, size, path in sorted(files):
            if freed >= target:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                freed += size
        return freed
