"""Uploaded files on a local folder or a shared volume, under server-generated names."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import TooLarge


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    path: Path
    sha256: str
    size: int


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, storage_name: str) -> Path:
        path = (self.root / storage_name).resolve()
        # Storage names are ours, but a defence in depth costs one comparison.
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage name escapes the upload folder: {storage_name!r}")
        return path

    async def save(self, storage_name: str, chunks: AsyncIterator[bytes], *, max_bytes: int, label: str) -> StoredFile:
        """Stream to disk while hashing; refuse (and remove) as soon as max_bytes is passed."""
        path = self.path_of(storage_name)
        partial = _Partial(path.with_suffix(path.suffix + ".part"))
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{label} is larger than the limit of {max_bytes // (1024 * 1024)} MB")
                # Hashing and writing leave the event loop: other requests keep being served.
                await asyncio.to_thread(partial.write, chunk)
            await asyncio.to_thread(partial.finish, path)
        except BaseException:
            partial.discard()
            raise
        return StoredFile(storage_name, path, partial.digest.hexdigest(), size)

    def delete(self, storage_name: str) -> None:
        """The file and what was derived from it (`<name>.parsed.json`, `<name>.page3.png`, ...)."""
        path = self.path_of(storage_name)
        path.unlink(missing_ok=True)
        for derived in path.parent.glob(path.name + ".*"):
            derived.unlink(missing_ok=True)

    def sweep_partials(self, max_age_seconds: float) -> list[Path]:
        """Remove what dead requests left: `.part` files (an upload whose process was killed) and
        temporary page images, untouched for `max_age_seconds`. A live upload writes its file
        at least every API_BODY_IDLE_SECONDS, so it is never this old. Returns what was removed."""
        if not self.root.exists():
            return []
        cutoff = time.time() - max_age_seconds
        removed = []
        for pattern in ("*/*.part", "*/.tmp-page-*"):
            for path in self.root.glob(pattern):
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed.append(path)
        return removed


class _Partial:
    """A file being received: one thread hop per chunk (the first also makes the folder and
    opens the file) and one to finish, since under load each hop waits for the event loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        self.handle: BinaryIO | None = None

    def write(self, chunk: bytes) -> None:
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "wb")  # noqa: SIM115 - closed by finish or discard
        self.digest.update(chunk)
        self.handle.write(chunk)

    def finish(self, final: Path) -> None:
        if self.handle is None:  # nothing arrived: an empty file, which the caller refuses
            self.write(b"")
        assert self.handle is not None
        self.handle.close()
        os.replace(self.path, final)

    def discard(self) -> None:
        if self.handle is not None:
            self.handle.close()
        self.path.unlink(missing_ok=True)
