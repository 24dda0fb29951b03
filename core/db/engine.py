"""Engine and session factory built from settings.

SQLite gets WAL and a busy timeout so that the API, the workers and the scheduler can
share one file; PostgreSQL gets a pool sized by settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from core.db.writer_queue import WriterQueue
from core.settings import Settings

if TYPE_CHECKING:
    from core.db.changes import ChangeFeed

BUSY_TIMEOUT_SECONDS = 30


def create_engine(settings: Settings, **overrides: Any) -> AsyncEngine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # A fixed pool here too: SQLAlchemy's default (5 + 10 overflow) opened a connection,
        # with its own aiosqlite thread, for each request beyond five under load.
        fixed = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow, **overrides}
        engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, **fixed)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _take_turns(engine, WriterQueue(timeout=BUSY_TIMEOUT_SECONDS))
        return engine
    # Pre-ping: a pooled connection is checked (one empty round trip) when it is taken from
    # the pool. After a PostgreSQL restart every pooled connection is dead; without the
    # check each of them failed one request with a 500 until the pool had cycled (25 s to
    # 3 minutes measured). A failed ping also drops every older connection of the pool at
    # once. Its cost is measured in bench/pre_ping.py (docs/benchmarks.md).
    # A fixed-size pool by default: overflow connections are closed as soon as they are
    # returned, so under load each request would open and close one (measured: ~15 % of an
    # uncached read's CPU at 32 concurrent requests per process). Waiting for a pooled
    # connection is cheaper than opening one.
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_recycle": 1800,
        "pool_pre_ping": True,
    }
    options.update(overrides)
    return create_async_engine(url, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # We issue BEGIN ourselves (below), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _take_turns(engine: AsyncEngine, queue: WriterQueue) -> None:
    """BEGIN, with this process's writers queued for their turn first (core/db/writer_queue.py)."""

    def begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        if immediate:
            queue.enter(connection.info)
        try:
            _begin(connection)
        except BaseException:
            queue.leave(connection.info)
            raise

    def leave(connection: Any) -> None:
        queue.leave(connection.info)

    def leave_pool(_dbapi_connection: Any, record: ConnectionPoolEntry | None) -> None:
        if record is not None:
            queue.leave(record.info)

    event.listen(engine.sync_engine, "begin", begin)
    event.listen(engine.sync_engine, "commit", leave)
    event.listen(engine.sync_engine, "rollback", leave)
    event.listen(engine.sync_engine.pool, "checkin", leave_pool)
    event.listen(engine.sync_engine.pool, "invalidate", lambda c, r, _e: leave_pool(c, r))


def _begin(connection: Any) -> None:
    """Writers take SQLite's write lock when their transaction starts, not at the first write.

    A deferred transaction that reads and then writes cannot wait for another writer: in WAL
    mode SQLite answers "database is locked" at once instead of honouring busy_timeout. So
    sessions that may write begin IMMEDIATE and queue for the lock; read-only sessions stay
    DEFERRED and never block anyone.
    """
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_session_factory(
    engine: AsyncEngine, *, read_only: bool = False, changes: ChangeFeed | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that may write (the default), or read-only ones (GET requests, streams).

    On PostgreSQL read-only sessions run in autocommit: a transaction would cost a BEGIN
    and a COMMIT round trip around each read (three trips instead of one), and buys no
    consistency, since READ COMMITTED takes a fresh snapshot per statement anyway.
    With `changes`, every commit's tags go to that feed's sinks (core/db/changes.py).
    """
    if not read_only:
        bind = engine.execution_options(sqlite_begin="IMMEDIATE")
    elif engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    else:
        bind = engine
    if changes is None:
        return async_sessionmaker(bind, expire_on_commit=False)
    return async_sessionmaker(bind, expire_on_commit=False, sync_session_class=changes.session_class)
