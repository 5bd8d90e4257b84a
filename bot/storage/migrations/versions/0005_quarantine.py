"""inbox events that cannot be folded are quarantined: kept, counted, skipped by later folds

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUARANTINED = sa.text('quarantined_at IS NOT NULL')


def upgrade() -> None:
    op.add_column(
        'inbox_event',
        sa.Column('quarantined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.add_column(
        'inbox_event',
        sa.Column(
            'quarantine_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
    )
    op.create_index(
        'ix_inbox_event_quarantined',
        'inbox_event',
        ['quarantined_at'],
        postgresql_where=QUARANTINED,
        sqlite_where=QUARANTINED,
    )


def downgrade() -> None:
    op.drop_index('ix_inbox_event_quarantined', table_name='inbox_event')
    with op.batch_alter_table('inbox_event', schema=None) as batch_op:
        batch_op.drop_column('quarantine_reason')
        batch_op.drop_column('quarantined_at')
