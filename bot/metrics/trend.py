"""Maturity over time: the organisation's ladder, and each department's, month by month.

Each month is the ladder as of its last day (the 28-day window W ending then), computed and
protected exactly as the ladder of that day would be: departments too small that month are
pooled into "other", and no hidden count follows from that month's other figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.metrics.ladder import Ladder, ladders_of_departments, rung_counts

MONTHS = 12


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
    session: Session, workspace_id: int | None, as_of: date, minimum: int, months: int = MONTHS
) -> LadderTrend:
    ends = month_ends(as_of, months)
    organisation: list[Ladder] = []
    per_month: list[dict[str, Ladder]] = []
    for end in ends:
        org, departments = ladders_of_departments(rung_counts(session, workspace_id, end), minimum)
        organisation.append(org)
        per_month.append({ladder.group: ladder for ladder in departments})
    names = sorted({name for month in per_month for name in month})
    return LadderTrend(
        months=tuple(ends),
        organisation=tuple(organisation),
        departments={name: tuple(month.get(name) for month in per_month) for name in names},
    )
