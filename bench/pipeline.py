"""Upload-to-searchable and upload-to-course times for the 125-page tutorial, offline defaults.

Run: .venv/bin/python -m bench.pipeline
Starts an embedded stack (SQLite, Huey on SQLite, milvus-lite) with one worker, uploads the
fixture, samples the job's stages and the worker's memory, and prints the figures.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.fixtures_path import FIXTURES
from tests.harness import Stack

TUTORIAL = FIXTURES / "python-tutorial-3.11.pdf"


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children (the parser runs in a child)."""
    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="profai-pipeline-"))
    milvus = MilvusLiteServer(data / "milvus", port=free_port()).start()
    stack = Stack(data / "stack", milvus.uri, extra_env={"LOG_LEVEL": "WARNING", "MAX_FILE_MB": "50"})
    try:
        stack.boot(workers=1)
        worker_pid = stack.procs["worker0"].pid
        _, teacher = stack.user("teacher")
        course = teacher.post("/api/v1/courses", json={"title": "Python"}).json()
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(worker_pid))
                time.sleep(0.1)

        threading.Thread(target=sample, daemon=True).start()
        started = time.monotonic()
        reply = teacher.post(
            f"/api/v1/courses/{course['id']}/documents",
            files=[("files", (TUTORIAL.name, TUTORIAL.read_bytes()))],
        )
        job_id = reply.json()["job"]["id"]
        stage_start: dict[str, float] = {}
        searchable = None
        while True:
            job = teacher.get(f"/api/v1/jobs/{job_id}").json()
            now = time.monotonic() - started
            stage_start.setdefault(job["stage"], now)
            if searchable is None:
                docs = teacher.get(f"/api/v1/courses/{course['id']}/documents").json()
                if docs[0]["status"] == "ready":
                    searchable = now
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        total = time.monotonic() - started
        done.set()
        pages = docs[0]["page_count"] or 125
        chunks = docs[0]["chunk_count"]
        print(f"\n{TUTORIAL.name}: {pages} pages, {chunks} chunks, job {job['status']}: {job['message']}")
        print(f"searchable after {searchable:.1f} s; whole course (lessons + quizzes) after {total:.1f} s")
        order = sorted(stage_start.items(), key=lambda kv: kv[1])
        for (stage, at), (_, nxt) in zip(order, [*order[1:], ("end", total)], strict=True):
            span = nxt - at
            print(f"  {stage:10} from {at:5.1f} s for {span:5.1f} s  ({pages / span if span else 0:6.0f} pages/s)")
        print(f"worker peak memory (with its parser child): {peak / 2**20:.0f} MB")
    finally:
        stack.stop_all()
        milvus.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
