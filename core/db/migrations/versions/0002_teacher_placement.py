"""teacher placement: modules and lessons the teacher arranged keep their place on regeneration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:38:19.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not batch mode: on SQLite a batch would copy and drop `modules`, and
    # dropping it cascades (foreign keys are on) to every lesson. Existing rows were placed by
    # the pipeline, hence the server default.
    op.add_column('modules', sa.Column('placed_by_teacher', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('lessons', sa.Column('placed_by_teacher', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column('lessons', 'placed_by_teacher')
    op.drop_column('modules', 'placed_by_teacher')
