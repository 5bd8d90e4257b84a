"""Replay: the snapshot at a cutoff sees only the past; the truth is the next 90 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.recs.replay import replay
from bench.recs.slack_export import Timeline
from bot.events import CommunityCreated, Event
from tests.support.events import WORKSPACE, at, join, post

CUTOFF = datetime(2026, 3, 1, tzinfo=UTC)


def created(community: str, day: str, *, private: bool = False) -> CommunityCreated:
    return CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at(day, 8),
        community=community,
        name=community.lower(),
        is_private=private,
    )


def timeline(events: list[Event], imposed: frozenset[str] = frozenset()) -> Timeline:
    ordered = sorted(events, key=lambda event: (event.occurred_at, event.key))
    return Timeline(workspace=WORKSPACE, events=ordered, imposed=set(imposed))


def test_targets_are_own_accord_joins_of_people_already_there() -> None:
    invited = join("U2", "CPUB", "2026-03-10")
    events: list[Event] = [
        created("CPUB", "2026-01-05"),
        created("CPRIV", "2026-01-05", private=True),
        post("U1", "CPUB", "2026-01-06"),
        post("U2", "CPRIV", "2026-01-06"),
        post("U3", "CPRIV", "2026-01-06"),
        join("U3", "CPUB", "2026-03-10"),
        invited,
        join("U1", "CPRIV", "2026-03-11"),
        join("U9", "CPUB", "2026-03-12"),
        join("U3", "CPUB", "2026-07-01"),
        created("CNEW", "2026-03-15"),
        join("U2", "CNEW", "2026-03-16"),
    ]
    [cut] = list(replay(timeline(events, frozenset({invited.key})), [CUTOFF], timedelta(days=90)))
    ids = cut.ids
    assert cut.targets == {ids["U3"]: {ids["CPUB"]}}
    assert {ids["U1"], ids["U2"], ids["U3"]} == cut.present


def test_the_snapshot_holds_the_window_before_the_cutoff_only() -> None:
    events: list[Event] = [
        created("CPUB", "2025-01-06"),
        post("U1", "CPUB", "2025-06-03"),
        post("U1", "CPUB", "2026-02-24"),
        post("U1", "CPUB", "2026-03-03"),
    ]
    [cut] = list(replay(timeline(events), [CUTOFF], timedelta(days=90)))
    assert [row.day.isoformat() for row in cut.snapshot.activity] == ["2026-02-24"]
    assert cut.snapshot.as_of == CUTOFF
