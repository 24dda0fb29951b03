"""Chaos run: N concurrent upload jobs while the infrastructure fails on a schedule.

A stack on PostgreSQL + Redis + milvus-lite with 2 API processes and 2 workers (each of
the three servers its own, or reached through a proxy, so that it can be broken without
touching anyone else's): uploads go in five waves, one before each fault, while a few
clients keep asking (course lists, job status, the tutor). The faults, in order:

1. a worker SIGKILLed (and another started, as a supervisor would);
2. Redis restarted (its queue is lost: no persistence);
3. PostgreSQL restarted (a proxy cut: every connection ends; the machine's server is shared);
4. milvus-lite down for --milvus-down seconds, then started again;
5. the queue (Redis) down for --queue-down seconds while a wave of uploads comes in.

Then it waits for every job to end and prints: lost / duplicated / failed / stuck jobs,
the 5xx answers by status (and route), and the time to recover from each fault (see
`Fault.recovered` for what "recovered" means for each one).

    python -m bench.chaos [-n 300] [--milvus-down 20] [--queue-down 15] [--settle 900]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench.legacy_load import PG_ADMIN, pg_database
from core.vectors.lite_server import MilvusLiteServer, free_port
from core.vectors.store import ChunkStore
from tests.api.tutor_course import SMALL, built_course
from tests.harness import Stack
from tests.jobs.test_queue_outage import RedisServer
from tests.tcp_proxy import TcpProxy

FINAL = ("succeeded", "failed", "cancelled")


@dataclass
class Fault:
    name: str
    started: float = 0.0
    back: float = 0.0  # when the broken part was whole again
    recovered: float | None = None  # seconds from `back` until the stack works again
    then: str = ""  # what else was measured after it

    def line(self) -> str:
        took = "not recovered" if self.recovered is None else f"{self.recovered:.1f} s"
        return f"  {self.name:<22} down {self.back - self.started:5.1f} s   recovered after {took}{self.then}"


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: Counter[tuple[int, str]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def call(self, label: str, send: Callable[[], httpx.Response]) -> httpx.Response | None:
        try:
            reply = send()
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors[f"{label}: {type(exc).__name__}"] += 1
            return None
        with self.lock:
            self.answers[(reply.status_code, label)] += 1
        return reply


class Chaos:
    def __init__(self, args: argparse.Namespace, work: Path, database: str) -> None:
        self.args = args
        self.record = Record()
        self.milvus = MilvusLiteServer(work / "milvus", port=free_port())
        self.redis = RedisServer(work)
        self.proxy = TcpProxy("127.0.0.1", int(database.split("@127.0.0.1:")[1].split("/")[0]))
        self.database = database  # direct, for the bench's own checks
        self.stack = Stack(
            work / "stack",
            self.milvus.uri,
            database_url=database.replace("@127.0.0.1:5432/", f"@127.0.0.1:{self.proxy.port}/"),
            redis_url=self.redis.url,
            extra_env={
                "API_WORKERS": "2",
                "QUEUE_NAME": f"chaos{uuid.uuid4().hex[:6]}",
                "JOB_RETRY_BACKOFF_SECONDS": "5",  # the default: the old retry budget was 5 s + 10 s
                "RATE_LIMIT_UPLOAD": "100000/hour",
                "RATE_LIMIT_CHAT": "100000/minute",
            },
        )
        self.jobs: list[str] = []
        self.stop = threading.Event()

    # --- set-up ---------------------------------------------------------------------
    def start(self) -> None:
        self.milvus.start(timeout=90)
        self.redis.start()
        self.proxy.start()
        self.stack.boot(workers=2)
        _, self.teacher = self.stack.user("teacher")
        self.course = built_course(self.stack, SMALL, "Chaos probe")  # the tutor's course

    def close(self) -> None:
        self.stop.set()
        self.proxy.restore()
        self.stack.stop_all()
        self.proxy.stop()
        self.redis.stop()
        self.milvus.stop()

    # --- load -----------------------------------------------------------------------
    def upload_one(self, i: int) -> None:
        made = self.record.call("create course", lambda: self.teacher.post("/api/v1/courses", json={"title": f"c{i}"}))
        if made is None or made.status_code != 201:
            return
        cid = made.json()["id"]
        files = [("files", (SMALL.name, SMALL.read_bytes()))]
        reply = self.record.call("upload", lambda: self.teacher.post(f"/api/v1/courses/{cid}/documents", files=files))
        if reply is not None and reply.status_code == 202:
            with self.record.lock:
                self.jobs.append(reply.json()["job"]["id"])

    def wave(self, count: int) -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(self.upload_one, range(len(self.jobs), len(self.jobs) + count)))

    def traffic(self) -> None:
        ask = {"question": "How do I read a file?"}
        cid = self.course.id
        while not self.stop.is_set():
            job = random.choice(self.jobs) if self.jobs else None
            self.record.call("list courses", lambda: self.teacher.get("/api/v1/courses", params={"limit": 20}))
            if job:
                self.record.call("job status", lambda j=job: self.teacher.get(f"/api/v1/jobs/{j}"))  # type: ignore[misc]
            self.record.call("tutor", lambda: self.course.student.post(f"/api/v1/courses/{cid}/chat", json=ask))
            time.sleep(0.2)

    # --- faults ---------------------------------------------------------------------
    def until(self, works: Callable[[], bool], limit: float = 900) -> float | None:
        began = time.monotonic()
        while time.monotonic() - began < limit:
            with contextlib.suppress(Exception):
                if works():
                    return time.monotonic() - began
            time.sleep(0.1)
        return None

    def api_works(self) -> bool:
        job = self.jobs[0] if self.jobs else ""
        return self.teacher.get("/api/v1/courses", params={"limit": 3}).status_code == 200 and (
            not job or self.teacher.get(f"/api/v1/jobs/{job}").status_code == 200
        )

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with psycopg.connect(self.database.replace("+psycopg", ""), connect_timeout=5) as conn:
            return list(conn.execute(query, params).fetchall())

    def kill_worker(self, fault: Fault) -> None:
        proc = self.stack.procs.pop("worker0")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        fault.back = time.monotonic()
        self.stack.start("worker2", "worker")
        # Recovered: none of its jobs is still "running" on the dead worker (re-queued by the
        # reaper after JOB_STALE_SECONDS, then started again or finished).
        dead = f"%:{proc.pid}:%"
        fault.recovered = self.until(
            lambda: not self.sql("SELECT 1 FROM jobs WHERE status='running' AND worker LIKE %s", (dead,))
        )

    def restart_redis(self, fault: Fault) -> None:
        self.redis.stop()
        self.redis.start()
        fault.back = time.monotonic()
        fault.recovered = self.until(
            lambda: httpx.get(f"{self.stack.url}/health/ready").json()["checks"]["queue"] == "ok"
        )

    def restart_postgres(self, fault: Fault) -> None:
        self.proxy.cut()
        self.proxy.restore()
        fault.back = time.monotonic()
        fault.recovered = self.until(self.api_works)

    def restart_milvus(self, fault: Fault) -> None:
        self.milvus.stop()
        time.sleep(self.args.milvus_down)
        self.milvus = MilvusLiteServer(self.milvus.data_dir, port=self.milvus.port)
        self.milvus.start(timeout=90)
        fault.back = time.monotonic()
        ask = {"question": "How do I read a file?"}
        url = f"/api/v1/courses/{self.course.id}/chat"
        # Recovered: the tutor answers again. Then: no job is still waiting for the store.
        fault.recovered = self.until(lambda: self.course.student.post(url, json=ask).status_code == 200)
        resumed = self.until(lambda: not self.sql("SELECT 1 FROM jobs WHERE stage = 'waiting'"), limit=300)
        fault.then = f"; no job waiting after {resumed:.1f} s" if resumed is not None else "; jobs still waiting"

    def queue_down(self, fault: Fault) -> None:
        self.redis.stop()
        before = len(self.jobs)
        began = time.monotonic()
        self.wave(self.per_wave)  # accepted (202) while the queue is down
        time.sleep(max(0.0, self.args.queue_down - (time.monotonic() - began)))
        during = self.jobs[before:]
        self.redis.start()
        fault.back = time.monotonic()
        # Recovered: the API sees the queue again. Then: every job accepted while it was down
        # has started (the reaper sends them again; they queue behind the backlog).
        fault.recovered = self.until(
            lambda: httpx.get(f"{self.stack.url}/health/ready").json()["checks"]["queue"] == "ok"
        )
        started = self.until(
            lambda: not during or not self.sql("SELECT 1 FROM jobs WHERE status='queued' AND id = ANY(%s)", (during,))
        )
        took = "never" if started is None else f"{started:.1f} s"
        fault.then = f"; its {len(during)} jobs all started after {took}"

    # --- the run --------------------------------------------------------------------
    def run(self) -> list[Fault]:
        n = self.args.n
        self.per_wave = max(1, n // 5)
        threading.Thread(target=self.traffic, daemon=True).start()
        faults = [
            (Fault("worker SIGKILL"), self.kill_worker),
            (Fault("Redis restart"), self.restart_redis),
            (Fault("PostgreSQL restart"), self.restart_postgres),
            (Fault("milvus-lite restart"), self.restart_milvus),
            (Fault("queue down"), self.queue_down),
        ]
        for i, (fault, inject) in enumerate(faults):
            if fault.name != "queue down":
                self.wave(self.per_wave if i < 4 else n - len(self.jobs))
                time.sleep(self.args.gap)  # let the wave's jobs start
            print(f"{time.strftime('%H:%M:%S')} {fault.name} ({len(self.jobs)} jobs accepted so far)", flush=True)
            fault.started = time.monotonic()
            inject(fault)
        if len(self.jobs) < n:
            self.wave(n - len(self.jobs))
        deadline = time.monotonic() + self.args.settle
        while time.monotonic() < deadline and self.sql(
            "SELECT 1 FROM jobs WHERE id = ANY(%s) AND status NOT IN ('succeeded','failed','cancelled')",
            (self.jobs,),
        ):
            time.sleep(1)
        self.stop.set()
        return [f for f, _ in faults]

    def report(self, faults: list[Fault]) -> None:
        rows = self.sql("SELECT id, status, attempts, error, course_id FROM jobs WHERE id = ANY(%s)", (self.jobs,))
        found = {str(r[0]): r for r in rows}
        statuses = Counter(str(r[1]) for r in rows)
        lost = [j for j in self.jobs if j not in found]
        stuck = [j for j, r in found.items() if r[1] not in FINAL]
        failed = [r for r in rows if r[1] == "failed"]
        courses = [str(r[4]) for r in rows if r[1] == "succeeded"]
        dup_lessons = self.sql(
            "SELECT count(*) FROM (SELECT 1 FROM lessons WHERE course_id = ANY(%s) "
            "GROUP BY course_id, source_key HAVING count(*) > 1) d",
            (courses,),
        )[0][0]
        chunks = {
            str(cid): int(str(total or 0))
            for cid, total in self.sql(
                "SELECT course_id, sum(chunk_count) FROM documents WHERE course_id = ANY(%s) GROUP BY 1", (courses,)
            )
        }
        with ChunkStore(self.milvus.uri, collection=self.stack.env()["MILVUS_COLLECTION"], dim=384) as store:
            store.ensure_collection()
            dup_vectors = 0
            for cid in courses:
                ids = store.chunk_ids(cid)
                if len(ids) != len(set(ids)) or len(ids) != chunks.get(cid, 0):
                    dup_vectors += 1
        errors = {key: n for key, n in self.record.answers.items() if key[0] >= 500}
        by_status: Counter[int] = Counter()
        for (status, _label), n in errors.items():
            by_status[status] += n
        print(f"\nchaos run: {len(self.jobs)} upload jobs, 2 API processes, 2 workers (one killed and replaced)")
        print(f"  jobs: {dict(statuses)}; retried (attempts > 1): {sum(1 for r in rows if int(str(r[2])) > 1)}")
        print(
            f"  lost {len(lost)}   duplicated {dup_lessons} lesson sets, {dup_vectors} vector sets   "
            f"failed {len(failed)}   stuck {len(stuck)}"
        )
        for r in failed[:5]:
            print(f"    failed {r[0]}: {str(r[3])[:160]}")
        total = sum(self.record.answers.values())
        print(f"  requests: {total}; 5xx by status: {dict(by_status) or 'none'}")
        for (s, label), n in sorted(errors.items()):
            print(f"    {s} {label}: {n}")
        if self.record.errors:
            print(f"  transport errors: {dict(self.record.errors)}")
        print("  recovery:")
        for fault in faults:
            print(fault.line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="upload jobs (default 300)")
    parser.add_argument("--milvus-down", type=float, default=20.0, help="seconds milvus-lite stays down")
    parser.add_argument("--queue-down", type=float, default=15.0, help="seconds the queue stays down")
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between a wave and its fault")
    parser.add_argument("--settle", type=float, default=1200.0, help="seconds to wait for the jobs at the end")
    args = parser.parse_args()
    print(f"chaos: N={args.n}, PostgreSQL {PG_ADMIN.rsplit('@', 1)[-1]} (through a proxy), own Redis and milvus-lite")
    with tempfile.TemporaryDirectory(prefix="profai-chaos-") as tmp, pg_database() as database:
        chaos = Chaos(args, Path(tmp), database)
        try:
            chaos.start()
            chaos.report(chaos.run())
        finally:
            chaos.close()


if __name__ == "__main__":
    main()
