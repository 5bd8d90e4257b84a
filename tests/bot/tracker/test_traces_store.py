"""Traces and community days kept by folding equal those rebuilt from the rollups."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.events import ReactionRemoved
from bot.services import Services
from bot.storage.tables import COMMUNITY_DAY
from bot.synth import SynthSpec, build_world
from bot.tracker.fold import rebuild_community_days
from bot.tracker.traces import (
    COMMUNITIES,
    MEMBERS,
    PEOPLE,
    Trace,
    rebuild_traces,
)
from tests.support.events import WORKSPACE, at, post, react

SPEC = SynthSpec(people=60, communities=8, days=100, end=date(2026, 3, 2), seed=5)
Derived = tuple[set[tuple[Any, ...]], ...]


def derived(session: Session) -> Derived:
    connection = session.connection()
    return (
        {tuple(r) for r in connection.execute(select(PEOPLE.table))},
        {tuple(r) for r in connection.execute(select(MEMBERS.table))},
        {tuple(r) for r in connection.execute(select(COMMUNITIES.table))},
        {tuple(r) for r in connection.execute(select(COMMUNITY_DAY))},
    )


def rebuilt(session: Session) -> Derived:
    connection = session.connection()
    for scope in (PEOPLE, MEMBERS, COMMUNITIES):
        rebuild_traces(connection, scope)
    rebuild_community_days(connection)
    return derived(session)


async def test_folding_in_batches_keeps_what_a_rebuild_makes(services: Services) -> None:
    events = list(build_world(SPEC).events())
    for start in range(0, len(events), 1500):  # several folds, days arriving out of order
        await services.tracker.record(events[start : start + 1500][::-1])
        await services.tracker.fold()
    folded = await services.database.read(derived)
    assert len(folded[0]) > 30
    assert len(folded[1]) > len(folded[0])
    assert len(folded[2]) == SPEC.communities
    assert len(folded[3]) > 100
    assert await services.database.write(rebuilt) == folded


async def test_a_reaction_taken_back_leaves_no_reacted_day(services: Services) -> None:
    await services.tracker.record(
        [
            post("U1", "C1", "2026-02-20"),
            react("U1", "C1", "2026-03-02"),
            react("U1", "C2", "2026-03-03"),
        ]
    )
    await services.tracker.fold()
    removed = ReactionRemoved(
        platform="slack", workspace=WORKSPACE, key="Ev-removed", occurred_at=at("2026-03-02"),
        person="U1", community="C1",
    )  # fmt: skip
    await services.tracker.record([removed])
    await services.tracker.fold()
    people, members, *_ = await services.database.read(derived)
    (row,) = people
    trace = Trace(*row[:5])
    assert trace.anchor == date(2026, 3, 3).toordinal()
    assert trace.reacted_days == 0b01  # the 3rd still counts, the 2nd no longer does
    assert trace.at(date(2026, 3, 2).toordinal()) == (True, False, 1)
    in_c1, in_c2 = sorted((Trace(*r[:5]) for r in members), key=lambda t: -t.posted_days)
    assert (in_c1.posted_days != 0, in_c1.reacted_days) == (True, 0)  # C1 had the post
    assert in_c2.reacted_days == 1
    assert (await services.database.write(rebuilt))[:2] == (people, members)
