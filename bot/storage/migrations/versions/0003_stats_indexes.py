"""indexes for the organisation's stats: contributors counted by range, the ladder without a sort

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 15:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_person_ladder',
        'person',
        ['workspace_id', 'department', 'is_bot', 'deleted', 'first_seen_at'],
    )
    op.create_index(
        'ix_member_trace_contributors', 'member_trace', ['community_id', 'contributor_until']
    )


def downgrade() -> None:
    op.drop_index('ix_member_trace_contributors', table_name='member_trace')
    op.drop_index('ix_person_ladder', table_name='person')
