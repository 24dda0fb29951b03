"""The original system's locust load test against a stack whose workers are building courses.

Starts a stack (embedded default, or PostgreSQL + Redis with --pg) with a worker, gives the
original's locust file (tests/legacy_clients/loadtest.py: uploads a PDF, a new course each
time, and lists courses three times as often) a teacher's API key, runs it headless for each
user count, and prints p50/p95/p99 per route and the failures. Every upload starts a job, so
the workers build courses on the same cores for the whole run. Locust runs on this machine
too: the figures are pessimistic.

Run: .venv/bin/python -m bench.legacy_load [--users 100 300] [--seconds 60] [--pg]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

import psutil
import psycopg

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.fixtures_path import FIXTURES
from tests.harness import Stack

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = REPO / "tests" / "legacy_clients" / "loadtest.py"
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/6"
GOAL_P95_MS, GOAL_P99_MS = 500, 1000


@contextmanager
def pg_database() -> Iterator[str]:
    name = f"profai_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_ADMIN.rsplit('/', 1)[0].split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_locust(url: str, key: str, users: int, seconds: int, spawn_rate: int, work: Path) -> list[dict[str, str]]:
    prefix = work / f"u{users}"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--csv",
            str(prefix),
        ],
        cwd=work,
        env={**os.environ, "PROFAI_API_KEY": key},
        capture_output=True,
        text=True,
        check=False,  # locust exits 1 when a request failed; the table says which
    )
    if "CPU usage" in run.stderr:
        print("  locust warned that its own CPU was saturated: latencies include its queueing")
    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in csv.DictReader(failures.open()):
            print(f"  failure: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    return rows


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a process and its children, live (uvicorn workers) or ended (parsers)."""
    total = 0.0
    for proc in (process, *process.children(recursive=True)):
        with suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def report(users: int, rows: list[dict[str, str]]) -> bool:
    print(f"\n{users} users")
    print(f"{'route':<28}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    ok = True
    for r in rows:
        name = f"{r['Type']} {r['Name']}".strip()
        print(
            f"{name:<28}{r['Request Count']:>9}{r['Failure Count']:>9}{r['50%']:>8}{r['95%']:>8}{r['99%']:>8}"
            f"{float(r['Max Response Time']):>8.0f}"
        )
        if r["Request Count"] != "0" and (
            int(r["Failure Count"]) or float(r["95%"]) > GOAL_P95_MS or float(r["99%"]) > GOAL_P99_MS
        ):
            ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[100])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (WORKER_THREADS each)")
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL + Redis instead of the embedded default")
    parser.add_argument("--pdf", type=Path, default=FIXTURES / "pdflatex-outline.pdf")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="profai-legacy-load-"))
    shutil.copy(args.pdf, data / "test.pdf")
    milvus = MilvusLiteServer(data / "milvus", port=free_port()).start()
    env = {
        "LOG_LEVEL": "WARNING",
        "API_WORKERS": str(args.api_workers),
        "QUEUE_NAME": f"b{uuid.uuid4().hex[:6]}",
        # The defaults, not the test harness's fast timings.
        "JOB_HEARTBEAT_SECONDS": "5",
        "JOB_STALE_SECONDS": "60",
        "REAPER_INTERVAL_SECONDS": "15",
        "CACHE_TTL_SECONDS": "30",
    }
    try:
        with pg_database() if args.pg else nullcontext() as database:
            stack = Stack(
                data / "stack", milvus.uri, database_url=database, redis_url=REDIS if args.pg else None, extra_env=env
            )
            try:
                stack.boot(workers=args.workers, scheduler=True)
                _, teacher = stack.user("teacher")
                key = teacher.post("/api/v1/api-keys", json={"name": "load", "scopes": ["read", "write"]}).json()["key"]
                print(
                    f"{'PostgreSQL + Redis' if args.pg else 'embedded default'}, {args.api_workers} API process(es), "
                    f"{args.workers} worker(s), WORKER_NICE={os.environ.get('WORKER_NICE', '10')}, "
                    f"{args.seconds} s per run, {os.cpu_count()} cores"
                )
                ok = True
                for users in args.users:
                    watched = {name: psutil.Process(proc.pid) for name, proc in stack.procs.items()}
                    before = {name: cpu_seconds(p) for name, p in watched.items()}
                    load_before, started = os.getloadavg()[0], time.monotonic()
                    ok &= report(users, run_locust(stack.url, key, users, args.seconds, args.spawn_rate, data))
                    wall = time.monotonic() - started
                    used = ", ".join(
                        f"{n} {100 * (cpu_seconds(p) - before[n]) / wall:.0f} %" for n, p in watched.items()
                    )
                    print(f"  CPU of one core used: {used}; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
                    with stack.client(stack.admin_token) as admin:
                        stats = admin.get("/api/v1/worker-stats").json()
                    print(f"  jobs after the run: {stats['jobs']}")
                verdict = "met" if ok else "NOT met"
                print(f"\ngoal p95 <= {GOAL_P95_MS} ms, p99 <= {GOAL_P99_MS} ms, no failures: {verdict}")
            finally:
                stack.stop_all()
    finally:
        milvus.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
