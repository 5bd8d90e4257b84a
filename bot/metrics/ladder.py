"""The engagement ladder of a group: each person's highest rung in W."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from bot.metrics.disclosure import Sum, protect
from bot.metrics.figures import STEADY_WEEKS, Count
from bot.metrics.queries import PersonActivity, end_of, workspace_activity
from bot.metrics.rungs import (
    RungCounts,
    animator_queries,
    one_rung_per_human,
    rung_counts_from_traces,
)
from bot.metrics.windows import Frames
from bot.storage.tables import PERSON, WORKSPACE

Rung = Literal["observer", "reactor", "contributor", "regular", "animator"]
RUNGS: tuple[Rung, ...] = ("observer", "reactor", "contributor", "regular", "animator")
PEOPLE = "people"


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
