"""A fresh database per test, on SQLite and on PostgreSQL: `database` (empty), `migrated`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from core.db.migrate import upgrade
from core.settings import Settings, load_settings
from tests.conftest import new_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    sqlite = nullcontext(f"sqlite:///{tmp_path / 'm.db'}")
    with new_pg_database() if request.param == "postgresql" else sqlite as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        yield load_settings()


@pytest.fixture
def migrated(database: Settings) -> Settings:
    upgrade()
    return database
