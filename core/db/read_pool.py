"""Hot reads through a plain driver pool, bypassing the ORM session: PostgreSQL here, SQLite
in core/db/sqlite_read_pool.py, both behind the `ReadPool` protocol.

A primary-key read through SQLAlchemy's async session costs ~1 ms of CPU here, through a
psycopg pool ~0.3 ms (measured in one process, same query): at a few thousand reads a
second the session is most of the API's work. Queries stay SQLAlchemy Core statements
written in repositories; this module compiles each once for PostgreSQL and applies the
columns' own result processing (aware datetimes, enums), so rows come back exactly as the
ORM would load them. Connections run in autocommit: one round trip per read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import CompoundSelect, Select
from sqlalchemy.engine import Dialect, make_url

from core.outages import is_outage

log = logging.getLogger(__name__)

Statement = Select[*tuple[Any, ...]] | CompoundSelect  # any row shape


class _Compiled:
    def __init__(self, stmt: Statement, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.defaults = dict(compiled.params)  # literals' values; named parameters come per call
        self.processors: list[tuple[str, Callable[[Any], Any] | None]] = [
            # The public path to a column's result conversion (TypeDecorators included):
            # the dialect's implementation of the type, asked for its result processor.
            (str(col.key), col.type.dialect_impl(dialect).result_processor(dialect, None))
            for col in stmt.selected_columns
        ]

    def convert(self, row: dict[str, Any]) -> dict[str, Any]:
        return {key: proc(row[key]) if proc is not None else row[key] for key, proc in self.processors}


class ReadPool(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def first(self, stmt: Statement, params: dict[str, Any]) -> dict[str, Any] | None:
        """The row of a statement that finds at most one (by key), or None."""
        ...

    async def all(self, stmt: Statement, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every row of `stmt` with its bind parameters set by name."""
        ...


class StatementCache:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: dict[int, tuple[Statement, _Compiled]] = {}

    def compiled(self, stmt: Statement) -> _Compiled:
        # Statements are module-level constants in repositories: identity is a stable key.
        # The statement is kept with its compiled form so its id cannot be reused.
        hit = self._compiled.get(id(stmt))
        if hit is None:
            hit = (stmt, _Compiled(stmt, self.dialect))
            self._compiled[id(stmt)] = hit
        return hit[1]


class PostgresReadPool:
    def __init__(self, database_url: str, dialect: Dialect, size: int) -> None:
        conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._statements = StatementCache(dialect)
        self._pool = AsyncConnectionPool(conninfo, min_size=1, max_size=size, kwargs={"autocommit": True}, open=False)

    async def open(self) -> None:
        await self._pool.open()

    async def close(self) -> None:
        await self._pool.close()

    async def first(self, stmt: Statement, params: dict[str, Any]) -> dict[str, Any] | None:
        """The row of a statement that finds at most one (by key), or None."""
        rows = await self.all(stmt, params)
        return rows[0] if rows else None

    async def all(self, stmt: Statement, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every row of `stmt` with its bind parameters set by name."""
        compiled = self._statements.compiled(stmt)
        args = {**compiled.defaults, **params}
        try:
            rows = await self._fetch(compiled.sql, args)
        except psycopg.OperationalError as exc:
            if not _broken(exc):
                raise
            # A connection of before a database restart (or a dropped one). Reads are safe to
            # repeat: drop every dead idle connection (one check of each), then try once more
            # on a sound one. If the database is really down this fails too, and the caller
            # answers 503 (core/outages.py).
            log.warning("read pool: a pooled connection was broken (%s); checking the pool and retrying once", exc)
            await self._pool.check()
            rows = await self._fetch(compiled.sql, args)
        return [compiled.convert(row) for row in rows]

    async def _fetch(self, sql: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(sql, args)
            return await cursor.fetchall()


def _broken(exc: psycopg.OperationalError) -> bool:
    """The connection died (its socket closed, or the server ended it), as opposed to a
    query the server refused: only the first is worth another connection."""
    return is_outage(exc)
