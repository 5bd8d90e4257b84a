"""Traces: which recent days and ISO weeks someone posted or reacted, as bitmaps.

A `Trace` is kept per person, per person in a community, and per community (the three
`SCOPES`); folding keeps them current and `rebuild_traces` rebuilds them from the rollups.

Days are ordinals (`date.toordinal()`); ISO weeks are `(ordinal - 1) // 7`, since
ordinal 1 is a Monday. The masks keep `BITS` days and weeks back from the anchor, the
newest day marked: enough to answer any date up to `REACH_DAYS` before the anchor.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Table, delete, func, select, tuple_

from bot.metrics.definitions import STEADY_WEEKS, WEEKS, WINDOW_DAYS
from bot.storage.bulk import insert_many, rows_with_keys
from bot.storage.tables import COMMUNITY_TRACE, DAILY_ACTIVITY, MEMBER_TRACE, PERSON_TRACE

BITS = 62
FULL = (1 << BITS) - 1
POSTED, REACTED = 1, 2
REACH_DAYS = BITS - WINDOW_DAYS
"""A trace answers for `as_of` when its anchor is at most this many days after it."""


def week_of(ordinal: int) -> int:
    return (ordinal - 1) // 7


def _shifted(mask: int, steps: int) -> int:
    """The mask seen from `steps` later (left) or earlier (right), kept to `BITS` bits."""
    if steps >= BITS or steps <= -BITS:
        return 0
    return (mask << steps) & FULL if steps >= 0 else mask >> -steps


@dataclass(slots=True)
class Trace:
    anchor: int
    posted_days: int = 0
    reacted_days: int = 0
    posted_weeks: int = 0
    reacted_weeks: int = 0

    def mark(self, day: int, *, posted: bool = False, reacted: bool = False) -> None:
        """Record that the person posted and/or reacted on `day`."""
        self.mark_days({day: posted * POSTED | reacted * REACTED})

    def mark_days(self, days: Mapping[int, int]) -> None:
        """Record several days at once: day -> POSTED and/or REACTED."""
        self._advance(max(days))
        anchor, week = self.anchor, week_of(self.anchor)
        for day, flags in days.items():
            day_bit, week_bit = _bit(anchor - day), _bit(week - week_of(day))
            if flags & POSTED:
                self.posted_days |= day_bit
                self.posted_weeks |= week_bit
            if flags & REACTED:
                self.reacted_days |= day_bit
                self.reacted_weeks |= week_bit

    def _advance(self, day: int) -> None:
        if day <= self.anchor:
            return
        weeks = week_of(day) - week_of(self.anchor)
        self.posted_days = _shifted(self.posted_days, day - self.anchor)
        self.reacted_days = _shifted(self.reacted_days, day - self.anchor)
        self.posted_weeks = _shifted(self.posted_weeks, weeks)
        self.reacted_weeks = _shifted(self.reacted_weeks, weeks)
        self.anchor = day

    def until(self) -> tuple[int, int, int, int]:
        """The last day each figure holds for dates from the anchor on, if nothing more
        happens (0: not even at the anchor): regular, contributor and reactor in the 28
        days, active (posted or reacted) in the 12 weeks."""
        regular = 0
        for later in range(WEEKS):
            if (self.posted_weeks & (1 << WEEKS - later) - 1).bit_count() < STEADY_WEEKS:
                break
            regular = _sunday(week_of(self.anchor) + later)
        active = 0
        if weeks := self.posted_weeks | self.reacted_weeks:
            active = _sunday(week_of(self.anchor) - _lowest(weeks) + WEEKS - 1)
        return regular, self._last(self.posted_days), self._last(self.reacted_days), active

    def _last(self, days: int) -> int:
        """The last day a window of 28 days still holds the latest marked day."""
        return self.anchor - _lowest(days) + WINDOW_DAYS - 1 if days else 0

    def answers(self, as_of: int) -> bool:
        return self.anchor - as_of <= REACH_DAYS

    def at(self, as_of: int) -> tuple[bool, bool, int]:
        """(posted in the 28 days, reacted in them, ISO weeks with posts of the 12) at `as_of`."""
        days = _shifted(self.posted_days, as_of - self.anchor)
        window = (1 << WINDOW_DAYS) - 1
        reacted = _shifted(self.reacted_days, as_of - self.anchor) & window != 0
        weeks = _shifted(self.posted_weeks, week_of(as_of) - week_of(self.anchor))
        this_week = days & ((1 << (as_of - 1) % 7 + 1) - 1) != 0
        earlier = (weeks >> 1 & ((1 << (WEEKS - 1)) - 1)).bit_count()
        return days & window != 0, reacted, earlier + this_week


def _bit(back: int) -> int:
    return 1 << back if back < BITS else 0


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _sunday(week: int) -> int:
    return week * 7 + 7


MASKS = ("anchor", "posted_days", "reacted_days", "posted_weeks", "reacted_weeks")
UNTILS = ("regular_until", "contributor_until", "reactor_until", "active_until")
CHUNK = 5000

TraceKey = tuple[int, ...]


@dataclass(frozen=True)
class Scope:
    """Whose traces a table keeps: a person's, a person's in a community, a community's."""

    table: Table
    keys: tuple[str, ...]

    def key(self, community: int, person: int) -> TraceKey:
        ids = {"community_id": community, "person_id": person}
        return tuple(ids[name] for name in self.keys)

    def matching(self, table: Table, keys: list[TraceKey]) -> ColumnElement[bool]:
        columns = [table.c[name] for name in self.keys]
        if len(columns) == 1:
            return columns[0].in_([key[0] for key in keys])
        return tuple_(*columns).in_(keys)


PEOPLE = Scope(PERSON_TRACE, ("person_id",))
MEMBERS = Scope(MEMBER_TRACE, ("community_id", "person_id"))
COMMUNITIES = Scope(COMMUNITY_TRACE, ("community_id",))
SCOPES = (PEOPLE, MEMBERS, COMMUNITIES)


def rebuild_traces(connection: Connection, scope: Scope, only: Collection[TraceKey] = ()) -> int:
    """Traces again from the rollups, for `only` these keys or all; returns how many."""
    wanted = sorted(only)
    query = (
        select(
            *(DAILY_ACTIVITY.c[name] for name in scope.keys),
            DAILY_ACTIVITY.c.day,
            func.sum(DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies),
            func.sum(DAILY_ACTIVITY.c.reactions_given),
        )
        .group_by(*(DAILY_ACTIVITY.c[name] for name in scope.keys), DAILY_ACTIVITY.c.day)
        .having(
            func.sum(
                DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies + DAILY_ACTIVITY.c.reactions_given
            )
            > 0
        )
        .order_by(*(DAILY_ACTIVITY.c[name] for name in scope.keys), DAILY_ACTIVITY.c.day.desc())
    )
    if wanted:
        connection.execute(delete(scope.table).where(scope.matching(scope.table, wanted)))
        query = query.where(scope.matching(DAILY_ACTIVITY, wanted))
    else:
        connection.execute(delete(scope.table))
    traces: dict[TraceKey, Trace] = {}
    saved = 0
    for *key_values, day, posts, reactions in connection.execute(
        query.execution_options(yield_per=CHUNK)
    ):
        key = tuple(key_values)
        if key not in traces:
            if len(traces) >= CHUNK:
                saved += save_traces(connection, scope, traces.items())
                traces.clear()
            traces[key] = Trace(anchor=day.toordinal())
        traces[key].mark(day.toordinal(), posted=posts > 0, reacted=reactions > 0)
    return saved + save_traces(connection, scope, traces.items())


def load_traces(
    connection: Connection, scope: Scope, keys: list[TraceKey]
) -> dict[TraceKey, Trace]:
    """The stored traces of `keys`."""
    width = len(scope.keys)
    stored = rows_with_keys(connection, scope.table, scope.keys, (*scope.keys, *MASKS), keys, CHUNK)
    return {values[:width]: Trace(*values[width:]) for values in stored}


def save_traces(
    connection: Connection, scope: Scope, traces: Iterable[tuple[TraceKey, Trace]]
) -> int:
    columns = (*scope.keys, *MASKS, *UNTILS)
    rows = [
        (*key, t.anchor, t.posted_days, t.reacted_days, t.posted_weeks, t.reacted_weeks, *t.until())
        for key, t in traces
    ]
    replace = ", ".join(f"{name} = excluded.{name}" for name in (*MASKS, *UNTILS))
    for start in range(0, len(rows), CHUNK):
        insert_many(
            connection,
            scope.table,
            columns,
            rows[start : start + CHUNK],
            conflict=scope.keys,
            update=replace,
        )
    return len(rows)
