"""Synthesized audio on disk, keyed by what determines it, so a lesson is spoken only once.

The key is sha256 over (text, voice, language, engine, format). The engine name includes its
model, so changing the voice model or provider never serves stale audio. Files are written to
a temporary name and renamed: a reader (another API process on the shared volume) sees a
complete file or none, never half of one.

The folder is bounded by AUDIO_CACHE_MAX_MB: once a process has written a twentieth of that
since it last looked, it sums the folder and deletes the least recently used files (a hit
refreshes a file's time, at most once an hour) down to 90 % of the limit. Several API processes
on one volume each do this, so the folder overshoots by at most a twentieth per process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

TOUCH_AFTER_SECONDS = 3600  # a hit marks a file as used; more often would only cost writes


class AudioCache:
    def __init__(self, root: Path, max_bytes: int = 0) -> None:
        self.root = root
        self.max_bytes = max_bytes  # 0: no limit
        # Bytes this object wrote since it last trimmed; None before its first write, which
        # looks at once (the folder may already be over the limit). One object per process
        # (core/audio/engines.py).
        self._written: int | None = None
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str, voice: str | None, engine: str, fmt: str, language: str = "en") -> str:
        # JSON, not concatenation: ("ab", "c") and ("a", "bc") must not collide.
        material = json.dumps([text, voice or "", language, engine, fmt], ensure_ascii=False)
        return hashlib.sha256(material.encode()).hexdigest()

    def path(self, key: str, fmt: str) -> Path:
        return self.root / key[:2] / f"{key}.{fmt}"

    def find(self, key: str, fmt: str) -> Path | None:
        path = self.path(key, fmt)
        try:
            if time.time() - path.stat().st_mtime > TOUCH_AFTER_SECONDS:
                os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def get(self, key: str, fmt: str) -> bytes | None:
        path = self.find(key, fmt)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:  # removed by a clean-up between the check and the read
            return None

    def put(self, key: str, fmt: str, data: bytes) -> Path:
        path = self.path(key, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._count(len(data))
        return path

    def _count(self, written: int) -> None:
        if not self.max_bytes:
            return
        with self._lock:
            total = (self.max_bytes if self._written is None else self._written) + written
            due = total >= self.max_bytes // 20
            self._written = 0 if due else total
        if due:
            self.trim()

    def trim(self) -> int:
        """Delete the least recently used files until the folder is under 90 % of the limit;
        returns the bytes freed."""
        files: list[tuple[float, int, Path]] = []
        for path in self.root.glob("*/*"):
            if path.name.startswith(".tmp-"):
                continue  # being written by someone
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
