"""The engagement ladder of a group: each person's highest rung in W."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session

from bot.metrics.figures import STEADY_WEEKS, Count, Suppressed, count
from bot.metrics.queries import COMMUNITY, PERSON, PersonActivity, end_of, workspace_activity
from bot.metrics.windows import Frames
from bot.storage.models import Animator

Rung = Literal["observer", "reactor", "contributor", "regular", "animator"]
RUNGS: tuple[Rung, ...] = ("observer", "reactor", "contributor", "regular", "animator")
ANIMATOR = Animator.__table__  # type: ignore[attr-defined]


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
    members = list(people)
    if len(members) < minimum:
        return Ladder(group, Suppressed(minimum), {rung: Suppressed(minimum) for rung in RUNGS})
    rungs = Counter(rung_of(activity.get(p), p in animators) for p in members)
    return Ladder(group, len(members), {rung: count(rungs[rung], minimum) for rung in RUNGS})


def org_ladders(
    session: Session, workspace_id: int, as_of: date, minimum: int
) -> tuple[Ladder, list[Ladder]]:
    """The organisation's ladder, then one per department (departments with too few people
    are pooled as "other" so that nobody is singled out)."""
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
    everyone = [row.id for row in people]
    by_department: dict[str, list[int]] = {}
    for row in people:
        if row.department:
            by_department.setdefault(row.department, []).append(row.id)
    small = [name for name, ids in by_department.items() if len(ids) < minimum]
    other = [person for name in small for person in by_department.pop(name)]
    if other:
        by_department["other"] = other
    departments = [
        summarise_ladder(name, ids, activity, animators, minimum)
        for name, ids in sorted(by_department.items())
    ]
    return summarise_ladder("organisation", everyone, activity, animators, minimum), departments


def animator_ids(session: Session, workspace_id: int) -> set[int]:
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
    connection = session.connection()
    return {row[0] for row in connection.execute(creators)} | {
        row[0] for row in connection.execute(named)
    }
