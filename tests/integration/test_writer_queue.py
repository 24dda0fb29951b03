"""SQLite writers of one process queue for their turn (core/db/writer_queue.py), and every way a
transaction ends gives the turn back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from core.db.engine import create_engine, create_session_factory
from core.settings import Settings


def no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    # SQLite answers "database is locked" at once: a writer that reached SQLite while another
    # held the lock fails, so only the queue can make the second writer wait.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


async def scenario(tmp_path: Path) -> None:
    engine = create_engine(Settings(data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
    event.listen(engine.sync_engine, "connect", no_busy_wait)
    writers = create_session_factory(engine)
    try:
        async with writers() as db:
            await db.execute(text("CREATE TABLE t (n INTEGER)"))
            await db.commit()

        order: list[str] = []
        first_holds = asyncio.Event()

        async def first() -> None:
            async with writers() as db:
                await db.execute(text("INSERT INTO t VALUES (1)"))
                order.append("first wrote")
                first_holds.set()
                await asyncio.sleep(0.3)  # others are waiting meanwhile
                order.append("first commits")
                await db.commit()

        async def later(n: int) -> None:
            await first_holds.wait()
            async with writers() as db:
                await db.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                order.append(f"writer {n} wrote")
                await db.commit()

        await asyncio.gather(first(), *(later(n) for n in range(2, 6)))
        assert order[:2] == ["first wrote", "first commits"], order
        assert sorted(order[2:]) == [f"writer {n} wrote" for n in range(2, 6)]

        # A rollback, an error inside the transaction and a session closed without either
        # each give the turn back: the next writer does not hang.
        async with writers() as db:
            await db.execute(text("INSERT INTO t VALUES (6)"))
            await db.rollback()
        try:
            async with writers() as db:
                await db.execute(text("INSERT INTO t VALUES (7)"))
                await db.execute(text("INSERT INTO missing VALUES (1)"))
        except Exception as exc:  # noqa: BLE001 - the failing statement is the point
            assert "missing" in str(exc)
        async with writers() as db:
            await db.execute(text("INSERT INTO t VALUES (8)"))
        async with writers() as db:
            await asyncio.wait_for(db.execute(text("INSERT INTO t VALUES (9)")), 5)
            await db.commit()
            rows = (await db.execute(text("SELECT n FROM t ORDER BY n"))).scalars().all()
        assert rows == [1, 2, 3, 4, 5, 9]
    finally:
        await engine.dispose()


def test_writers_take_turns(tmp_path: Path) -> None:
    asyncio.run(scenario(tmp_path))
