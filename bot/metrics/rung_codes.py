"""Each person's rung as a SQL expression over their trace: a code into `RUNG_CODES`.

From the `*_until` days for a date on or after the trace's anchor; from the bitmaps,
read exactly as `bot.tracker.traces.Trace.at` reads them, for a date a little earlier.
Animators are told apart by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, Subquery, case, literal

from bot.tracker.traces import BITS, STEADY_WEEKS, WEEKS, WINDOW_DAYS, week_of

RUNG_CODES = ("observer", "reactor", "contributor", "regular", "animator")
ANIMATOR_CODE = RUNG_CODES.index("animator")
RungOf = Callable[[Subquery, date], ColumnElement[Any]]


def rung_from_untils(people: Subquery, as_of: date) -> ColumnElement[Any]:
    day = as_of.toordinal()
    return case(
        (people.c.regular_until >= day, 3),
        (people.c.contributor_until >= day, 2),
        (people.c.reactor_until >= day, 1),
        else_=0,
    )


def rung_from_bitmaps(people: Subquery, as_of: date) -> ColumnElement[Any]:
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
        (people.c.anchor.is_(None), 0),
        (active_weeks >= STEADY_WEEKS, 3),
        (_bit(posted, window) != 0, 2),
        (_bit(_shift(people.c.reacted_days, days_back), window) != 0, 1),
        else_=0,
    )


def _shift(mask: ColumnElement[Any], steps: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(
        (steps >= BITS, 0),
        (steps <= -BITS, 0),
        (steps >= 0, mask.op("<<", return_type=BigInteger)(steps)),
        else_=mask.op(">>", return_type=BigInteger)(-steps),
    )


def _bit(mask: ColumnElement[Any], bits: int) -> ColumnElement[Any]:
    return mask.op("&", return_type=BigInteger)(bits)
