"""per-community settings set by animators: never suggest, and a welcome line

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'community',
        sa.Column('never_suggest', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'community', sa.Column('welcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )


def downgrade() -> None:
    # Not a batch (a copy of `community` on SQLite): dropping the old table would cascade to
    # every row that refers to a community.
    op.execute('ALTER TABLE community DROP COLUMN welcome')
    op.execute('ALTER TABLE community DROP COLUMN never_suggest')
