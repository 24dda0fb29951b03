"""The outage classifier (core/outages.py) on errors the real drivers raise, and the error
mapper's 503 + Retry-After for them (a bug stays a 500)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import redis
from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import create_engine, exc, text
from sqlalchemy.pool import QueuePool

from backend.errors import EXCEPTION_HANDLERS
from core.outages import Component, classify, is_outage
from core.vectors.lite_server import free_port
from tests.conftest import PG_ADMIN_URL


def raised(action: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as caught:
        action()
    return caught.value


def closed_port() -> int:
    return free_port()  # nothing listens there: connections are refused


def test_postgresql_refusing_connections_is_a_database_outage() -> None:
    err = raised(lambda: psycopg.connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/x", connect_timeout=3))
    outage = classify(err)
    assert outage is not None and outage.component is Component.DATABASE
    assert "unavailable" in outage.message and "127.0.0.1" not in outage.message  # no internals for clients


def test_through_sqlalchemy_too() -> None:
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/x")
    err = raised(engine.connect)
    assert isinstance(err, exc.OperationalError)
    assert classify(err) is not None and classify(err).component is Component.DATABASE  # type: ignore[union-attr]


def test_a_connection_the_server_ended_is_an_outage() -> None:
    # What every pooled connection meets after a restart: the server ended it (57P01).
    with (
        psycopg.connect(PG_ADMIN_URL, autocommit=True) as victim,
        psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin,
    ):
        pid = victim.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        err = raised(lambda: victim.execute("SELECT 1"))
    assert isinstance(err, psycopg.OperationalError)
    assert is_outage(err)


def test_errors_of_the_query_itself_are_not_outages() -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        assert not is_outage(raised(lambda: conn.execute("SELECT 1/0")))
        assert not is_outage(raised(lambda: conn.execute("SELECT * FROM no_such_table_here")))
        assert not is_outage(raised(lambda: conn.execute("SELECT 'a\x00b'")))  # NUL in text: input, not outage


def test_sqlite_database_is_locked_is_contention_not_an_outage(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0, "isolation_level": None})
        with engine.connect() as conn:
            err = raised(lambda: conn.execute(text("BEGIN IMMEDIATE")))
        assert "locked" in str(err)
        assert not is_outage(err)
    finally:
        holder.rollback()
        holder.close()


def test_pool_timeout_is_a_database_outage(tmp_path: Path) -> None:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'p.sqlite'}", poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    with engine.connect():
        err = raised(engine.connect)
    assert isinstance(err, exc.TimeoutError) and is_outage(err)


def test_redis_down_is_a_queue_outage_and_a_bad_command_is_not() -> None:
    err = raised(lambda: redis.Redis(port=closed_port(), socket_connect_timeout=2).ping())
    assert classify(err) is not None and classify(err).component is Component.QUEUE  # type: ignore[union-attr]
    with redis.Redis.from_url("redis://127.0.0.1:6379/15") as conn:
        assert not is_outage(raised(lambda: conn.execute_command("NO-SUCH-COMMAND")))


def test_milvus_unreachable_is_a_vector_store_outage_and_bad_input_is_not() -> None:
    from pymilvus import MilvusClient

    err = raised(lambda: MilvusClient(uri=f"http://127.0.0.1:{closed_port()}", timeout=3))
    assert classify(err) is not None and classify(err).component is Component.VECTOR_STORE  # type: ignore[union-attr]
    assert not is_outage(raised(lambda: MilvusClient(uri="ftp://127.0.0.1:1")))


def test_the_cause_chain_is_followed_and_other_errors_are_bugs() -> None:
    refused = raised(lambda: redis.Redis(port=closed_port(), socket_connect_timeout=2).ping())
    try:
        raise RuntimeError("while enqueueing") from refused
    except RuntimeError as wrapped:
        assert is_outage(wrapped)
    assert not is_outage(ValueError("bad"))
    assert not is_outage(ConnectionRefusedError("not one of our components"))


def test_the_error_mapper_answers_503_with_retry_after_for_an_outage_and_500_for_a_bug() -> None:
    port = closed_port()

    @get("/down", sync_to_thread=False)
    def down() -> None:
        redis.Redis(port=port, socket_connect_timeout=2).ping()

    @get("/bug", sync_to_thread=False)
    def bug() -> None:
        raise KeyError("a bug")

    @get("/db")
    async def db() -> None:
        await psycopg.AsyncConnection.connect(f"postgresql://postgres@127.0.0.1:{port}/x", connect_timeout=3)

    app = Litestar([down, bug, db], exception_handlers=EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        for path, component in (("/down", "queue"), ("/db", "database")):
            reply = client.get(path)
            assert reply.status_code == 503, reply.text
            assert int(reply.headers["Retry-After"]) > 0
            assert reply.json()["error"]["code"] == "service_unavailable"
            assert reply.json()["error"]["details"] == {"component": component}
        reply = client.get("/bug")
        assert reply.status_code == 500 and "Retry-After" not in reply.headers
