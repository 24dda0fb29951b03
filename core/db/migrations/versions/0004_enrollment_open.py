"""enrollment open: a teacher can close a course's enrollment code

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 08:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, as in 0002 (a SQLite batch would recreate `courses`, cascading
    # deletes). Existing courses stay open and their codes (8 characters) keep working.
    op.add_column('courses', sa.Column('enrollment_open', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column('courses', 'enrollment_open')
