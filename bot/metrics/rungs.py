"""How many people of each department stand on each rung: from person traces, in SQL.

One pass over one row per person, aggregated by the database, so the organisation's
ladder costs the same whatever the volume of activity. For a date on or after everyone's
latest activity (the usual "now"), each trace's `*_until` days answer with three
comparisons; for a date a little earlier, its bitmaps are read exactly as
`bot.tracker.traces.Trace.at` reads them; for a date further back, `None` tells the caller
to count from the rollups instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    Table,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlmodel import Session

from bot.metrics.queries import COMMUNITY, PERSON, end_of
from bot.storage.models import Animator, PersonTrace
from bot.tracker.traces import BITS, REACH_DAYS, STEADY_WEEKS, WEEKS, WINDOW_DAYS, week_of

TRACE: Table = PersonTrace.__table__  # type: ignore[attr-defined]
ANIMATOR: Table = Animator.__table__  # type: ignore[attr-defined]
RUNG_CODES = ("observer", "reactor", "contributor", "regular", "animator")
RungCounts = dict[str | None, Counter[str]]


def rung_counts_from_traces(session: Session, workspace_id: int, as_of: date) -> RungCounts | None:
    """Rung counts per department (None for people without one), or None if out of reach."""
    people = _people(workspace_id, as_of)
    counts, newest = _count(session, people, _rung_from_untils(people, as_of.toordinal()))
    if newest <= as_of.toordinal():
        return counts
    counts, newest = _count(session, people, _rung_from_bitmaps(people, as_of))
    return counts if newest <= as_of.toordinal() + REACH_DAYS else None


def animator_queries(workspace_id: int) -> tuple[Select[Any], Select[Any]]:
    """The ids of the workspace's animators: creators of its live communities, then the
    people named animators."""
    creators = select(COMMUNITY.c.creator_id).where(
        COMMUNITY.c.workspace_id == workspace_id,
        COMMUNITY.c.creator_id.is_not(None),
        COMMUNITY.c.is_archived.is_(False),
    )
    named = (
        select(ANIMATOR.c.person_id)
        .join(PERSON, PERSON.c.id == ANIMATOR.c.person_id)
        .where(PERSON.c.workspace_id == workspace_id)
    )
    return creators, named


def _people(workspace_id: int, as_of: date) -> Subquery:
    creators, named = animator_queries(workspace_id)
    return (
        select(
            PERSON.c.department,
            or_(PERSON.c.id.in_(creators), PERSON.c.id.in_(named)).label("animator"),
            *(column for column in TRACE.c if column.name != "person_id"),
        )
        .select_from(PERSON.outerjoin(TRACE, TRACE.c.person_id == PERSON.c.id))
        .where(
            PERSON.c.workspace_id == workspace_id,
            PERSON.c.is_bot.is_(False),
            PERSON.c.deleted.is_(False),
            PERSON.c.first_seen_at < end_of(as_of),
        )
        .subquery()
    )


def _count(session: Session, people: Subquery, rung: ColumnElement[Any]) -> tuple[RungCounts, int]:
    query = select(
        people.c.department, rung, func.count(), func.coalesce(func.max(people.c.anchor), 0)
    ).group_by(people.c.department, rung)
    counts: RungCounts = {}
    newest = 0
    for department, code, number, anchor in session.connection().execute(query):
        counts.setdefault(department or None, Counter())[RUNG_CODES[code]] += number
        newest = max(newest, anchor)
    return counts, newest


def _rung_from_untils(people: Subquery, day: int) -> ColumnElement[Any]:
    return case(
        (people.c.animator, 4),
        (people.c.regular_until >= day, 3),
        (people.c.contributor_until >= day, 2),
        (people.c.reactor_until >= day, 1),
        else_=0,
    ).label("rung")


def _rung_from_bitmaps(people: Subquery, as_of: date) -> ColumnElement[Any]:
    day = as_of.toordinal()
    days_back = literal(day) - people.c.anchor
    weeks_back = literal(week_of(day)) - (people.c.anchor - 1) // 7
    posted = _shift(people.c.posted_days, days_back)
    weeks = _shift(people.c.posted_weeks, weeks_back).op(">>", return_type=BigInteger)
    window = (1 << WINDOW_DAYS) - 1
    this_week = (1 << as_of.weekday() + 1) - 1
    active_weeks = sum(
        (_bit(weeks(literal(back, Integer)), 1) for back in range(1, WEEKS)),
        start=case((_bit(posted, this_week) != 0, 1), else_=0),
    )
    return case(
        (people.c.animator, 4),
        (people.c.anchor.is_(None), 0),
        (active_weeks >= STEADY_WEEKS, 3),
        (_bit(posted, window) != 0, 2),
        (_bit(_shift(people.c.reacted_days, days_back), window) != 0, 1),
        else_=0,
    ).label("rung")


def _shift(mask: ColumnElement[Any], steps: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(
        (steps >= BITS, 0),
        (steps <= -BITS, 0),
        (steps >= 0, mask.op("<<", return_type=BigInteger)(steps)),
        else_=mask.op(">>", return_type=BigInteger)(-steps),
    )


def _bit(mask: ColumnElement[Any], bits: int) -> ColumnElement[Any]:
    return mask.op("&", return_type=BigInteger)(bits)
