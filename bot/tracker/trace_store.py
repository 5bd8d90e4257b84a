"""Traces in the database: kept current by folding, rebuilt from the rollups at will."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Table, delete, func, select, tuple_
from sqlmodel import Session

from bot.storage.bulk import insert_many, rows_with_keys
from bot.storage.tables import COMMUNITY_TRACE, DAILY_ACTIVITY, MEMBER_TRACE, PERSON_TRACE
from bot.tracker.community_days import add_community_days
from bot.tracker.rollups import COLUMN_INDEX, RollupDeltas
from bot.tracker.traces import POSTED, REACTED, Trace

MASKS = ("anchor", "posted_days", "reacted_days", "posted_weeks", "reacted_weeks")
UNTILS = ("regular_until", "contributor_until", "reactor_until", "active_until")
CHUNK = 5000
POSTS, REPLIES = COLUMN_INDEX["posts"], COLUMN_INDEX["replies"]
REACTIONS = COLUMN_INDEX["reactions_given"]

Key = tuple[int, ...]


@dataclass(frozen=True)
class Scope:
    """Whose traces a table keeps: a person's, a person's in a community, a community's."""

    table: Table
    keys: tuple[str, ...]

    def key(self, community: int, person: int) -> Key:
        ids = {"community_id": community, "person_id": person}
        return tuple(ids[name] for name in self.keys)

    def matching(self, table: Table, keys: list[Key]) -> ColumnElement[bool]:
        columns = [table.c[name] for name in self.keys]
        if len(columns) == 1:
            return columns[0].in_([key[0] for key in keys])
        return tuple_(*columns).in_(keys)


PEOPLE = Scope(PERSON_TRACE, ("person_id",))
MEMBERS = Scope(MEMBER_TRACE, ("community_id", "person_id"))
COMMUNITIES = Scope(COMMUNITY_TRACE, ("community_id",))
SCOPES = (PEOPLE, MEMBERS, COMMUNITIES)


def update_traces(session: Session, deltas: RollupDeltas) -> None:
    """Run after `deltas` were written: mark the days people posted or reacted (rebuilding
    the traces where reactions were taken back), and add posts to the community days."""
    marks: dict[Scope, defaultdict[Key, dict[int, int]]] = {s: defaultdict(dict) for s in SCOPES}
    taken_back: dict[Scope, set[Key]] = {scope: set() for scope in SCOPES}
    for (day, community, person), counts in deltas.items():
        flags = (counts[POSTS] + counts[REPLIES] > 0) * POSTED | (counts[REACTIONS] > 0) * REACTED
        if not flags and counts[REACTIONS] >= 0:
            continue
        ordinal = day.toordinal()
        keys: tuple[Key, ...] = ((person,), (community, person), (community,))
        for scope, key in zip(SCOPES, keys, strict=True):
            if counts[REACTIONS] < 0:
                taken_back[scope].add(key)
            if flags:
                days = marks[scope][key]
                days[ordinal] = days.get(ordinal, 0) | flags
    connection = session.connection()
    for scope in SCOPES:
        marked = [key for key in marks[scope] if key not in taken_back[scope]]
        traces = _load(connection, scope, marked)
        for key in marked:
            days = marks[scope][key]
            if key not in traces:
                traces[key] = Trace(anchor=max(days))
            traces[key].mark_days(days)
        _save(connection, scope, traces.items())
        if taken_back[scope]:
            rebuild_traces(connection, scope, taken_back[scope])
    add_community_days(connection, deltas)


def rebuild_traces(connection: Connection, scope: Scope, only: Collection[Key] = ()) -> int:
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
    traces: dict[Key, Trace] = {}
    saved = 0
    for *key_values, day, posts, reactions in connection.execute(
        query.execution_options(yield_per=CHUNK)
    ):
        key = tuple(key_values)
        if key not in traces:
            if len(traces) >= CHUNK:
                saved += _save(connection, scope, traces.items())
                traces.clear()
            traces[key] = Trace(anchor=day.toordinal())
        traces[key].mark(day.toordinal(), posted=posts > 0, reacted=reactions > 0)
    return saved + _save(connection, scope, traces.items())


def _load(connection: Connection, scope: Scope, keys: list[Key]) -> dict[Key, Trace]:
    """The stored traces of `keys`."""
    width = len(scope.keys)
    stored = rows_with_keys(connection, scope.table, scope.keys, (*scope.keys, *MASKS), keys, CHUNK)
    return {values[:width]: Trace(*values[width:]) for values in stored}


def _save(connection: Connection, scope: Scope, traces: Iterable[tuple[Key, Trace]]) -> int:
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
