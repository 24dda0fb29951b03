"""Run Alembic programmatically, so `profai migrate` needs no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import Settings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # migrations/env.py reads the database from here, not from the environment.
    config.attributes["settings"] = settings or load_settings()
    return config


def upgrade(revision: str = "head", settings: Settings | None = None) -> None:
    command.upgrade(alembic_config(settings), revision)


def downgrade(revision: str, settings: Settings | None = None) -> None:
    command.downgrade(alembic_config(settings), revision)


def autogenerate(message: str, settings: Settings | None = None) -> None:
    command.revision(alembic_config(settings), message=message, autogenerate=True)
