"""Threads, replies and reactions: who takes part, drawn from a community's members."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from bot.events import Event, MessagePosted, ReactionAdded, ReactionRemoved
from bot.synth.people import Person
from bot.synth.timing import LocalTime

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
