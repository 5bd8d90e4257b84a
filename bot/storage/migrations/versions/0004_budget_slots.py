"""budget slots: the weekly budget as a unique (person, period, slot), held by one suggestion

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:00:00.000000

Suggestions of the last weeks get the slots they hold, numbered in the order they were
planned: a person over budget already (two planning passes that overlapped) keeps slot 1
for the first and higher slots for the others, which delivery then refuses.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = timedelta(days=15)
"""Older periods are over in every time zone: no slot of theirs is claimed again."""


def upgrade() -> None:
    op.create_table('budget_slot',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'period', 'slot'),
    sa.UniqueConstraint('suggestion_id')
    )
    _backfill()


def downgrade() -> None:
    op.drop_table('budget_slot')


def _backfill() -> None:
    connection = op.get_bind()
    suggestion = sa.table(
        'suggestion',
        sa.column('id', sa.Integer()),
        sa.column('person_id', sa.Integer()),
        sa.column('state', sa.String()),
        sa.column('planned_at', sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    person = sa.table('person', sa.column('id', sa.Integer()), sa.column('tz', sa.String()))
    slot = sa.table(
        'budget_slot',
        sa.column('person_id', sa.Integer()),
        sa.column('period', sa.String()),
        sa.column('slot', sa.Integer()),
        sa.column('suggestion_id', sa.Integer()),
    )
    since = datetime.now(UTC) - BACKFILL
    rows = connection.execute(
        sa.select(suggestion.c.id, suggestion.c.person_id, suggestion.c.planned_at, person.c.tz)
        .join(person, person.c.id == suggestion.c.person_id)
        .where(
            suggestion.c.planned_at >= since,
            suggestion.c.state.not_in(('failed', 'cancelled')),
        )
        .order_by(suggestion.c.id)
    )
    taken: defaultdict[tuple[int, str], int] = defaultdict(int)
    slots = []
    for suggestion_id, person_id, planned_at, tz in rows:
        key = (person_id, _week(planned_at, tz))
        taken[key] += 1
        slots.append(
            {'person_id': person_id, 'period': key[1], 'slot': taken[key],
             'suggestion_id': suggestion_id}
        )
    for start in range(0, len(slots), 5000):
        connection.execute(sa.insert(slot), slots[start : start + 5000])


def _week(moment: datetime, tz: str | None) -> str:
    """The local ISO week, as `nudges.policy.budget.Schedule.week` names it."""
    try:
        zone = ZoneInfo(tz) if tz else UTC
    except (ValueError, KeyError):
        zone = UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f'{year}-W{week:02d}'
