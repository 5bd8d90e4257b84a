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
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column('human_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_person_email_hash', ['email_hash'], unique=False)
        batch_op.create_index('ix_person_human_id', ['human_id'], unique=False)
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
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_human_id')
        batch_op.drop_index('ix_person_email_hash')
        batch_op.drop_column('human_id')
        batch_op.drop_column('email_hash')
