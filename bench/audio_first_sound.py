"""Listen and Teach me: seconds from the request to the first sound, before and after streaming.

Before, the student app read the whole MP3 from the API and only then showed a player: the
first sound came after the last byte. Now it shows a player of the API's stream, which plays
from the first bytes (ui_student/audio_stream.py). One uncached request per lesson gives both
figures: the time to its first audio bytes (now) and to its last byte (before).

Run: .venv/bin/python -m bench.audio_first_sound [--lessons 3]
Embedded stack (SQLite, milvus-lite, the offline voices), the Markdown tutorial fixture.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job


def timed(api: httpx.Client, path: str) -> tuple[float, float, int]:
    """(seconds to the first audio bytes, seconds to the last byte, bytes) of one audio request."""
    start = time.perf_counter()
    first, size = 0.0, 0
    with api.stream("GET", path, params={"format": "mp3"}, timeout=600) as reply:
        assert reply.status_code == 200, reply.read()
        for chunk in reply.iter_raw():
            if chunk and not first:
                first = time.perf_counter() - start
            size += len(chunk)
    return first, time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lessons", type=int, default=3)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="profai-audio-"))
    milvus = MilvusLiteServer(data / "milvus", port=free_port()).start()
    stack = Stack(data / "stack", milvus.uri, extra_env={"LOG_LEVEL": "WARNING", "RATE_LIMIT_AUDIO": "off"})
    try:
        stack.boot(workers=1, scheduler=False)
        _, teacher = stack.user("teacher")
        course = teacher.post("/api/v1/courses", json={"title": "Input and output"}).json()
        job = upload(teacher, course["id"], FIXTURES / "input-output.md")["job"]
        assert wait_job(teacher, job["id"], timeout=300)["status"] == "succeeded"
        outline = teacher.get(f"/api/v1/courses/{course['id']}/outline").json()
        lessons = [x["id"] for m in outline["modules"] for x in m["lessons"]][: args.lessons]
        rows: dict[str, list[tuple[float, float, int]]] = {"Listen": [], "Teach me": []}
        for lesson_id in lessons:
            rows["Listen"].append(timed(teacher, f"/api/v1/lessons/{lesson_id}/audio"))
            teacher.get(f"/api/v1/lessons/{lesson_id}/lecture", timeout=600)  # both versions fetch the script first
            rows["Teach me"].append(timed(teacher, f"/api/v1/lessons/{lesson_id}/lecture/audio"))
        print(f"\n{len(lessons)} lessons, uncached, offline voices, this machine:")
        for name, figures in rows.items():
            for first, last, size in figures:
                print(f"  {name:9} {size / 1024:7.0f} KB: first sound {first:6.2f} s (before: {last:6.2f} s)")
            after = statistics.median(f for f, _, _ in figures)
            before = statistics.median(last for _, last, _ in figures)
            print(f"  {name:9} median first sound: {after:.2f} s, before {before:.2f} s")
    finally:
        stack.stop_all()
        milvus.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
