"""Tutor answer quality on the Python tutorial: does the answer cite the page that holds it?

    .venv/bin/python -m bench.chat_page_hits [--limit N]

(from the repo root). Boots a real stack (milvus-lite server, API, worker on SQLite) in a
temporary folder, builds a course from the tutorial PDF through the API, then asks every
question of python-tutorial-qa.json through POST /api/v1/courses/{id}/chat.

page-hit@5: one of the answer's first five citations is on a page that prints one of the
question's answer phrases (the pages as the server numbers them). hit@1: the first citation
is. Also prints not-covered answers and answer latency (the offline answerer's full turn).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.api.tutor_course import answer_pages, built_course
from tests.harness import Stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profai-bench-") as tmp:
        server = MilvusLiteServer(Path(tmp) / "milvus", port=free_port())
        server.start(timeout=90)
        stack = Stack(Path(tmp) / "stack", server.uri)
        try:
            stack.boot()
            started = time.monotonic()
            course = built_course(stack)
            print(f"course built in {time.monotonic() - started:.0f} s")
            questions = answer_pages(stack, course)
            if args.limit:
                questions = questions[: args.limit]
            hit5 = hit1 = uncovered = 0
            latencies = []
            for question, pages in questions:
                t0 = time.perf_counter()
                reply = course.student.post(f"/api/v1/courses/{course.id}/chat", json={"question": question})
                latencies.append(time.perf_counter() - t0)
                reply.raise_for_status()
                cited = [c["page"] for c in reply.json()["citations"]]
                uncovered += not cited
                hit5 += any(p in pages for p in cited[:5])
                hit1 += bool(cited) and cited[0] in pages
                mark = "ok " if any(p in pages for p in cited[:5]) else "MISS"
                print(f"{mark} pages {sorted(pages)} cited {cited}  {question}")
            n = len(questions)
            lat = sorted(latencies)
            print(f"\nquestions: {n}")
            print(f"page-hit@5: {hit5 / n:.3f} ({hit5}/{n})")
            print(f"page-hit@1: {hit1 / n:.3f} ({hit1}/{n})")
            print(f"not covered: {uncovered}")
            print(
                f"answer latency: median {statistics.median(lat) * 1000:.0f} ms, "
                f"p90 {lat[int(0.9 * (n - 1))] * 1000:.0f} ms"
            )
        finally:
            stack.stop_all()
            server.stop()


if __name__ == "__main__":
    main()
