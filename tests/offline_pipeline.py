"""The whole pipeline with no network at all: run by tests/jobs/test_offline.py inside a
network namespace that has only loopback. Exits 0 when every step worked."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, wait_job

FILES = ("errors-and-exceptions.docx", "data-structures.pptx", "pdflatex-outline.pdf", "input-output.md")


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="profai-offline-"))
    milvus = MilvusLiteServer(data / "milvus", port=free_port()).start(timeout=90)
    stack = Stack(data / "stack", milvus.uri)
    try:
        stack.boot(workers=1, scheduler=False)
        _, teacher = stack.user("teacher")
        course = teacher.post("/api/v1/courses", json={"title": "Offline"}).json()
        files = [("files", (name, (FIXTURES / name).read_bytes())) for name in FILES]
        reply = teacher.post(f"/api/v1/courses/{course['id']}/documents", files=files)
        job = wait_job(teacher, reply.json()["job"]["id"], timeout=400)
        docs = teacher.get(f"/api/v1/courses/{course['id']}/documents").json()
        print("job:", job["status"], job["message"], [(d["filename"], d["status"], d["error"]) for d in docs])
        assert job["status"] == "succeeded" and all(d["status"] == "ready" for d in docs)
        outline = teacher.get(f"/api/v1/courses/{course['id']}/outline").json()
        lesson_id = outline["modules"][0]["lessons"][0]["id"]
        answer = teacher.post(
            f"/api/v1/courses/{course['id']}/chat", json={"question": "How do I handle an exception?"}
        )
        print("chat:", answer.status_code, answer.json().get("citations", [])[:1])
        assert answer.status_code == 200 and answer.json()["citations"]
        speech = teacher.get(f"/api/v1/lessons/{lesson_id}/audio", params={"format": "wav"})
        print("audio:", speech.status_code, len(speech.content))
        assert speech.status_code == 200 and speech.content[:4] == b"RIFF"
        return 0
    finally:
        stack.stop_all()
        milvus.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
