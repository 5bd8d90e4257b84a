"""A synthetic workspace: its people and communities, with activity tuned to a target size."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from bot.events import Event
from bot.synth.activity import EVENTS_PER_THREAD
from bot.synth.communities import REGULAR_WEEKLY, WEEKLY_ACTIVE, Community, make_communities
from bot.synth.people import Person, make_people
from bot.synth.spec import SynthSpec
from bot.synth.stream import stream_events

WEEK_WEIGHT = 5 + 2 * 0.07
"""A full week of activity counted in working days (weekends are quiet)."""


@dataclass(frozen=True, slots=True)
class World:
    spec: SynthSpec
    people: list[Person]
    communities: list[Community]
    thread_scale: float
    """Multiplies every community's thread rate so the total lands near the target."""
    expected_events: int

    def events(self) -> Iterator[Event]:
        """Every event, day by day in time order; the same seed gives the same events."""
        return stream_events(self)


def build_world(spec: SynthSpec) -> World:
    rng = random.Random(spec.seed)
    people = make_people(spec, rng)
    communities = make_communities(spec, people, rng)
    scale, expected = calibrate(spec, people, communities)
    return World(spec, people, communities, scale, expected)


def calibrate(
    spec: SynthSpec, people: list[Person], communities: list[Community]
) -> tuple[float, int]:
    """Find the thread-rate scale whose expected event count meets the target."""
    fixed = float(len(people))
    weeks: list[tuple[float, float, float]] = []
    for community in communities:
        fixed += 1 + (community.archived is not None)
        fixed += sum(1 + (m.left is not None) for m in community.members)
        live_until = community.live_until(spec.days)
        for membership in community.regulars:
            present = min(live_until, membership.left or live_until) - max(membership.joined, 0)
            fixed += max(present, 0) / 7 * REGULAR_WEEKLY * EVENTS_PER_THREAD
        live_weeks = max(live_until - max(community.created, 0), 0) / 7
        weeks.append((live_weeks, WEEKLY_ACTIVE[community.rhythm], community.threads_per_day))

    def expected(scale: float) -> float:
        threads = 0.0
        for live_weeks, active, rate in weeks:
            mean = rate * scale * WEEK_WEIGHT
            threads += live_weeks * active * (mean + math.exp(-mean))
        return fixed + threads * EVENTS_PER_THREAD

    target = spec.target_events
    if expected(0.0) >= target:
        return 0.0, round(expected(0.0))
    low, high = 0.0, 1.0
    while expected(high) < target and high < 2.0**40:
        low, high = high, high * 2
    for _step in range(50):
        middle = (low + high) / 2
        low, high = (middle, high) if expected(middle) < target else (low, middle)
    return high, round(expected(high))
