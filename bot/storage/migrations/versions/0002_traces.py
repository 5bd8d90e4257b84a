"""traces and community days: the ladder and community figures without scanning rollups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.tracker.fold import rebuild_community_days
from bot.tracker.traces import SCOPES, rebuild_traces

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _trace_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column('anchor', sa.Integer(), nullable=False),
        sa.Column('posted_days', sa.BigInteger(), nullable=False),
        sa.Column('reacted_days', sa.BigInteger(), nullable=False),
        sa.Column('posted_weeks', sa.BigInteger(), nullable=False),
        sa.Column('reacted_weeks', sa.BigInteger(), nullable=False),
        sa.Column('regular_until', sa.Integer(), nullable=False),
        sa.Column('contributor_until', sa.Integer(), nullable=False),
        sa.Column('reactor_until', sa.Integer(), nullable=False),
        sa.Column('active_until', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('person_trace',
    *_trace_columns(),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_table('member_trace',
    *_trace_columns(),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'person_id')
    )
    op.create_table('community_trace',
    *_trace_columns(),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id')
    )
    op.create_table('community_day',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'day')
    )
    connection = op.get_bind()
    for scope in SCOPES:
        rebuild_traces(connection, scope)
    rebuild_community_days(connection)


def downgrade() -> None:
    op.drop_table('community_day')
    op.drop_table('community_trace')
    op.drop_table('member_trace')
    op.drop_table('person_trace')
