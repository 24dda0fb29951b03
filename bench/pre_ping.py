"""What SQLAlchemy's pool_pre_ping costs per request on PostgreSQL.

Each "request" checks a connection out of the ORM engine's pool, runs one primary-key
read in autocommit (as a GET does) and gives the connection back; with pre-ping the
checkout first sends an empty round trip. Prints wall time and this process's CPU time
per request, with and without, in alternating rounds (the machine is shared).

    python -m bench.pre_ping [--database-url postgresql+psycopg://postgres@127.0.0.1/profai_bench] [-n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def per_request(url: str, pre_ping: bool, n: int, concurrency: int) -> tuple[float, float]:
    engine = create_async_engine(url, pool_size=concurrency, max_overflow=0, pool_pre_ping=pre_ping)
    bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    try:

        async def one() -> None:
            async with bind.connect() as conn:
                await conn.execute(text("SELECT id FROM bench_rows WHERE id = 1"))

        for _ in range(concurrency * 4):  # open the pool's connections first
            await one()
        wall, cpu = time.perf_counter(), time.process_time()

        async def lane(count: int) -> None:
            for _ in range(count):
                await one()

        await asyncio.gather(*(lane(n // concurrency) for _ in range(concurrency)))
        done = n // concurrency * concurrency
        return (time.perf_counter() - wall) / done * 1e6, (time.process_time() - cpu) / done * 1e6
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("-n", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    name = f"profai_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = "postgresql+psycopg://" + args.admin_url.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_rows (id int primary key, v text)")
            conn.execute("INSERT INTO bench_rows VALUES (1, 'x')")
        results: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for _ in range(args.rounds):
            for pre_ping in (False, True):
                results[pre_ping].append(await per_request(url, pre_ping, args.n, args.concurrency))
        for pre_ping, rows in results.items():
            wall = statistics.median(w for w, _ in rows)
            cpu = statistics.median(c for _, c in rows)
            print(f"pre_ping={pre_ping!s:5}  wall {wall:7.0f} µs/request  client CPU {cpu:7.0f} µs/request")
        off, on = (statistics.median(w for w, _ in results[p]) for p in (False, True))
        off_cpu, on_cpu = (statistics.median(c for _, c in results[p]) for p in (False, True))
        print(f"pre-ping costs {on - off:+.0f} µs wall and {on_cpu - off_cpu:+.0f} µs CPU per request")
    finally:
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
