"""Alembic environment: the URL comes from settings, never from alembic.ini."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from core.db import models  # noqa: F401 - registers every table on Base.metadata
from core.db.base import Base
from core.db.engine import create_engine
from core.settings import Settings, load_settings

config = context.config
target_metadata = Base.metadata


def _settings() -> Settings:
    # core/db/migrate.py passes the caller's settings; bare `alembic` reads the environment.
    given = config.attributes.get("settings")
    return given if isinstance(given, Settings) else load_settings()


def run_migrations_offline() -> None:
    context.configure(
        url=_settings().resolved_database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    # Batch mode lets ALTER-heavy migrations run on SQLite too.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(_settings())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(run_migrations_online())
