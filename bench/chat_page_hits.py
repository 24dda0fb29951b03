"""Tutor answer quality on the Python tutorial, by language: right page, answer text, declines.

    .venv/bin/python -m bench.chat_page_hits [--limit N] [--no-multilingual]

(from the repo root). Boots a real stack (milvus-lite server, API, worker on SQLite) in a
temporary folder, builds a course from the tutorial PDF through the API (with the
multilingual step unless --no-multilingual), then asks through POST /api/v1/courses/{id}/chat:
- every question of python-tutorial-qa.json (English);
- the translations of python-tutorial-qa-multilingual.json (hi, bn, ta, de), without a
  `language` field: the tutor detects it;
- its unanswerable questions, in English and translated.

page-hit@5: one of the answer's first five citations is on a page that prints one of the
question's answer phrases (the pages as the server numbers them). hit@1: the first citation
is. answer-contains: the answer text holds an answer phrase (letters and digits compared).
Declines: precision (declined questions that were unanswerable) and recall (unanswerable
questions declined). Also prints answer latency (the offline answerer's full turn).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.api.tutor_course import QA, Course, answer_pages, built_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack

MULTILINGUAL = FIXTURES / "python-tutorial-qa-multilingual.json"
LANGUAGES = ("hi", "bn", "ta", "de")


def key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class Tally:
    def __init__(self) -> None:
        self.n = self.hit1 = self.hit5 = self.contains = self.declined = 0

    def line(self, name: str) -> str:
        n = max(self.n, 1)
        return (f"{name:>3}: n={self.n:3d}  page-hit@1 {self.hit1 / n:.2f}  page-hit@5 {self.hit5 / n:.2f}  "
                f"answer-contains {self.contains / n:.2f}  declined {self.declined}")


def ask(course: Course, question: str) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    reply = course.student.post(f"/api/v1/courses/{course.id}/chat", json={"question": question})
    elapsed = time.perf_counter() - t0
    reply.raise_for_status()
    return reply.json(), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N English questions")
    parser.add_argument("--no-multilingual", action="store_true", help="build without TUTOR_MULTILINGUAL")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args()
    env = {"TUTOR_MULTILINGUAL": "0" if args.no_multilingual else "1"}
    with tempfile.TemporaryDirectory(prefix="profai-bench-") as tmp:
        server = MilvusLiteServer(Path(tmp) / "milvus", port=free_port())
        server.start(timeout=90)
        stack = Stack(Path(tmp) / "stack", server.uri, extra_env=env)
        try:
            stack.boot()
            started = time.monotonic()
            course = built_course(stack)
            print(f"course built in {time.monotonic() - started:.0f} s")
            run(stack, course, args)
        finally:
            stack.stop_all()
            server.stop()


def run(stack: Stack, course: Course, args: argparse.Namespace) -> None:
    phrases = {q["question"]: q["answer_phrases"] for q in json.loads(QA.read_text())["questions"]}
    pages_of = dict(answer_pages(stack, course))
    fixture = json.loads(MULTILINGUAL.read_text())
    english = list(pages_of.items())[: args.limit or None]
    asked: list[tuple[str, str, str | None]] = [("en", q, q) for q, _ in english]
    for item in fixture["translations"]:
        asked += [(lang, item[lang], item["en"]) for lang in LANGUAGES if lang in item and item["en"] in pages_of]
    for item in fixture["unanswerable"]:
        asked += [(lang, text, None) for lang, text in item.items()]
    tallies: dict[str, Tally] = defaultdict(Tally)
    unanswerable: dict[str, Tally] = defaultdict(Tally)
    latencies: list[float] = []
    materials: dict[str, set[str]] = defaultdict(set)
    for lang, question, english_question in asked:
        body, elapsed = ask(course, question)
        latencies.append(elapsed)
        declined = body["mode"] == "not_covered"
        cited = [c["page"] for c in body["citations"]]
        materials[lang].add(f"{body['language']}/{body['material_language']}")
        if english_question is None:
            tally = unanswerable[lang]
            tally.n += 1
            tally.declined += declined
            mark = "ok  " if declined else "ANSWERED"
            if not args.quiet:
                print(f"{mark} [{lang}] {question} -> {body['answer'][:90]!r}")
            continue
        pages = pages_of[english_question]
        tally = tallies[lang]
        tally.n += 1
        tally.declined += declined
        tally.hit5 += any(p in pages for p in cited[:5])
        tally.hit1 += bool(cited) and cited[0] in pages
        contains = any(key(p) in key(body["answer"]) for p in phrases[english_question])
        tally.contains += contains
        if not args.quiet:
            mark = ("ok  " if any(p in pages for p in cited[:5]) else "MISS") + ("+" if contains else "-")
            print(f"{mark} [{lang}] pages {sorted(pages)} cited {cited}  {question}")
    print()
    for lang in ("en", *LANGUAGES):
        print(tallies[lang].line(lang))
    answerable_declined = sum(t.declined for t in tallies.values())
    unanswerable_declined = sum(t.declined for t in unanswerable.values())
    total_unanswerable = sum(t.n for t in unanswerable.values())
    declined = answerable_declined + unanswerable_declined
    print("unanswerable declined: " + ", ".join(f"{lang} {t.declined}/{t.n}" for lang, t in unanswerable.items()))
    print(f"decline precision {unanswerable_declined / max(declined, 1):.2f} "
          f"({unanswerable_declined}/{declined}), recall {unanswerable_declined / max(total_unanswerable, 1):.2f} "
          f"({unanswerable_declined}/{total_unanswerable}); answerable declined: {answerable_declined}")
    print("answer language/material language seen: " + ", ".join(f"{k} {sorted(v)}" for k, v in materials.items()))
    lat = sorted(latencies)
    p90 = lat[int(0.9 * (len(lat) - 1))]
    print(f"answer latency: median {statistics.median(lat) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
