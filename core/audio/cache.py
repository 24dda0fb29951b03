"""Synthesized audio on disk, keyed by what determines it, so a lesson is spoken only once.

The key is sha256 over (text, voice, language, engine, format). The engine name includes its
model, so changing the voice model or provider never serves stale audio. Files are written to
a temporary name and renamed: a reader (another API process on the shared volume) sees a
complete file or none, never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path


class AudioCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(text: str, voice: str | None, engine: str, fmt: str, language: str = "en") -> str:
        # JSON, not concatenation: ("ab", "c") and ("a", "bc") must not collide.
        material = json.dumps([text, voice or "", language, engine, fmt], ensure_ascii=False)
        return hashlib.sha256(material.encode()).hexdigest()

    def path(self, key: str, fmt: str) -> Path:
        return self.root / key[:2] / f"{key}.{fmt}"

    def find(self, key: str, fmt: str) -> Path | None:
        path = self.path(key, fmt)
        return path if path.is_file() else None

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
        return path


def audio_cache(data_dir: Path) -> AudioCache:
    return AudioCache(data_dir.resolve() / "audio-cache")
