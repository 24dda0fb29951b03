"""Which errors mean "a component we depend on is unavailable", as opposed to a bug.

An outage of the database, the queue (Redis) or the vector store is nobody's fault in
the request: the API answers 503 with Retry-After (backend/errors.py), a websocket
closes with 1013 (try again later), and a job waits for the component instead of
spending one of its attempts (jobs/outage_wait.py). Everything else stays what it is
(a 500 is a bug to fix). The test is deliberately narrow: SQLite's "database is
locked" is contention, not unavailability, and a constraint violation is a bug.

Drivers are imported lazily: core must not need Redis or psycopg installed to classify.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

# What clients are told to wait before trying again (seconds). Short: a restart of
# PostgreSQL, Redis or milvus-lite takes a few seconds, and retrying early costs little.
RETRY_AFTER_SECONDS = 5

# PostgreSQL SQLSTATE classes and codes that mean the server is going or not there yet:
# 08 connection exceptions, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
# connect now (starting up or in recovery).
_PG_STATES = ("08", "57P01", "57P02", "57P03")
# Texts of a connection that died under psycopg (no SQLSTATE: the socket just closed).
_PG_TEXTS = (
    "connection refused",
    "server closed the connection",
    "connection is closed",
    "the connection is lost",
    "consuming input failed",
    "terminating connection",
    "could not receive data",
    "could not send data",
    "connection timeout expired",
    "connection failed",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "no connection to the server",
    "ssl syscall error",
)
# pymilvus wraps gRPC failures in MilvusException; these texts and codes are the
# server being unreachable, or a collection the restarted server has not loaded yet.
_MILVUS_TEXTS = ("fail connecting to server", "server unavailable", "connection refused", "statuscode.unavailable")
_MILVUS_NOT_LOADED = 101


class Component(StrEnum):
    DATABASE = "database"
    QUEUE = "queue"
    VECTOR_STORE = "vector store"


@dataclass(frozen=True)
class Outage:
    component: Component
    detail: str  # the driver's own words, for logs and a job's message (never for clients)

    @property
    def message(self) -> str:
        return f"the {self.component.value} is unavailable right now; try again in a few seconds"


def classify(exc: BaseException) -> Outage | None:
    """The outage `exc` (or an exception it was raised from) stands for, or None."""
    for err in _chain(exc):
        component = _component_of(err)
        if component is not None:
            return Outage(component, f"{type(err).__name__}: {err}"[:500])
    return None


def is_outage(exc: BaseException) -> bool:
    return classify(exc) is not None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _component_of(err: BaseException) -> Component | None:
    module = type(err).__module__.split(".")[0]
    if module == "sqlalchemy":
        return _sqlalchemy(err)
    if module in ("psycopg", "psycopg_pool"):
        return _psycopg(err)
    if module == "redis":
        return _redis(err)
    if module in ("pymilvus", "grpc"):
        return _milvus(err)
    return None


def _sqlalchemy(err: BaseException) -> Component | None:
    from sqlalchemy import exc as sa

    if isinstance(err, sa.DBAPIError) and err.connection_invalidated:
        return Component.DATABASE
    if isinstance(err, sa.TimeoutError):
        # No pooled connection within the pool's timeout: every connection is stuck on a
        # database that does not answer (or the pool is exhausted): either way, later.
        return Component.DATABASE
    if isinstance(err, sa.DBAPIError) and err.orig is not None:
        return _component_of(err.orig)  # the driver's error decides
    return None


def _psycopg(err: BaseException) -> Component | None:
    import psycopg
    import psycopg_pool

    if isinstance(err, psycopg_pool.PoolTimeout | psycopg_pool.TooManyRequests):
        return Component.DATABASE
    if not isinstance(err, psycopg.OperationalError | psycopg.InterfaceError):
        return None  # integrity, data and programming errors are ours
    state = getattr(err, "sqlstate", None) or ""
    if state and state.startswith(_PG_STATES):
        return Component.DATABASE
    text = str(err).lower()
    if any(t in text for t in _PG_TEXTS):
        return Component.DATABASE
    return None


def _redis(err: BaseException) -> Component | None:
    from redis import exceptions as r

    if isinstance(err, r.ConnectionError | r.TimeoutError | r.BusyLoadingError | r.ReadOnlyError):
        return Component.QUEUE
    return None


def _milvus(err: BaseException) -> Component | None:
    import grpc
    from pymilvus.exceptions import ConnectError, MilvusException, MilvusUnavailableException

    if isinstance(err, ConnectError | MilvusUnavailableException):
        return Component.VECTOR_STORE
    if isinstance(err, grpc.RpcError):
        code = err.code() if callable(getattr(err, "code", None)) else None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return Component.VECTOR_STORE
        return None
    if isinstance(err, MilvusException):
        if err.code in (_MILVUS_NOT_LOADED, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return Component.VECTOR_STORE
        if any(t in str(err.message).lower() for t in _MILVUS_TEXTS):
            return Component.VECTOR_STORE
    return None
