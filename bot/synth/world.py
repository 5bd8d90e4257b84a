"""A synthetic workspace: its people and communities, with activity tuned to a target size."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from operator import attrgetter
from typing import TypeVar

from bot.events import (
    CommunityArchived,
    CommunityCreated,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    ReactionRemoved,
)
from bot.synth.population import (
    REGULAR_WEEKLY,
    WEEKLY_ACTIVE,
    Community,
    LocalTime,
    Membership,
    Person,
    SynthSpec,
    day_weight,
    make_communities,
    make_people,
)

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


T = TypeVar("T")

REPLY_CHANCE = 0.55
REPLIES_WHEN_ANY = 2.2
REACTIONS_PER_MESSAGE = 0.9
REMOVED_SHARE = 0.03
REPLY_DELAY_MINUTES = 45.0
REACTION_DELAY_MINUTES = 30.0
EVENTS_PER_THREAD = (1 + REPLY_CHANCE * REPLIES_WHEN_ANY) * (
    1 + 0.95 * REACTIONS_PER_MESSAGE * (1 + REMOVED_SHARE)
)


class Pool:
    """Current members who would act, weighted by how much they act; leavers drop out."""

    __slots__ = ("cumulative", "gone", "people")

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.cumulative: list[float] = []
        self.gone: set[int] = set()

    def add(self, person: Person, weight: float) -> None:
        if weight <= 0:
            return
        self.gone.discard(person.index)
        self.people.append(person)
        self.cumulative.append((self.cumulative[-1] if self.cumulative else 0.0) + weight)

    def remove(self, person: Person) -> None:
        self.gone.add(person.index)

    def draw(self, rng: random.Random) -> Person | None:
        if not self.people:
            return None
        for _attempt in range(4):
            person = pick(rng, self.people, self.cumulative)
            if person.index not in self.gone:
                return person
        return None


def pick(rng: random.Random, items: Sequence[T], cumulative: Sequence[float]) -> T:
    """`rng.choices(items, cum_weights=cumulative)[0]` without its per-call overhead."""
    return items[bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def geometric(rng: random.Random, mean: float) -> int:
    """A count of at least one with the given mean."""
    if mean <= 1:
        return 1
    return 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - 1.0 / mean))


class EventKeys:
    """Event keys in generation order, so the same seed always gives the same keys."""

    def __init__(self) -> None:
        self.serial = 0

    def next(self) -> str:
        self.serial += 1
        return f"Ev{self.serial:010d}"


class Conversations:
    """Builds one thread at a time: the root post, its replies, and reactions to each."""

    def __init__(
        self, rng: random.Random, clock: LocalTime, keys: EventKeys, platform: str, workspace: str
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.keys = keys
        self.platform = platform
        self.workspace = workspace

    def thread(
        self, community: str, author: Person, day: date, posters: Pool, reactors: Pool
    ) -> list[Event]:
        rng = self.rng
        at = self.clock.working_moment(rng, author.tz, day)
        replies = geometric(rng, REPLIES_WHEN_ANY) if rng.random() < REPLY_CHANCE else 0
        key = self.keys.next()
        thread_key = (
            f"{int(at.timestamp())}.{self.keys.serial % 1_000_000:06d}" if replies else None
        )
        events: list[Event] = [self._post(key, at, author, community, thread_key, reply=False)]
        self._react(events, community, author, at, thread_key, reactors)
        for _reply in range(replies):
            replier = posters.draw(rng) or author
            at = self.clock.clamp(at + timedelta(minutes=rng.expovariate(1 / REPLY_DELAY_MINUTES)))
            events.append(
                self._post(self.keys.next(), at, replier, community, thread_key, reply=True)
            )
            self._react(events, community, replier, at, thread_key, reactors)
        return events

    def _post(
        self,
        key: str,
        at: datetime,
        author: Person,
        community: str,
        thread_key: str | None,
        *,
        reply: bool,
    ) -> MessagePosted:
        return MessagePosted(
            platform=self.platform,
            workspace=self.workspace,
            key=key,
            occurred_at=at,
            person=author.external_id,
            community=community,
            thread_key=thread_key,
            is_reply=reply,
        )

    def _react(
        self,
        events: list[Event],
        community: str,
        author: Person,
        posted: datetime,
        thread_key: str | None,
        reactors: Pool,
    ) -> None:
        rng = self.rng
        for _reaction in range(poisson(rng, REACTIONS_PER_MESSAGE * rng.expovariate(1.0))):
            reactor = reactors.draw(rng)
            if reactor is None or reactor is author:
                continue
            delay = timedelta(minutes=rng.expovariate(1 / REACTION_DELAY_MINUTES))
            at = self.clock.clamp(posted + delay)
            events.append(self._reaction(ReactionAdded, at, reactor, author, community, thread_key))
            if rng.random() < REMOVED_SHARE:
                undone = self.clock.clamp(at + timedelta(minutes=rng.uniform(1, 20)))
                events.append(
                    self._reaction(ReactionRemoved, undone, reactor, author, community, thread_key)
                )

    def _reaction(
        self,
        kind: type[ReactionAdded | ReactionRemoved],
        at: datetime,
        reactor: Person,
        author: Person,
        community: str,
        thread_key: str | None,
    ) -> Event:
        return kind(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=at,
            person=reactor.external_id,
            community=community,
            receiver=author.external_id,
            thread_key=thread_key,
        )


class Lifecycle:
    def __init__(
        self,
        rng: random.Random,
        clock: LocalTime,
        keys: EventKeys,
        platform: str,
        workspace: str,
        start: date,
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.keys = keys
        self.platform = platform
        self.workspace = workspace
        self.start = start
        self.created_at: dict[int, datetime] = {}
        self._dates: dict[int, date] = {}

    def date(self, offset: int) -> date:
        day = self._dates.get(offset)
        if day is None:
            day = self._dates[offset] = self.start + timedelta(days=offset)
        return day

    def moment(self, tz: str, offset: int) -> datetime:
        return self.clock.working_moment(self.rng, tz, self.date(offset))

    def seen(self, person: Person) -> PersonSeen:
        return PersonSeen(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment(person.tz, person.arrival),
            person=person.external_id,
            display_name=person.display_name,
            locale=person.locale,
            tz=person.tz,
            department=person.department,
        )

    def created(self, community: Community) -> CommunityCreated:
        founder = community.members[0].person if community.members else None
        at = self.moment(founder.tz if founder else "UTC", community.created)
        self.created_at[community.index] = at
        return CommunityCreated(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=at,
            community=community.external_id,
            name=community.name,
            is_private=community.is_private,
            creator=founder.external_id if founder else None,
        )

    def joined(self, community: Community, membership: Membership) -> MemberJoined:
        at = self.moment(membership.person.tz, membership.joined)
        after_creation = self.created_at[community.index] + timedelta(
            seconds=1 + self.rng.randrange(600)
        )
        return MemberJoined(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.clock.clamp(max(at, after_creation)),
            person=membership.person.external_id,
            community=community.external_id,
        )

    def left(self, community: Community, membership: Membership) -> MemberLeft:
        assert membership.left is not None
        return MemberLeft(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment(membership.person.tz, membership.left),
            person=membership.person.external_id,
            community=community.external_id,
        )

    def archived(self, community: Community) -> CommunityArchived:
        assert community.archived is not None
        return CommunityArchived(
            platform=self.platform,
            workspace=self.workspace,
            key=self.keys.next(),
            occurred_at=self.moment("UTC", community.archived),
            community=community.external_id,
        )
