"""The event stream of a synthetic workspace, one day at a time (never all in memory)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING

from bot.events import Event
from bot.synth.activity import Conversations, EventKeys, Pool, poisson
from bot.synth.communities import REGULAR_WEEKLY, WEEKLY_ACTIVE, Community, Membership
from bot.synth.lifecycle import Lifecycle
from bot.synth.people import Person
from bot.synth.timing import LocalTime, day_weight

if TYPE_CHECKING:
    from bot.synth.world import World

IN_TIME_ORDER = attrgetter("occurred_at", "key")
Planned = tuple[Community, Person | None]
Change = tuple[Community, Membership]


def stream_events(world: World) -> Iterator[Event]:
    return _Stream(world).events()


class _Stream:
    def __init__(self, world: World) -> None:
        spec = world.spec
        self.world = world
        self.days = spec.days
        self.rng = random.Random(spec.seed * 7919 + 1)
        clock = LocalTime(spec.end_moment - timedelta(seconds=1))
        keys = EventKeys()
        self.life = Lifecycle(self.rng, clock, keys, spec.platform, spec.workspace, spec.start)
        self.talk = Conversations(self.rng, clock, keys, spec.platform, spec.workspace)
        self.posters = {c.index: Pool() for c in world.communities}
        self.reactors = {c.index: Pool() for c in world.communities}
        self.arrivals: defaultdict[int, list[Person]] = defaultdict(list)
        self.creations: defaultdict[int, list[Community]] = defaultdict(list)
        self.archives: defaultdict[int, list[Community]] = defaultdict(list)
        self.joins: defaultdict[int, list[Change]] = defaultdict(list)
        self.leaves: defaultdict[int, list[Change]] = defaultdict(list)

    def events(self) -> Iterator[Event]:
        yield from self.prologue()
        mondays = [o for o in range(1, self.days) if self.life.date(o).weekday() == 0]
        for first, last in pairwise([0, *mondays, self.days]):
            plan = self.plan_week(first, last)
            for offset in range(first, last):
                today = self.day(offset, plan.get(offset, []))
                today.sort(key=IN_TIME_ORDER)
                yield from today

    def prologue(self) -> Iterator[Event]:
        """Everything before the period: people already there, communities and their members."""
        for person in self.world.people:
            if person.arrival > 0:
                self.arrivals[person.arrival].append(person)
            else:
                yield self.life.seen(person)
        for community in self.world.communities:
            if community.archived is not None:
                self.archives[community.archived].append(community)
            if community.created >= 0:
                self.creations[community.created].append(community)
                for membership in community.members:
                    self.joins[membership.joined].append((community, membership))
                continue
            earlier: list[Event] = [self.life.created(community)]
            for membership in community.members:
                earlier += self.earlier_membership(community, membership)
            earlier.sort(key=IN_TIME_ORDER)
            yield from earlier

    def earlier_membership(self, community: Community, membership: Membership) -> list[Event]:
        if membership.joined >= 0:
            self.joins[membership.joined].append((community, membership))
            return []
        events: list[Event] = [self.life.joined(community, membership)]
        if membership.left is not None and membership.left < 0:
            events.append(self.life.left(community, membership))
            return events
        self.enter(community, membership.person)
        if membership.left is not None:
            self.leaves[membership.left].append((community, membership))
        return events

    def plan_week(self, week: int, week_end: int) -> dict[int, list[Planned]]:
        """Which communities start threads on which days of an ISO week; regulars post weekly."""
        rng, plan = self.rng, defaultdict[int, list[Planned]](list)
        for community in self.world.communities:
            first = max(week, community.created)
            offsets = range(first, min(week_end, community.live_until(self.days)))
            if not offsets:
                continue
            if rng.random() < WEEKLY_ACTIVE[community.rhythm]:
                weights = [day_weight(self.life.date(offset)) for offset in offsets]
                mean = community.threads_per_day * self.world.thread_scale * sum(weights)
                for offset in rng.choices(offsets, weights, k=max(1, poisson(rng, mean))):
                    plan[offset].append((community, None))
            for membership in community.regulars:
                if rng.random() < REGULAR_WEEKLY:
                    working = [o for o in offsets if self.regular_can_post(membership, o)]
                    if working:
                        plan[rng.choice(working)].append((community, membership.person))
        return plan

    def regular_can_post(self, membership: Membership, offset: int) -> bool:
        return (
            self.life.date(offset).weekday() < 5
            and membership.joined < offset
            and (membership.left is None or offset < membership.left)
        )

    def day(self, offset: int, planned: list[Planned]) -> list[Event]:
        events: list[Event] = [self.life.seen(p) for p in self.arrivals.pop(offset, [])]
        events += [self.life.created(c) for c in self.creations.pop(offset, [])]
        for community, membership in self.leaves.pop(offset, []):
            self.posters[community.index].remove(membership.person)
            self.reactors[community.index].remove(membership.person)
            events.append(self.life.left(community, membership))
        today = self.life.date(offset)
        for community, chosen in planned:
            posters = self.posters[community.index]
            author = chosen or posters.draw(self.rng)
            if author is not None:
                reactors = self.reactors[community.index]
                events += self.talk.thread(community.external_id, author, today, posters, reactors)
        for community, membership in self.joins.pop(offset, []):
            events.append(self.life.joined(community, membership))
            self.enter(community, membership.person)
            if membership.left is not None:
                self.leaves[membership.left].append((community, membership))
        events += [self.life.archived(c) for c in self.archives.pop(offset, [])]
        return events

    def enter(self, community: Community, person: Person) -> None:
        self.posters[community.index].add(person, person.post_weight)
        self.reactors[community.index].add(person, person.react_weight)
