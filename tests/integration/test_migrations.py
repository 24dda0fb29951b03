"""Migrations run on SQLite and PostgreSQL, down and up again, and match the models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from core.db.base import Base
from core.db.engine import create_engine
from core.db.migrate import downgrade, upgrade
from core.settings import Settings, get_settings
from tests.conftest import new_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    sqlite = nullcontext(f"sqlite:///{tmp_path / 'm.db'}")
    with new_pg_database() if request.param == "postgresql" else sqlite as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            get_settings.cache_clear()


def _inspect(settings: Settings) -> tuple[set[str], list[object]]:
    def run(connection: Connection) -> tuple[set[str], list[object]]:
        context = MigrationContext.configure(connection)
        return set(inspect(connection).get_table_names()), compare_metadata(context, Base.metadata)

    async def go() -> tuple[set[str], list[object]]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(run)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_upgrade_downgrade_upgrade_matches_models(database: Settings) -> None:
    upgrade()
    tables, diff = _inspect(database)
    assert set(Base.metadata.tables) <= tables
    assert diff == [], f"models and migrations disagree: {diff}"
    downgrade("base")
    tables, _ = _inspect(database)
    assert tables <= {"alembic_version"}
    upgrade()
    tables, _ = _inspect(database)
    assert set(Base.metadata.tables) <= tables
