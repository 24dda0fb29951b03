"""Migrations run on SQLite and PostgreSQL, down and up again, and match the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from core.db.base import Base
from core.db.engine import create_engine
from core.db.migrate import downgrade, upgrade
from core.settings import Settings


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


def _execute(settings: Settings, *statements: str) -> list[list[tuple[object, ...]]]:
    async def go() -> list[list[tuple[object, ...]]]:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                results = [await connection.execute(text(s)) for s in statements]
                return [[tuple(row) for row in r] if r.returns_rows else [] for r in results]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_0002_keeps_existing_modules_and_lessons(database: Settings) -> None:
    """Adding the placement columns must not rebuild `modules`: on SQLite that cascades to lessons."""
    upgrade("0001")
    now = "'2026-01-01 00:00:00+00:00'"
    stamps = f"{now}, {now}"
    _execute(
        database,
        "INSERT INTO users (id, email, name, role, password_hash, is_active, created_at, updated_at) "
        f"VALUES ('u', 'e@x', 'n', 'teacher', 'h', true, {stamps})",
        "INSERT INTO courses (id, owner_id, title, description, language, status, enrollment_code, "
        "allow_general_knowledge, created_at, updated_at) "
        f"VALUES ('c', 'u', 't', '', 'en', 'draft', 'K', false, {stamps})",
        "INSERT INTO modules (id, course_id, position, title, source_key, created_at, updated_at) "
        f"VALUES ('m', 'c', 0, 'M', 'k', {stamps})",
        "INSERT INTO lessons (id, course_id, module_id, position, title, body, summary, citations, chunk_ids, "
        "document_ids, source_key, edited_by_teacher, created_at, updated_at) "
        f"VALUES ('l', 'c', 'm', 0, 'L', 'b', 's', '[]', '[]', '[]', 'k', false, {stamps})",
    )
    upgrade()
    modules, lessons = _execute(
        database, "SELECT id, placed_by_teacher FROM modules", "SELECT id, placed_by_teacher FROM lessons"
    )
    assert [(i, bool(p)) for i, p in modules] == [("m", False)]
    assert [(i, bool(p)) for i, p in lessons] == [("l", False)]
    downgrade("0001")
    assert _execute(database, "SELECT id FROM lessons") == [[("l",)]]
