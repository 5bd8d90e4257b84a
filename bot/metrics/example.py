"""A community's example of the week, and where a followable person contributed that week.

The example is the thread of the past Monday-to-Sunday week with the most replies and
reactions, shown only when at least the minimum group of people took part; its new
regulars (people who became regulars that week: active 9 of the last 12 weeks now, not a
week earlier) as a suppressible count; and the animators who chose to be followable.
Counts and platform thread keys only (`channel:ts`), never message text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select
from sqlmodel import Session

from bot.metrics.definitions import STEADY_WEEKS, WEEKS, Count, count, last_full_week
from bot.storage.tables import (
    ANIMATOR,
    COMMUNITY,
    DAILY_ACTIVITY,
    INBOX_EVENT,
    PERSON,
    SHOWCASE,
    WORKSPACE,
)

THREAD_KINDS = ("message", "reaction_added")


@dataclass(frozen=True, slots=True)
class Followable:
    """Someone who chose to be followable: the only way a name appears on a card."""

    external_id: str
    name: str


@dataclass(frozen=True, slots=True)
class ExampleThread:
    key: str
    replies: int
    reactions: int


@dataclass(frozen=True, slots=True)
class Example:
    community_id: int
    thread: ExampleThread | None
    new_regulars: Count
    animators: tuple[Followable, ...]


@dataclass(frozen=True, slots=True)
class Contribution:
    """A followable person's public posts in one community over the week."""

    community_id: int
    community: str
    name: str
    posts: int
    threads: tuple[str, ...]


def examples(
    session: Session, community_ids: Iterable[int], today: date, minimum: int
) -> dict[int, Example]:
    """The example of last week of each community (public ones only), where there is one."""
    start, end = last_full_week(today)
    ids = sorted(set(community_ids))
    if not ids:
        return {}
    keys = _community_keys(session, ids)
    threads = _threads(session, keys, start, end, minimum)
    regulars = _new_regulars(session, ids, end)
    animators = followable_animators(session, ids)
    found = {
        community_id: Example(
            community_id,
            threads.get(community_id),
            count(regulars.get(community_id, 0), minimum),
            animators.get(community_id, ()),
        )
        for community_id in ids
        if community_id in keys
    }
    return {key: example for key, example in found.items() if _worth_showing(example)}


def _worth_showing(example: Example) -> bool:
    """A thread, new regulars that may be shown, or someone to follow."""
    shown_regulars = isinstance(example.new_regulars, int) and example.new_regulars > 0
    return example.thread is not None or bool(example.animators) or shown_regulars


def followable_animators(
    session: Session, community_ids: Iterable[int]
) -> dict[int, tuple[Followable, ...]]:
    """The animators of each community who opted in to be followable, by name."""
    ids = list(community_ids)
    if not ids:
        return {}
    query = (
        select(ANIMATOR.c.community_id, PERSON.c.external_id, PERSON.c.display_name)
        .join(PERSON, PERSON.c.id == ANIMATOR.c.person_id)
        .join(SHOWCASE, SHOWCASE.c.person_id == ANIMATOR.c.person_id)
        .where(
            ANIMATOR.c.community_id.in_(ids),
            SHOWCASE.c.followable.is_(True),
            PERSON.c.deleted.is_(False),
        )
        .order_by(ANIMATOR.c.community_id, PERSON.c.display_name, PERSON.c.external_id)
    )
    found: defaultdict[int, list[Followable]] = defaultdict(list)
    for community_id, external_id, name in session.connection().execute(query):
        found[community_id].append(Followable(external_id, name or external_id))
    return {community_id: tuple(people) for community_id, people in found.items()}


def contributions(
    session: Session, person_ids: Iterable[int], today: date
) -> dict[int, tuple[Contribution, ...]]:
    """Where each person posted last week, in public communities: counts and thread keys."""
    start, end = last_full_week(today)
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    people = {
        (row.platform, row.workspace, row.external_id): row.id
        for row in session.connection().execute(
            select(
                PERSON.c.id,
                PERSON.c.external_id,
                WORKSPACE.c.platform,
                WORKSPACE.c.external_id.label("workspace"),
            )
            .join(WORKSPACE, WORKSPACE.c.id == PERSON.c.workspace_id)
            .where(PERSON.c.id.in_(ids))
        )
    }
    if not people:
        return {}
    public = {
        (row.platform, row.workspace, row.external_id): (row.id, row.name or row.external_id)
        for row in session.connection().execute(
            select(
                COMMUNITY.c.id,
                COMMUNITY.c.external_id,
                COMMUNITY.c.name,
                WORKSPACE.c.platform,
                WORKSPACE.c.external_id.label("workspace"),
            )
            .join(WORKSPACE, WORKSPACE.c.id == COMMUNITY.c.workspace_id)
            .where(
                COMMUNITY.c.is_private.is_(False),
                COMMUNITY.c.is_deleted.is_(False),
                WORKSPACE.c.id.in_(
                    select(PERSON.c.workspace_id).where(PERSON.c.id.in_(ids)).distinct()
                ),
            )
        )
    }
    query = (
        select(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.person,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
            func.count(),
        )
        .where(
            INBOX_EVENT.c.kind == "message",
            INBOX_EVENT.c.person.in_({key[2] for key in people}),
            INBOX_EVENT.c.quarantined_at.is_(None),
            *_between(start, end),
        )
        .group_by(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.person,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
        )
    )
    posts: defaultdict[tuple[int, int], int] = defaultdict(int)
    threads: defaultdict[tuple[int, int], set[str]] = defaultdict(set)
    for platform, workspace, person, community, thread, number in session.connection().execute(
        query
    ):
        person_id = people.get((platform, workspace, person))
        place = public.get((platform, workspace, community))
        if person_id is None or place is None:
            continue
        posts[(person_id, place[0])] += int(number)
        if thread:
            threads[(person_id, place[0])].add(thread)
    names = {place[0]: (key[2], place[1]) for key, place in public.items()}
    found: defaultdict[int, list[Contribution]] = defaultdict(list)
    for (person_id, community_id), number in posts.items():
        external, name = names[community_id]
        keys = tuple(sorted(threads[(person_id, community_id)]))
        found[person_id].append(Contribution(community_id, external, name, number, keys))
    return {
        person_id: tuple(sorted(items, key=lambda c: (-c.posts, c.name)))
        for person_id, items in found.items()
    }


def _between(start: date, end: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        INBOX_EVENT.c.occurred_at >= datetime.combine(start, time(), UTC),
        INBOX_EVENT.c.occurred_at < datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def _community_keys(session: Session, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    query = (
        select(
            COMMUNITY.c.id, WORKSPACE.c.platform, WORKSPACE.c.external_id, COMMUNITY.c.external_id
        )
        .join(WORKSPACE, WORKSPACE.c.id == COMMUNITY.c.workspace_id)
        .where(
            COMMUNITY.c.id.in_(ids),
            COMMUNITY.c.is_private.is_(False),
            COMMUNITY.c.is_deleted.is_(False),
        )
    )
    return {row[0]: (row[1], row[2], row[3]) for row in session.connection().execute(query)}


def _threads(
    session: Session,
    keys: dict[int, tuple[str, str, str]],
    start: date,
    end: date,
    minimum: int,
) -> dict[int, ExampleThread]:
    """The thread with the most replies and reactions, among those with enough people."""
    if not keys:
        return {}
    by_key = {key: community_id for community_id, key in keys.items()}
    reply = and_(INBOX_EVENT.c.kind == "message", INBOX_EVENT.c.attrs["is_reply"].as_boolean())
    reaction = INBOX_EVENT.c.kind == "reaction_added"
    query = (
        select(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
            func.count().filter(reply),
            func.count().filter(reaction),
            func.count(distinct(INBOX_EVENT.c.person)),
        )
        .where(
            INBOX_EVENT.c.kind.in_(THREAD_KINDS),
            INBOX_EVENT.c.thread_key.is_not(None),
            INBOX_EVENT.c.quarantined_at.is_(None),
            INBOX_EVENT.c.community.in_({key[2] for key in by_key}),
            or_(reply, reaction),
            *_between(start, end),
        )
        .group_by(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
        )
    )
    best: dict[int, ExampleThread] = {}
    for (
        platform,
        workspace,
        community,
        thread,
        replies,
        reactions,
        people,
    ) in session.connection().execute(query):
        community_id = by_key.get((platform, workspace, community))
        if community_id is None or people < minimum:
            continue
        candidate = ExampleThread(thread, int(replies), int(reactions))
        current = best.get(community_id)
        if current is None or _rank(candidate) < _rank(current):
            best[community_id] = candidate
    return best


def _rank(thread: ExampleThread) -> tuple[int, str]:
    return -(thread.replies + thread.reactions), thread.key


def _new_regulars(session: Session, ids: list[int], end: date) -> dict[int, int]:
    """People active (posting) 9 of the 12 weeks to `end`, but not of the 12 to a week before."""
    first = end - timedelta(weeks=WEEKS + 1) + timedelta(days=1)
    query = (
        select(DAILY_ACTIVITY.c.community_id, DAILY_ACTIVITY.c.person_id, DAILY_ACTIVITY.c.day)
        .where(
            DAILY_ACTIVITY.c.community_id.in_(ids),
            DAILY_ACTIVITY.c.day.between(first, end),
            (DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies) > 0,
        )
        .distinct()
    )
    weeks: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for community_id, person_id, day in session.connection().execute(query):
        weeks[(community_id, person_id)].add((end - day).days // 7)
    found: defaultdict[int, int] = defaultdict(int)
    for (community_id, _person), active in weeks.items():
        now = sum(1 for week in active if week < WEEKS)
        before = sum(1 for week in active if 1 <= week <= WEEKS)
        if now >= STEADY_WEEKS > before:
            found[community_id] += 1
    return dict(found)
