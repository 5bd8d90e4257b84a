"""directory: people's e-mail as a keyed hash, the human they are across platforms, HR entries

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'person',
        sa.Column('email_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column('person', sa.Column('human_id', sa.Integer(), nullable=True))
    op.create_index('ix_person_email_hash', 'person', ['email_hash'], unique=False)
    op.create_index('ix_person_human_id', 'person', ['human_id'], unique=False)
    op.create_table(
        'directory_entry',
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('department', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('site', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('manager_level', sa.Integer(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'key'),
    )


def downgrade() -> None:
    op.drop_table('directory_entry')
    op.drop_index('ix_person_human_id', table_name='person')
    op.drop_index('ix_person_email_hash', table_name='person')
    # Not a batch (a copy of `person` on SQLite): dropping the old table would cascade to
    # every row that refers to a person.
    op.execute('ALTER TABLE person DROP COLUMN human_id')
    op.execute('ALTER TABLE person DROP COLUMN email_hash')
