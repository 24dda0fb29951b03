"""Eight upload jobs on one course at once, on SQLite and on PostgreSQL + Redis: one outline
comes out, with every document's modules, each module at its own position and under its own
source key (a document repeating a chapter title included)."""

from __future__ import annotations

import random
import sqlite3
import threading
from typing import Any

import httpx
import psycopg

from tests.api.test_courses import make_course
from tests.conftest import StackFactory
from tests.harness import Stack, wait_job

JOBS = 8


def words(rng: random.Random, stem: str, n: int) -> str:
    """Prose no other document shares, so no chapter counts as a duplicate of another's."""
    vocabulary = [f"{stem}{w}" for w in ("grain", "tide", "lamp", "stone", "reed", "moss", "flint", "brook")]
    sentences = []
    for _ in range(n // 8):
        sentences.append(" ".join(rng.choice(vocabulary) for _ in range(8)).capitalize() + ".")
    return " ".join(sentences)


def document(i: int) -> bytes:
    rng = random.Random(i)
    stem = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
    parts = [f"# Topic {stem}\n"]
    for section in ("Basics", "Practice"):
        parts.append(f"## {section} of {stem}\n\n{words(rng, stem, 80)}\n")
    if i == 0:  # a book whose chapters repeat a title: each "Exercises" is a module of its own
        parts = [f"# Topic {stem}\n\n## Basics\n\n{words(rng, stem, 400)}\n"]
        for n, chapter in enumerate(("Exercises", f"Review of {stem}", "Exercises")):
            for part in ("First", "Second"):
                parts.append(f"# {chapter}\n\n## {part} set\n\n{words(rng, stem + str(n) + part, 400)}\n")
    return "\n".join(parts).encode()


def module_rows(stack: Stack, course_id: str) -> list[tuple[int, str]]:
    query = "SELECT position, source_key FROM modules WHERE course_id = %s ORDER BY position"
    if stack.database_url:
        url = stack.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            return [(int(p), str(k)) for p, k in conn.execute(query, (course_id,)).fetchall()]
    with sqlite3.connect(stack.data_dir / "profai.db") as conn:
        return [(int(p), str(k)) for p, k in conn.execute(query.replace("%s", "?"), (course_id,)).fetchall()]


def test_eight_jobs_on_one_course_make_one_consistent_outline(stack_factory: StackFactory) -> None:
    stack = stack_factory(workers=2, env={"WORKER_THREADS": str(JOBS // 2)})
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    token = str(teacher.headers["Authorization"])
    replies: list[dict[str, Any]] = [{} for _ in range(JOBS)]
    start = threading.Barrier(JOBS)

    def send(i: int) -> None:
        with httpx.Client(base_url=stack.url, headers={"Authorization": token}, timeout=120) as client:
            start.wait()
            reply = client.post(f"/api/v1/courses/{cid}/documents", files=[("files", (f"d{i}.md", document(i)))])
            assert reply.status_code == 202, reply.text
            replies[i] = reply.json()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(JOBS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert all(replies), "an upload failed"
    jobs = [wait_job(teacher, r["job"]["id"], timeout=600) for r in replies]
    assert [j["status"] for j in jobs] == ["succeeded"] * JOBS, [(j["status"], j["error"]) for j in jobs]

    outline = teacher.get(f"/api/v1/courses/{cid}/outline").json()
    titles = [m["title"] for m in outline["modules"]]
    # Every document's chapter is there, and both "Exercises" chapters of the first.
    for i in range(JOBS):
        heading = document(i).decode().splitlines()[0].removeprefix("# ")
        assert heading in titles, (heading, titles)
    assert titles.count("Exercises") == 2
    assert len(titles) == JOBS + 3
    rows = module_rows(stack, cid)
    assert [p for p, _ in rows] == list(range(len(titles)))  # unique and without gaps
    assert len({k for _, k in rows}) == len(rows)
    assert [m["position"] for m in outline["modules"]] == list(range(len(titles)))
    lessons = [lesson["id"] for m in outline["modules"] for lesson in m["lessons"]]
    assert len(lessons) == len(set(lessons)) >= 2 * JOBS
