"""Offline tutor: time to the first streamed token with many students asking at once.

Run: .venv/bin/python -m bench.chat_latency [--concurrency 50] [--rounds 3] [--api-workers 1] [--languages]
Embedded default (SQLite, milvus-lite, offline answers), the tutorial course built with the
multilingual step, one API process unless --api-workers says more (uvicorn processes behind
one port). English questions by default; --languages mixes in the fixture's Hindi, Bengali,
Tamil and German translations (searched across languages with e5) and reports them apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job


async def first_token(host: str, port: int, path: str, token: str, question: str) -> float:
    """Seconds to the first `token` event of one streamed answer, read to its end.

    A raw HTTP/1.1 client: with 50 streams httpx alone took ~40 % of a core on this 2-core
    machine, and its event loop then read the events late. This one only searches bytes."""
    body = json.dumps({"question": question}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    elapsed = None
    seen = b""
    try:
        writer.write(head + body)
        while data := await reader.read(65536):
            if elapsed is None:
                seen += data
                if not seen.startswith(b"HTTP/1.1 200"):
                    status_line, crlf, _ = seen.partition(b"\r\n")
                    if crlf:
                        raise RuntimeError(f"answered {status_line!r}")
                    continue
                if b"event: token" in seen:
                    elapsed = time.perf_counter() - started
    finally:
        writer.close()
    if elapsed is None:
        raise RuntimeError("no token event")
    return elapsed


def questions_of(languages: bool) -> list[tuple[str, str]]:
    """(language, question): the English fixture questions, and with `languages` every
    translation interleaved with them."""
    fixture = json.loads((FIXTURES / "python-tutorial-qa.json").read_text())
    english = [("en", q["question"]) for q in fixture["questions"]]
    if not languages:
        return english
    fixture = json.loads((FIXTURES / "python-tutorial-qa-multilingual.json").read_text())
    others = [(lang, item[lang]) for item in fixture["translations"] for lang in ("hi", "bn", "ta", "de")]
    mixed: list[tuple[str, str]] = []
    for i in range(max(len(english), len(others))):
        mixed += [english[i % len(english)], others[i % len(others)]]
    return mixed


async def load(stack: Stack, token: str, course_id: str, concurrency: int, rounds: int,
               languages: bool = False) -> list[tuple[str, float]]:
    questions = questions_of(languages)
    url = httpx.URL(stack.url)
    path = f"/api/v1/courses/{course_id}/chat/stream"
    out: list[tuple[str, float]] = []
    for r in range(rounds):
        batch = [questions[(r * concurrency + i) % len(questions)] for i in range(concurrency)]
        times = await asyncio.gather(*(first_token(url.host, url.port or 80, path, token, q) for _, q in batch))
        out += [(lang, t) for (lang, _), t in zip(batch, times, strict=True)]
    return out


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU of a process, its threads (ONNX's included) and its live children
    (uvicorn's worker processes)."""
    total = 0.0
    for p in (process, *process.children(recursive=True)):
        t = p.cpu_times()
        total += t.user + t.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--languages", action="store_true", help="mix in the translated questions")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="profai-chat-"))
    milvus = MilvusLiteServer(data / "milvus", port=free_port()).start()
    stack = Stack(data / "stack", milvus.uri, extra_env={
        "LOG_LEVEL": "WARNING", "MAX_FILE_MB": "50", "API_WORKERS": str(args.api_workers),
        "TUTOR_MULTILINGUAL": "1"})
    try:
        stack.boot(workers=1, scheduler=False)
        _, teacher = stack.user("teacher")
        course = teacher.post("/api/v1/courses", json={"title": "Python"}).json()
        job = upload(teacher, course["id"], FIXTURES / "python-tutorial-3.11.pdf")["job"]
        assert wait_job(teacher, job["id"], timeout=900)["status"] == "succeeded"
        token = teacher.headers["Authorization"].split()[1]
        # Warm-up: every API process builds its embedder and the course's page index once.
        asyncio.run(load(stack, token, course["id"], 5 * args.api_workers, 2, args.languages))
        api, store = psutil.Process(stack.procs["api"].pid), psutil.Process(milvus.pid or 0)
        before = [cpu_seconds(p) for p in (api, store)]
        measured = asyncio.run(load(stack, token, course["id"], args.concurrency, args.rounds, args.languages))
        times = sorted(t for _, t in measured)
        spent = [cpu_seconds(p) - b for p, b in zip((api, store), before, strict=True)]
        api_cpu, store_cpu = (1000 * s / len(times) for s in spent)
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"\n{len(times)} questions, {args.concurrency} at once, {args.api_workers} API process(es): first token "
            f"p50 {1000 * statistics.median(times):.0f} ms, p95 {1000 * p95:.0f} ms, max {1000 * times[-1]:.0f} ms"
        )
        if args.languages:
            for name, chosen in (("English", ["en"]), ("other languages", ["hi", "bn", "ta", "de"])):
                part = sorted(t for lang, t in measured if lang in chosen)
                print(f"  {name}: {len(part)} questions, p50 {1000 * statistics.median(part):.0f} ms, "
                      f"p95 {1000 * part[int(0.95 * (len(part) - 1))]:.0f} ms")
        # The floor on this machine: the CPU all the questions of a burst cost, on every core.
        cores = psutil.cpu_count() or 1
        floor = (api_cpu + store_cpu) * args.concurrency / cores
        print(f"CPU per question: API {api_cpu:.1f} ms, milvus-lite {store_cpu:.1f} ms")
        print(f"so {args.concurrency} questions at once need at least {floor:.0f} ms on {cores} cores")
    finally:
        stack.stop_all()
        milvus.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
