"""How many people of each department stand on each rung: from person traces, in SQL.

One pass over one row per person, aggregated by the database, so the organisation's
ladder costs the same whatever the volume of activity. For a date on or after everyone's
latest activity (the usual "now"), each trace's `*_until` days answer with three
comparisons; for a date a little earlier, its bitmaps are read; for a date further back,
`None` tells the caller to count from the rollups instead (see `bot.metrics.rung_codes`).

PostgreSQL joins people to the animators' ids and groups them by department and rung in
hash tables. SQLite would probe a b-tree for each person and sort them, so there people
are summed per department in the order of an index, and the few animators are counted
in a query of their own (looked up by id) and moved to the top rung afterwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Subquery, case, exists, func, select, union
from sqlmodel import Session

from bot.metrics.queries import end_of
from bot.metrics.rung_codes import (
    ANIMATOR_CODE,
    RUNG_CODES,
    RungOf,
    rung_from_bitmaps,
    rung_from_untils,
)
from bot.storage.tables import ANIMATOR, COMMUNITY, PERSON, PERSON_TRACE
from bot.tracker.traces import REACH_DAYS

RungCounts = dict[str | None, Counter[str]]
Which = Literal["everyone", "flagged", "animators"]


def rung_counts_from_traces(session: Session, workspace_id: int, as_of: date) -> RungCounts | None:
    """Rung counts per department (None for people without one), or None if out of reach."""
    sqlite = session.connection().dialect.name == "sqlite"
    # The bitmaps' expression is too dear to evaluate once per rung: those are grouped.
    for rung, reach, summed in (
        (rung_from_untils, 0, sqlite),
        (rung_from_bitmaps, REACH_DAYS, False),
    ):
        people = _people(workspace_id, as_of, "everyone" if sqlite else "flagged")
        counts, newest = _count(session, people, rung(people, as_of), summed=summed)
        if newest > as_of.toordinal() + reach:
            continue
        return _animators_on_top(session, counts, workspace_id, as_of, rung) if sqlite else counts
    return None


def animator_queries(workspace_id: int) -> tuple[Select[Any], Select[Any]]:
    """The ids of the workspace's animators: creators of its live communities, then the
    people named animators."""
    creators = select(COMMUNITY.c.creator_id).where(
        COMMUNITY.c.workspace_id == workspace_id,
        COMMUNITY.c.creator_id.is_not(None),
        COMMUNITY.c.is_archived.is_(False),
    )
    named = select(ANIMATOR.c.person_id).where(  # from the few animators, not every person
        exists().where(PERSON.c.id == ANIMATOR.c.person_id, PERSON.c.workspace_id == workspace_id)
    )
    return creators, named


def _people(workspace_id: int, as_of: date, which: Which) -> Subquery:
    """The people on the ladder with their traces: everyone, everyone with an `animator`
    flag (joined to the animators' ids), or only the animators (by id, already of the
    workspace)."""
    ids = union(*animator_queries(workspace_id)).subquery()
    people = PERSON.outerjoin(PERSON_TRACE, PERSON_TRACE.c.person_id == PERSON.c.id)
    flag = []
    if which == "flagged":
        people = people.outerjoin(ids, ids.c[0] == PERSON.c.id)
        flag = [ids.c[0].is_not(None).label("animator")]
    trace = (column for column in PERSON_TRACE.c if column.name != "person_id")
    return (
        select(PERSON.c.department, *flag, *trace)
        .select_from(people)
        .where(
            PERSON.c.id.in_(select(ids))
            if which == "animators"
            else PERSON.c.workspace_id == workspace_id,
            PERSON.c.is_bot.is_(False),
            PERSON.c.deleted.is_(False),
            PERSON.c.first_seen_at < end_of(as_of),
        )
        .subquery()
    )


def _count(
    session: Session, people: Subquery, rung: ColumnElement[Any], *, summed: bool
) -> tuple[RungCounts, int]:
    """Per department, how many people stand on each rung; and the newest anchor."""
    if "animator" in people.c:
        rung = case((people.c.animator, ANIMATOR_CODE), else_=rung)
    newest_here = func.coalesce(func.max(people.c.anchor), 0)
    lower = range(1, ANIMATOR_CODE)
    query = (
        select(
            people.c.department,
            newest_here,
            func.count(),
            *(func.coalesce(func.sum(case((rung == code, 1), else_=0)), 0) for code in lower),
        ).group_by(people.c.department)
        if summed
        else select(people.c.department, newest_here, func.count(), rung).group_by(
            people.c.department, rung
        )
    )
    counts: RungCounts = {}
    newest = 0
    for department, anchor, number, *codes in session.connection().execute(query):
        rungs = counts.setdefault(department or None, Counter())
        if summed:
            rungs.update(dict(zip((RUNG_CODES[code] for code in lower), codes, strict=True)))
            rungs["observer"] += number - sum(codes)
        else:
            rungs[RUNG_CODES[codes[0]]] += number
        newest = max(newest, anchor)
    return {department: +rungs for department, rungs in counts.items()}, newest


def _animators_on_top(
    session: Session, counts: RungCounts, workspace_id: int, as_of: date, rung: RungOf
) -> RungCounts:
    """The animators moved from the rung their trace gives them to the top one."""
    people = _people(workspace_id, as_of, "animators")
    animators, _ = _count(session, people, rung(people, as_of), summed=True)
    for department, rungs in animators.items():
        counts[department].subtract(rungs)
        counts[department]["animator"] += rungs.total()
    return {department: +rungs for department, rungs in counts.items()}


def one_rung_per_human(
    session: Session, counts: RungCounts, workspace_id: int | None, as_of: date
) -> RungCounts:
    """`counts` with each human who has several accounts (`bot.identity`) counted once, at
    the highest rung of any of their accounts, in the department of their first account
    here. `workspace_id` None: the counts are the whole organisation's (every workspace)."""
    day = as_of.toordinal()
    linked = PERSON.alias("linked")
    here = (
        select(linked.c.human_id).where(linked.c.workspace_id == workspace_id)
        if workspace_id is not None
        else select(linked.c.human_id)
    )
    animators = union(
        select(COMMUNITY.c.creator_id).where(
            COMMUNITY.c.creator_id.is_not(None), COMMUNITY.c.is_archived.is_(False)
        ),
        select(ANIMATOR.c.person_id),
    ).subquery()
    trace = (column for column in PERSON_TRACE.c if column.name != "person_id")
    people = (
        select(
            PERSON.c.id,
            PERSON.c.workspace_id,
            PERSON.c.human_id,
            PERSON.c.department,
            animators.c[0].is_not(None).label("animator"),
            *trace,
        )
        .select_from(
            PERSON.outerjoin(PERSON_TRACE, PERSON_TRACE.c.person_id == PERSON.c.id).outerjoin(
                animators, animators.c[0] == PERSON.c.id
            )
        )
        .where(
            PERSON.c.human_id.in_(here.where(linked.c.human_id.is_not(None))),
            PERSON.c.is_bot.is_(False),
            PERSON.c.deleted.is_(False),
            PERSON.c.first_seen_at < end_of(as_of),
        )
        .subquery()
    )
    rung = case(
        (people.c.animator, ANIMATOR_CODE),
        (people.c.anchor <= day, rung_from_untils(people, as_of)),
        else_=rung_from_bitmaps(people, as_of),
    )
    query = select(
        people.c.id, people.c.workspace_id, people.c.human_id, people.c.department, rung
    ).order_by(people.c.id)
    humans: dict[int, list[tuple[int, str | None, int]]] = {}
    for _id, workspace, human, department, code in session.connection().execute(query):
        humans.setdefault(human, []).append((workspace, department or None, int(code)))
    for accounts in humans.values():
        counted = [a for a in accounts if workspace_id is None or a[0] == workspace_id]
        if len(accounts) < 2 or not counted:
            continue
        for _workspace, department, code in counted:
            counts.setdefault(department, Counter())[RUNG_CODES[code]] -= 1
        best = max(code for _, _, code in accounts)
        counts.setdefault(counted[0][1], Counter())[RUNG_CODES[best]] += 1
    return {department: +rungs for department, rungs in counts.items() if +rungs}
