"""Session fixtures: one milvus-lite server; an embedded stack and a PostgreSQL + Redis stack."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
import redis

from core.vectors.lite_server import MilvusLiteServer, free_port
from tests.harness import Stack


@pytest.fixture(autouse=True)
def _keep_main_module() -> Iterator[None]:
    """Streamlit's AppTest leaves its temporary script as `__main__`; a child process spawned
    later (the parser's) would then run that script and die. Put the real one back."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URI of a milvus-lite server on a free loopback port, in a temporary data directory."""
    data_dir: Path = tmp_path_factory.mktemp("milvus")
    server = MilvusLiteServer(data_dir, port=free_port())
    server.start(timeout=90)
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    """The embedded default: SQLite, Huey on SQLite, milvus-lite, offline AI."""
    s = Stack(tmp_path_factory.mktemp("embedded"), milvus_server)
    try:
        yield s.boot()
    finally:
        s.stop_all()


@contextmanager
def new_pg_database() -> Iterator[str]:
    name = f"profai_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for these tests ({exc}); scripts/test.sh starts it")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    with new_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    # A database number per xdist worker, flushed first: parallel runs never share a queue.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = 8 + int(worker.removeprefix("gw") or 0) % 8
    url = f"{TEST_REDIS_URL}/{number}"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required for these tests ({exc}); scripts/test.sh starts it")
    return url


@pytest.fixture(scope="session")
def pg_stack(
    tmp_path_factory: pytest.TempPathFactory, milvus_server: str, pg_database: str, redis_url: str
) -> Iterator[Stack]:
    """The scale-out configuration: PostgreSQL, Redis, a Milvus server URI, two workers."""
    s = Stack(
        tmp_path_factory.mktemp("pgredis"), milvus_server, database_url=pg_database, redis_url=redis_url,
        # Two API processes: each one's cache must hear the other's (and the workers') commits.
        extra_env={"QUEUE_NAME": f"q{uuid.uuid4().hex[:8]}", "API_WORKERS": "2"},
    )
    try:
        yield s.boot(workers=2)
    finally:
        s.stop_all()


StackFactory = Callable[..., Stack]


@pytest.fixture(params=["embedded", "pg_redis"])
def stack_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, milvus_server: str, redis_url: str
) -> Iterator[StackFactory]:
    """Fresh stacks a test may break (kill workers, restart the API), on each configuration.

    Call with boot options: `stack_factory(workers=0, scheduler=True, env={...})`.
    """
    made: list[Stack] = []
    with ExitStack() as cleanup:

        def make(workers: int = 1, scheduler: bool = True, env: dict[str, str] | None = None) -> Stack:
            extra = {"QUEUE_NAME": f"q{uuid.uuid4().hex[:8]}", **(env or {})}
            database = cleanup.enter_context(new_pg_database()) if request.param == "pg_redis" else None
            s = Stack(
                tmp_path_factory.mktemp(request.param), milvus_server, database_url=database,
                redis_url=redis_url if database else None, extra_env=extra,
            )
            made.append(s)
            return s.boot(workers=workers, scheduler=scheduler)

        try:
            yield make
        finally:
            for s in made:
                s.stop_all()


@pytest.fixture(params=["embedded", "pg_redis"])
def any_stack(request: pytest.FixtureRequest) -> Stack:
    """Runs a test once on each configuration."""
    name = "stack" if request.param == "embedded" else "pg_stack"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


# Fixtures that start or need a server process: their tests are left out of the fast lane.
SERVER_FIXTURES = frozenset({"milvus_server", "pg_database", "redis_url", "database", "llm_server"})
PG_FIXTURES = frozenset({"pg_database", "redis_url"})
FAST_FOLDERS = ("unit", "deploy")  # the only folders whose tests may run without servers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test by what it needs, so `-m "not servers"` (scripts/test.sh --fast) is exact."""
    root = Path(__file__).resolve().parent
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        folder = item.path.resolve().relative_to(root).parts[0]
        if used & SERVER_FIXTURES or folder not in FAST_FOLDERS:
            item.add_marker(pytest.mark.servers)
        if used & PG_FIXTURES:
            item.add_marker(pytest.mark.pg)
