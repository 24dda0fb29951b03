"""question edits: a quiz whose questions the teacher edited survives regenerating the course

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 02:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, as in 0002 (a SQLite batch would drop `questions`, cascading to the
    # attempts' answers). Existing questions count as written by the pipeline.
    op.add_column('questions', sa.Column('edited_by_teacher', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('questions', 'edited_by_teacher')
