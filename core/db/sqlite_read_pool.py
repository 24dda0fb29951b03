"""Hot reads on SQLite: plain sqlite3 connections in a few threads, one thread hop per read.

Through the async ORM session a primary-key read costs ~2.7 ms of CPU here, nearly all of
it nine aiosqlite thread hops (BEGIN, cursor, execute, fetch, close, ROLLBACK...) and the
event loop wake-ups they cause; a sqlite3 call in a pool thread costs one. The statements
are the repositories' Core statements, compiled once (named parameters) and converted by
the columns' own result processors, as core/db/read_pool.py does for PostgreSQL.

Each statement runs in autocommit, so it sees everything committed before it began (WAL
readers never wait for the writer). The connections are opened read-write with
`query_only` on: a read-only URI would fail on a WAL database whose -shm file is missing.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from core.db.read_pool import Statement, StatementCache


class SqliteReadPool:
    def __init__(self, path: Path, size: int = 4) -> None:
        self.path = path
        self._statements = StatementCache(SQLiteDialect_pysqlite(paramstyle="named"))
        self._executor: ThreadPoolExecutor | None = None
        self._size = max(1, size)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(self._size, thread_name_prefix="sqlite-read")

    async def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _fetch(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        cursor = self._connection().execute(sql, params)
        try:
            return [dict(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    async def first(self, stmt: Statement, params: dict[str, Any]) -> dict[str, Any] | None:
        """The row of a statement that finds at most one (by key), or None."""
        rows = await self.all(stmt, params)
        return rows[0] if rows else None

    async def all(self, stmt: Statement, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every row of `stmt` with its bind parameters set by name."""
        if self._executor is None:
            raise RuntimeError("the SQLite read pool is not open")
        compiled = self._statements.compiled(stmt)
        loop = asyncio.get_running_loop()
        rows = await loop.run_in_executor(self._executor, self._fetch, compiled.sql, {**compiled.defaults, **params})
        return [compiled.convert(row) for row in rows]
