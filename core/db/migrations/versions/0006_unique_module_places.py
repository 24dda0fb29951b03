"""unique module places: one module per position and per source key in a course

Concurrent jobs on one course could leave two modules at one position, and a document
repeating a chapter title gave two modules one source key. Existing data is repaired first:
each course's modules are numbered again in their current order (ties by creation time), and
a repeated source key gets a distinct suffix from its second use on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:30:00.000000
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, course_id, position, source_key FROM modules ORDER BY course_id, position, created_at, id")
    ).all()
    places: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    for module_id, course_id, position, source_key in rows:
        place = places.get(course_id, 0)
        places[course_id] = place + 1
        seen = keys.get((course_id, source_key), 0)
        keys[(course_id, source_key)] = seen + 1
        key = source_key if not seen else _repeat_key(source_key, seen + 1)
        if place != position or key != source_key:
            bind.execute(
                sa.text("UPDATE modules SET position = :p, source_key = :k WHERE id = :i"),
                {"p": place, "k": key, "i": module_id},
            )
    op.create_index('uq_modules_course_position', 'modules', ['course_id', 'position'], unique=True)
    op.create_index('uq_modules_course_source_key', 'modules', ['course_id', 'source_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_modules_course_source_key', table_name='modules')
    op.drop_index('uq_modules_course_position', table_name='modules')


def _repeat_key(key: str, occurrence: int) -> str:
    # The same rule as core/pipeline/generation.py's planner for a repeated module key.
    return hashlib.sha256(f"{key}\x1f{occurrence}".encode()).hexdigest()[:32]
