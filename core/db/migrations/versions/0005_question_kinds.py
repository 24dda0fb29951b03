"""question kinds: what each quiz question asks (cloze, definition, true_statement, code_output, ...)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, as in 0002/0003. Existing questions get "": written before kinds were kept.
    op.add_column('questions', sa.Column('kind', sa.String(length=32), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('questions', 'kind')
