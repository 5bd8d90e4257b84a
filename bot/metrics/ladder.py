"""The engagement ladder: each person's highest rung in W (`bot.metrics.definitions.RUNGS`),
counted per group (organisation, department, community), protected by complementary
suppression; and a person's own figures, their rung among them.

Two paths count the same rungs (the tests hold them equal): the exact one sums the
`daily_activity` rollups (`rung_counts_from_rollups`), for any date; the fast one reads one
trace per person in SQL (`rung_counts_from_traces`), aggregated by the database, so the
organisation's ladder costs the same whatever the volume of activity. For a date on or after
everyone's latest activity (the usual "now"), each trace's `*_until` days answer with three
comparisons (`rung_from_untils`); for a date a little earlier, its bitmaps are read exactly
as `bot.tracker.traces.Trace.at` reads them (`rung_from_bitmaps`); further back, the rollups
answer. A server database joins people to the animators' ids and groups them by department
and rung in hash tables; an embedded one would probe a b-tree for each person and sort them,
so there people are summed per department in the order of an index, and the few animators
are counted in a query of their own (looked up by id) and moved to the top rung afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    union,
)
from sqlmodel import Session

from bot.metrics.community import (
    POSTED,
    PersonActivity,
    days_with_posts,
    end_of,
    person_activity,
    workspace_activity,
)
from bot.metrics.definitions import (
    ANIMATOR_CODE,
    RUNGS,
    STEADY_WEEKS,
    WEEKS,
    WINDOW_DAYS,
    Count,
    Frames,
    Rung,
    Sum,
    protect,
)
from bot.storage.bulk import is_embedded
from bot.storage.tables import ANIMATOR, COMMUNITY, DAILY_ACTIVITY, PERSON, PERSON_TRACE, WORKSPACE
from bot.tracker import traces  # the module: it reads its windows from bot.metrics

PEOPLE = "people"
RungCounts = dict[str | None, Counter[str]]
"""How many people stand on each rung, per department (None: people without one)."""
Which = Literal["everyone", "flagged", "animators"]
RungOf = Callable[[Subquery, date], ColumnElement[Any]]
"""A rung code (an index into `RUNGS`) as a SQL expression over a subquery of traces."""


@dataclass(frozen=True)
class Ladder:
    group: str
    people: Count
    rungs: dict[Rung, Count]


def rung_of(activity: PersonActivity | None, is_animator: bool) -> Rung:
    if is_animator:
        return "animator"
    if activity is None:
        return "observer"
    if activity.active_weeks >= STEADY_WEEKS:
        return "regular"
    if activity.contributed:
        return "contributor"
    return "reactor" if activity.reacted else "observer"


def summarise_ladder(
    group: str,
    people: Iterable[int],
    activity: Mapping[int, PersonActivity],
    animators: set[int],
    minimum: int,
) -> Ladder:
    """Pure: rung counts for a group; each count under the minimum is suppressed."""
    rungs: Counter[str] = Counter(rung_of(activity.get(p), p in animators) for p in people)
    return ladder_of_counts(group, rungs, minimum)


def org_ladders(
    session: Session, workspace_id: int | None, as_of: date, minimum: int
) -> tuple[Ladder, list[Ladder]]:
    """The organisation's ladder, then one per department (departments with too few people
    are pooled as "other" so that nobody is singled out). `workspace_id` None: every
    workspace together."""
    return ladders_of_departments(rung_counts(session, workspace_id, as_of), minimum)


def rung_counts(session: Session, workspace_id: int | None, as_of: date) -> RungCounts:
    """How many people stand on each rung, per department, in one workspace or (None) in
    every workspace together. A human with accounts on several platforms counts once, at
    their highest rung (beyond the traces' reach, each account counts apart)."""
    counts: RungCounts = {}
    ids = [workspace_id] if workspace_id is not None else _workspace_ids(session)
    traced = True
    for each in ids:
        found = rung_counts_from_traces(session, each, as_of)
        if found is None:
            traced = False
            found = rung_counts_from_rollups(session, each, as_of)
        for department, rungs in found.items():
            counts[department] = counts.get(department, Counter()) + rungs
    if traced:
        counts = one_rung_per_human(session, counts, workspace_id, as_of)
    return counts


def ladders_of_departments(
    counts: Mapping[str | None, Counter[str]], minimum: int
) -> tuple[Ladder, list[Ladder]]:
    """Pure: the organisation's ladder and its departments' (small ones pooled as "other"),
    protected together: no hidden count follows from the others and the totals, people
    without a department included."""
    everyone: Counter[str] = sum(counts.values(), Counter())
    by_department = {name: rungs for name, rungs in counts.items() if name}
    other: Counter[str] = Counter()
    for name in [name for name, rungs in by_department.items() if rungs.total() < minimum]:
        other += by_department.pop(name)
    if other:
        by_department["other"] = other
    parts: list[tuple[str | None, Counter[str]]] = sorted(by_department.items())
    unknown = counts.get(None, Counter())
    if parts and unknown.total():
        parts.append((None, unknown))
    organisation, *departments = protected_ladders(("organisation", everyone), parts, minimum)
    return organisation, departments


def ladder_of_counts(group: str, rungs: Counter[str], minimum: int) -> Ladder:
    """Pure: a group's ladder from its rung counts; each count under the minimum hidden, and
    enough others that none of them follows from the group's total."""
    (ladder,) = protected_ladders((group, rungs), [], minimum)
    return ladder


def protected_ladders(
    whole: tuple[str, Counter[str]],
    parts: Sequence[tuple[str | None, Counter[str]]],
    minimum: int,
) -> list[Ladder]:
    """Pure: the ladders of a whole, then of each group it is split into (None for a group
    that is never shown), protected together by complementary suppression."""
    groups = [whole, *parts]
    columns = (PEOPLE, *RUNGS)
    cells = {
        (row, column): (counts.total() if column == PEOPLE else counts[column])
        for row, (_, counts) in enumerate(groups)
        for column in columns
    }
    sums = [Sum((row, PEOPLE), tuple((row, rung) for rung in RUNGS)) for row in range(len(groups))]
    if parts:
        sums += [
            Sum((0, column), tuple((row, column) for row in range(1, len(groups))))
            for column in columns
        ]
    unnamed = [row for row, (name, _) in enumerate(groups) if name is None]
    never = [(row, column) for row in unnamed for column in columns]
    shown = protect(cells, sums, minimum, unpublished=never)
    return [
        Ladder(name, shown[(row, PEOPLE)], {rung: shown[(row, rung)] for rung in RUNGS})
        for row, (name, _) in enumerate(groups)
        if name is not None
    ]


def rung_counts_from_rollups(session: Session, workspace_id: int, as_of: date) -> RungCounts:
    """Rung counts per department, summed from the rollups: exact for any date."""
    people = (
        session.connection()
        .execute(
            select(PERSON.c.id, PERSON.c.department).where(
                PERSON.c.workspace_id == workspace_id,
                PERSON.c.is_bot.is_(False),
                PERSON.c.deleted.is_(False),
                PERSON.c.first_seen_at < end_of(as_of),
            )
        )
        .all()
    )
    activity = {
        row.person_id: row for row in workspace_activity(session, workspace_id, Frames(as_of))
    }
    animators = animator_ids(session, workspace_id)
    counts: RungCounts = {}
    for person, department in people:
        rung = rung_of(activity.get(person), person in animators)
        counts.setdefault(department or None, Counter())[rung] += 1
    return counts


def animator_ids(session: Session, workspace_id: int) -> set[int]:
    connection = session.connection()
    return {row[0] for query in animator_queries(workspace_id) for row in connection.execute(query)}


def _workspace_ids(session: Session) -> list[int]:
    table = WORKSPACE
    return list(session.connection().execute(select(table.c.id).order_by(table.c.id)).scalars())


def rung_counts_from_traces(session: Session, workspace_id: int, as_of: date) -> RungCounts | None:
    """Rung counts per department (None for people without one), or None if out of reach."""
    # An embedded database probes a b-tree per row where a server joins and groups in hash
    # tables: there people are summed per department and animators moved up afterwards.
    probes_per_row = is_embedded(session.connection())
    # The bitmaps' expression is too dear to evaluate once per rung: those are grouped.
    for rung, reach, summed in (
        (rung_from_untils, 0, probes_per_row),
        (rung_from_bitmaps, traces.REACH_DAYS, False),
    ):
        people = _people(workspace_id, as_of, "everyone" if probes_per_row else "flagged")
        counts, newest = _count(session, people, rung(people, as_of), summed=summed)
        if newest > as_of.toordinal() + reach:
            continue
        if probes_per_row:
            return _animators_on_top(session, counts, workspace_id, as_of, rung)
        return counts
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
            rungs.update(dict(zip((RUNGS[code] for code in lower), codes, strict=True)))
            rungs["observer"] += number - sum(codes)
        else:
            rungs[RUNGS[codes[0]]] += number
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
            counts.setdefault(department, Counter())[RUNGS[code]] -= 1
        best = max(code for _, _, code in accounts)
        counts.setdefault(counted[0][1], Counter())[RUNGS[best]] += 1
    return {department: +rungs for department, rungs in counts.items() if +rungs}


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
    weeks_back = literal(traces.week_of(day)) - (people.c.anchor - 1) // 7
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
        (steps >= traces.BITS, 0),
        (steps <= -traces.BITS, 0),
        (steps >= 0, mask.op("<<", return_type=BigInteger)(steps)),
        else_=mask.op(">>", return_type=BigInteger)(-steps),
    )


def _bit(mask: ColumnElement[Any], bits: int) -> ColumnElement[Any]:
    return mask.op("&", return_type=BigInteger)(bits)


@dataclass(frozen=True)
class PersonStats:
    as_of: date
    posts: int
    replies: int
    reactions_given: int
    reactions_received: int
    active_weeks: int
    days_active_ratio: float
    communities_active: int
    weekly_posts: tuple[int, ...]
    rung: Rung


def person_stats(session: Session, person_id: int, workspace_id: int, as_of: date) -> PersonStats:
    frames = Frames(as_of)
    activity = person_activity(session, person_id, frames)
    start, end = frames.window
    communities = (
        session.connection()
        .execute(
            select(func.count(func.distinct(DAILY_ACTIVITY.c.community_id))).where(
                and_(
                    DAILY_ACTIVITY.c.person_id == person_id,
                    DAILY_ACTIVITY.c.day.between(start, end),
                    POSTED > 0,
                )
            )
        )
        .scalar_one()
    )
    rung = rung_of(activity, person_id in animator_ids(session, workspace_id))
    return PersonStats(
        as_of=as_of,
        posts=activity.posts if activity else 0,
        replies=activity.replies if activity else 0,
        reactions_given=activity.reactions_given if activity else 0,
        reactions_received=activity.reactions_received if activity else 0,
        active_weeks=activity.active_weeks if activity else 0,
        days_active_ratio=days_with_posts(session, frames, person_id=person_id) / WINDOW_DAYS,
        communities_active=int(communities),
        weekly_posts=activity.weekly_posts if activity else (0,) * WEEKS,
        rung=rung,
    )
