"""Maturity over time: the organisation's ladder, and each department's, month by month.

Each month is the ladder as of its last day (the 28-day window W ending then), computed and
protected exactly as the ladder of that day would be: departments too small that month are
pooled into "other", and no hidden count follows from that month's other figures.

A month before the current one costs a scan of the rollups; its counts rarely change (a
late import, an erasure, a new department), so `PastMonths` keeps them a while.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.events import utcnow
from bot.metrics.ladder import Ladder, RungCounts, ladders_of_departments, rung_counts

MONTHS = 12


@dataclass
class PastMonths:
    """Rung counts of month ends before the current month, kept for `keep` (per process)."""

    keep: timedelta = timedelta(hours=12)
    counts: dict[tuple[int | None, date], tuple[datetime, RungCounts]] = field(default_factory=dict)

    def get(self, workspace_id: int | None, end: date, now: datetime) -> RungCounts | None:
        found = self.counts.get((workspace_id, end))
        return found[1] if found is not None and now - found[0] < self.keep else None

    def put(self, workspace_id: int | None, end: date, counts: RungCounts, now: datetime) -> None:
        self.counts[(workspace_id, end)] = (now, counts)


@dataclass(frozen=True)
class LadderTrend:
    """Month ends (oldest first, the last one is the day asked for) and, for the organisation
    and each department that was shown at least one month, its ladder of each month (None
    for a month where the department was not shown on its own)."""

    months: tuple[date, ...]
    organisation: tuple[Ladder, ...]
    departments: dict[str, tuple[Ladder | None, ...]]


def month_ends(as_of: date, months: int = MONTHS) -> list[date]:
    """The last day of each of the `months - 1` months before `as_of`'s, then `as_of`."""
    ends = [as_of]
    first = as_of.replace(day=1)
    for _ in range(months - 1):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]


def ladder_trend(
    session: Session,
    workspace_id: int | None,
    as_of: date,
    minimum: int,
    months: int = MONTHS,
    past: PastMonths | None = None,
) -> LadderTrend:
    ends = month_ends(as_of, months)
    organisation: list[Ladder] = []
    per_month: list[dict[str, Ladder]] = []
    now = utcnow()
    for end in ends:
        counts = past.get(workspace_id, end, now) if past is not None and end < ends[-1] else None
        if counts is None:
            counts = rung_counts(session, workspace_id, end)
            if past is not None and end < as_of.replace(day=1):
                past.put(workspace_id, end, counts, now)
        org, departments = ladders_of_departments(counts, minimum)
        organisation.append(org)
        per_month.append({ladder.group: ladder for ladder in departments})
    names = sorted({name for month in per_month for name in month})
    return LadderTrend(
        months=tuple(ends),
        organisation=tuple(organisation),
        departments={name: tuple(month.get(name) for month in per_month) for name in names},
    )
