"""The generator's promises: deterministic, the sizes asked for, a realistic shape."""

from __future__ import annotations

import gc
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from bot.events import (
    EVENT_BY_KIND,
    CommunityCreated,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
)
from bot.synth import SynthSpec, World, build_world

END = date(2026, 3, 2)
SPEC = SynthSpec(people=200, communities=30, days=120, end=END, seed=11)
METADATA_FIELDS = {
    "platform", "workspace", "key", "occurred_at", "person", "community", "thread_key",
    "is_reply", "receiver", "name", "is_private", "creator", "display_name", "locale", "tz",
    "department", "is_bot", "deleted", "email_hash", "source",
}  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(SPEC)


@pytest.fixture(scope="module")
def events(world: World) -> list[Event]:
    return list(world.events())


def test_the_same_seed_gives_the_same_events(events: list[Event]) -> None:
    assert list(build_world(SPEC).events()) == events
    other = SynthSpec(people=200, communities=30, days=120, end=END, seed=12)
    assert list(islice(build_world(other).events(), 500)) != events[:500]


def test_sizes_are_respected(world: World, events: list[Event]) -> None:
    people = {e.person for e in events if isinstance(e, PersonSeen)}
    communities = {e.community for e in events if isinstance(e, CommunityCreated)}
    assert (len(people), len(communities)) == (200, 30)
    assert (len(world.people), len(world.communities)) == (200, 30)
    assert 0.8 * SPEC.target_events < len(events) < 1.2 * SPEC.target_events
    assert max(e.occurred_at for e in events) < datetime(2026, 3, 2, tzinfo=UTC)
    assert len({e.key for e in events}) == len(events)


def test_an_event_target_is_met_roughly() -> None:
    spec = SynthSpec(people=100, communities=10, days=60, end=END, seed=3, events=30_000)
    assert 0.8 * 30_000 < sum(1 for _ in build_world(spec).events()) < 1.2 * 30_000


def test_every_event_is_valid_metadata_without_text(events: list[Event]) -> None:
    for event in events:
        assert EVENT_BY_KIND[event.kind] is type(event)
        assert {item.name for item in fields(event)} <= METADATA_FIELDS
        assert event.occurred_at.tzinfo is not None
        assert (event.platform, event.workspace) == ("slack", "TSYN11")
    for seen in (e for e in events if isinstance(e, PersonSeen)):
        assert seen.locale in ("en", "fr")
        assert seen.tz is not None
        ZoneInfo(seen.tz)
        assert seen.department


def test_community_sizes_are_heavy_tailed(world: World) -> None:
    sizes = sorted(len(community.members) for community in world.communities)
    assert sizes[-1] >= 4 * median(sizes)
    assert sizes[-2] >= 2 * median(sizes)


def test_silent_members_reactors_and_regulars_exist(events: list[Event]) -> None:
    members = {(e.person, e.community) for e in events if isinstance(e, MemberJoined)}
    posted = {(e.person, e.community) for e in events if isinstance(e, MessagePosted)}
    reacted = {(e.person, e.community) for e in events if isinstance(e, ReactionAdded)}
    assert len(members - posted - reacted) > len(members) / 4
    assert len(reacted - posted) > 20
    weeks_posted = _active_weeks(events, by_person=True)
    assert sum(1 for weeks in weeks_posted.values() if len(weeks) >= 9) >= 5


def test_threads_have_replies_and_reactions_have_receivers(events: list[Event]) -> None:
    messages = [e for e in events if isinstance(e, MessagePosted)]
    replies = [m for m in messages if m.is_reply]
    roots = {m.thread_key for m in messages if not m.is_reply and m.thread_key}
    assert 0.2 < len(replies) / len(messages) < 0.8
    assert {r.thread_key for r in replies} <= roots
    reactions = [e for e in events if isinstance(e, ReactionAdded)]
    assert len(reactions) > len(messages) / 2
    assert all(r.receiver and r.receiver != r.person for r in reactions)


def test_communities_range_from_dormant_to_steady(events: list[Event]) -> None:
    weeks = [len(active) for active in _active_weeks(events, by_person=False).values()]
    assert max(weeks) >= 9
    assert sum(1 for active in weeks if active <= 3) >= 3
    assert any(e.kind == "community_archived" for e in events)


def test_joins_and_creations_are_spread_over_time(events: list[Event]) -> None:
    start = datetime(2025, 11, 2, tzinfo=UTC)
    join_days = {e.occurred_at.date() for e in events if isinstance(e, MemberJoined)}
    assert sum(1 for day in join_days if day >= start.date()) > 30
    assert any(isinstance(e, MemberLeft) for e in events)
    created_late = [e for e in events if isinstance(e, CommunityCreated) and e.occurred_at > start]
    assert 3 <= len(created_late) < 30


def test_people_act_in_their_own_working_hours(events: list[Event]) -> None:
    zones = {e.person: ZoneInfo(e.tz) for e in events if isinstance(e, PersonSeen) and e.tz}
    roots = [e for e in events if isinstance(e, MessagePosted) and not e.is_reply]
    local = [root.occurred_at.astimezone(zones[root.person]) for root in roots]
    assert sum(1 for moment in local if 8 <= moment.hour <= 18) / len(local) > 0.95
    assert sum(1 for moment in local if moment.weekday() < 5) / len(local) > 0.9
    assert len({e.tz for e in events if isinstance(e, PersonSeen)}) >= 5


def test_events_stream_without_being_held_in_memory() -> None:
    """Eight times the days and events; held in memory, the peak would grow as much."""
    short, long = (_peak_memory(days) for days in (30, 240))
    assert long[0] > 6 * short[0]
    assert long[1] < 3 * short[1]


def _peak_memory(days: int) -> tuple[int, int]:
    spec = SynthSpec(people=100, communities=10, days=days, end=END, seed=5)
    stream = build_world(spec).events()
    assert isinstance(stream, Iterator)
    gc.collect()
    tracemalloc.start()
    count = sum(1 for _ in stream)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def _active_weeks(events: list[Event], *, by_person: bool) -> dict[str, set[int]]:
    """ISO weeks with a post among the last 12 before the end, per community or person."""
    first_monday = END - timedelta(weeks=12)
    active: defaultdict[str, set[int]] = defaultdict(set)
    for event in events:
        if isinstance(event, MessagePosted) and event.occurred_at.date() >= first_monday:
            week = (event.occurred_at.date() - first_monday).days // 7
            active[f"{event.person}@{event.community}" if by_person else event.community].add(week)
    return dict(active)


def test_people_have_several_kinds(world: World) -> None:
    kinds = Counter(person.kind for person in world.people)
    assert set(kinds) == {"regular", "occasional", "reactor", "silent"}
