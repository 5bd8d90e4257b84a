"""Synthetic communities: heavy-tailed sizes, rhythms, creation over time, memberships."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from itertools import accumulate

from bot.synth.people import DEPARTMENTS, Person
from bot.synth.spec import SynthSpec

RHYTHMS = ("steady", "intermittent", "dormant")
RHYTHM_SHARES = (0.30, 0.40, 0.30)
WEEKLY_ACTIVE = {"steady": 0.95, "intermittent": 0.55, "dormant": 0.08}
"""Chance that a community of each rhythm has threads in a given week."""
REGULAR_WEEKLY = 0.88
"""Chance that a regular posts in their home community in a given week."""
MEMBERSHIPS_PER_PERSON = 4.0
SIZE_SIGMA = 1.1
PRE_EXISTING = 0.65
ARCHIVED = 0.04
PRIVATE = 0.12
DEPARTMENTAL = 0.40
FROM_DEPARTMENT = 0.70
LEAVERS = 0.06
GENERAL_SHARE = 0.9
DEPARTMENT_NAMES = tuple(name for name, _share in DEPARTMENTS)
TOPICS = (
    "python", "data", "cloud", "security", "design-crit", "onboarding", "coffee", "running",
    "books", "music", "parents", "accessibility", "sustainability", "ai", "frontend", "mobile",
    "ops", "help", "announcements", "events", "learning", "mentoring", "paris", "london",
)  # fmt: skip
PREFIXES = ("team", "proj", "guild", "ask", "social", "club", "topic")


@dataclass(slots=True)
class Membership:
    person: Person
    joined: int
    """Day offset from the start (negative: before the window)."""
    left: int | None = None


@dataclass(slots=True)
class Community:
    index: int
    external_id: str
    name: str
    rhythm: str
    created: int
    is_private: bool
    threads_per_day: float
    """Threads on a working day of a week when the community is active, before scaling."""
    archived: int | None = None
    department: str | None = None
    members: list[Membership] = field(default_factory=list)
    regulars: list[Membership] = field(default_factory=list)

    def live_until(self, days: int) -> int:
        return days if self.archived is None else self.archived


def make_communities(spec: SynthSpec, people: list[Person], rng: random.Random) -> list[Community]:
    mean_size = spec.people * MEMBERSHIPS_PER_PERSON / max(spec.communities - 1, 1)
    mu = math.log(mean_size) - SIZE_SIGMA**2 / 2
    chooser = _MemberChooser(people)
    communities: list[Community] = []
    for index in range(spec.communities):
        general = index == 0
        if general:
            size = round(spec.people * GENERAL_SHARE)
        else:
            size = round(rng.lognormvariate(mu, SIZE_SIGMA))
        size = min(max(size, 3), round(spec.people * 0.8) if not general else spec.people)
        community = _community(spec, index, size, rng)
        if general:
            members = rng.sample(people, size)
        else:
            members = chooser.choose(rng, size, community.department)
        _assign_memberships(spec, community, members, rng)
        communities.append(community)
    _choose_regular_homes(communities, rng)
    return communities


def _community(spec: SynthSpec, index: int, size: int, rng: random.Random) -> Community:
    general = index == 0
    pre_existing = general or rng.random() < PRE_EXISTING
    created = -rng.randrange(30, 1000) if pre_existing else rng.randrange(0, spec.days - 7)
    if general:
        created = -1000
    department = None
    if not general and rng.random() < DEPARTMENTAL:
        department = rng.choice(DEPARTMENT_NAMES)
    prefix = department.lower() if department else rng.choice(PREFIXES)
    community = Community(
        index=index,
        external_id=f"C{index + 1:08X}",
        name="general" if general else f"{prefix}-{rng.choice(TOPICS)}-{index}",
        rhythm="steady" if general else rng.choices(RHYTHMS, RHYTHM_SHARES)[0],
        created=created,
        is_private=not general and rng.random() < PRIVATE,
        threads_per_day=0.05 * size**0.7 * rng.lognormvariate(0.0, 0.4) * (0.2 if general else 1),
        department=department,
    )
    if not general and rng.random() < ARCHIVED and max(created, 0) + 14 < spec.days - 1:
        community.archived = rng.randrange(max(created, 0) + 14, spec.days - 1)
    return community


def _assign_memberships(
    spec: SynthSpec, community: Community, members: list[Person], rng: random.Random
) -> None:
    founders = max(2, len(members) // 5)
    limit = community.live_until(spec.days)
    for position, person in enumerate(members):
        joined = community.created
        if position >= founders:
            joined = community.created + int((limit - community.created) * rng.random() ** 1.3)
        joined = max(joined, person.arrival)
        if joined >= limit:
            continue
        left = None
        if position >= founders and rng.random() < LEAVERS and joined + 7 < limit:
            left = rng.randrange(joined + 7, limit)
        community.members.append(Membership(person, joined, left))
    community.members.sort(key=lambda membership: (membership.joined, membership.person.index))


def _choose_regular_homes(communities: list[Community], rng: random.Random) -> None:
    """A regular posts most weeks in one or two steady communities they belong to."""
    homes: dict[int, list[tuple[Community, Membership]]] = {}
    for community in communities[1:]:
        if community.rhythm != "steady":
            continue
        for membership in community.members:
            if membership.person.kind == "regular" and membership.left is None:
                homes.setdefault(membership.person.index, []).append((community, membership))
    for _person, options in sorted(homes.items()):
        rng.shuffle(options)
        for community, membership in options[: rng.choice((1, 2))]:
            community.regulars.append(membership)


class _MemberChooser:
    """Distinct people, weighted by sociability, mostly from one department when asked."""

    def __init__(self, people: list[Person]) -> None:
        self.everyone = _Weighted(people)
        self.by_department = {
            name: _Weighted([p for p in people if p.department == name])
            for name in DEPARTMENT_NAMES
        }

    def choose(self, rng: random.Random, size: int, department: str | None) -> list[Person]:
        chosen: dict[int, Person] = {}
        local = self.by_department.get(department) if department else None
        if local is not None and local.people:
            self._fill(rng, chosen, local, round(size * FROM_DEPARTMENT))
        self._fill(rng, chosen, self.everyone, size)
        return list(chosen.values())

    @staticmethod
    def _fill(rng: random.Random, chosen: dict[int, Person], pool: _Weighted, size: int) -> None:
        size = min(size, len(chosen) + len(pool.people))
        for _attempt in range(8):
            missing = size - len(chosen)
            if missing <= 0:
                return
            for person in rng.choices(pool.people, cum_weights=pool.cumulative, k=missing * 2):
                if len(chosen) < size:
                    chosen.setdefault(person.index, person)


class _Weighted:
    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.cumulative = list(accumulate(p.sociability for p in people))
