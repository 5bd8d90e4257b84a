"""Who a synthetic workspace holds: the spec (sizes, period, seed), its people (kinds, time
zones, locales, departments), its communities (heavy-tailed sizes, rhythms, memberships),
and when people act (working hours in their own time zone, mostly on weekdays)."""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from bot.errors import EngageError

MAX_DAYS = 3660
EVENTS_PER_PERSON_DAY = 0.8


class SynthError(EngageError):
    """The requested workspace cannot be generated (sizes out of range)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthSpec:
    """Activity covers the `days` days before `end` (exclusive), in UTC.

    `events` is the approximate number of events wanted; by default about
    0.8 per person and day, the rate of a lively but ordinary workplace.
    """

    people: int
    communities: int
    days: int
    end: date
    seed: int = 0
    events: int | None = None
    platform: str = "slack"
    workspace: str = ""

    def __post_init__(self) -> None:
        if self.people < 5:
            raise SynthError("--people must be at least 5")
        if self.communities < 1:
            raise SynthError("--communities must be at least 1")
        if not 7 <= self.days <= MAX_DAYS:
            raise SynthError(f"--days must be between 7 and {MAX_DAYS}")
        if self.events is not None and self.events < 0:
            raise SynthError("--events must not be negative")
        if not self.workspace:
            object.__setattr__(self, "workspace", f"TSYN{self.seed}")

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def start_moment(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_moment(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)

    @property
    def target_events(self) -> int:
        if self.events is not None:
            return self.events
        return round(self.people * self.days * EVENTS_PER_PERSON_DAY)


KINDS = ("regular", "occasional", "reactor", "silent")
KIND_SHARES = (0.08, 0.30, 0.24, 0.38)
POST_WEIGHT = {"regular": 4.0, "occasional": 1.0, "reactor": 0.0, "silent": 0.0}
REACT_WEIGHT = {"regular": 2.0, "occasional": 1.5, "reactor": 2.5, "silent": 0.0}
# (IANA zone, share of people, share of them who read French)
ZONES = (
    ("Europe/Paris", 0.34, 0.92),
    ("Europe/London", 0.12, 0.04),
    ("Europe/Berlin", 0.06, 0.05),
    ("America/New_York", 0.17, 0.03),
    ("America/Toronto", 0.06, 0.45),
    ("America/Los_Angeles", 0.08, 0.02),
    ("Africa/Casablanca", 0.04, 0.70),
    ("Asia/Singapore", 0.08, 0.03),
    ("Australia/Sydney", 0.05, 0.02),
)
DEPARTMENTS = (
    ("Engineering", 0.30),
    ("Sales", 0.16),
    ("Operations", 0.12),
    ("Support", 0.10),
    ("Marketing", 0.08),
    ("Product", 0.07),
    ("Finance", 0.06),
    ("People", 0.05),
    ("Design", 0.04),
    ("Legal", 0.02),
)
FIRST_NAMES = {
    "en": ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Chris", "Jamie", "Robin", "Casey"),
    "fr": ("Camille", "Louise", "Hugo", "Léa", "Jules", "Manon", "Théo", "Inès", "Lucas"),
}
LAST_NAMES = ("Martin", "Smith", "Bernard", "Nguyen", "Dubois", "Patel", "Moreau", "Garcia")
LATE_ARRIVALS = 0.10


@dataclass(slots=True)
class Person:
    index: int
    external_id: str
    kind: str
    tz: str
    locale: str
    department: str
    display_name: str
    sociability: float
    arrival: int
    """Day offset from the start when the person first appears (<= 0: before the window)."""

    @property
    def post_weight(self) -> float:
        return POST_WEIGHT[self.kind] * self.sociability

    @property
    def react_weight(self) -> float:
        return REACT_WEIGHT[self.kind] * self.sociability


def make_people(spec: SynthSpec, rng: random.Random) -> list[Person]:
    zones = [zone for zone, _share, _fr in ZONES]
    zone_shares = [share for _zone, share, _fr in ZONES]
    french_share = {zone: fr for zone, _share, fr in ZONES}
    departments = [name for name, _ in DEPARTMENTS]
    department_shares = [share for _, share in DEPARTMENTS]
    people = []
    for index in range(spec.people):
        tz = rng.choices(zones, zone_shares)[0]
        locale = "fr" if rng.random() < french_share[tz] else "en"
        late = rng.random() < LATE_ARRIVALS
        people.append(
            Person(
                index=index,
                external_id=f"U{index + 1:08X}",
                kind=rng.choices(KINDS, KIND_SHARES)[0],
                tz=tz,
                locale=locale,
                department=rng.choices(departments, department_shares)[0],
                display_name=f"{rng.choice(FIRST_NAMES[locale])} {rng.choice(LAST_NAMES)}",
                sociability=rng.lognormvariate(0.0, 0.6),
                arrival=rng.randrange(1, spec.days - 6) if late else -rng.randrange(1, 900),
            )
        )
    return people


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


HOUR_WEIGHTS = {8: 2, 9: 6, 10: 9, 11: 9, 12: 4, 13: 5, 14: 8, 15: 8, 16: 7, 17: 4, 18: 1}
HOURS = tuple(HOUR_WEIGHTS)
HOUR_CUMULATIVE = tuple(accumulate(HOUR_WEIGHTS.values()))
LAST_HOUR = len(HOURS) - 1
WEEKEND_FACTOR = 0.07


def day_weight(day: date) -> float:
    """How much activity a day gets compared with a working day."""
    return 1.0 if day.weekday() < 5 else WEEKEND_FACTOR


class LocalTime:
    """Turns a local working moment into UTC, caching each zone's offset per day."""

    def __init__(self, latest: datetime) -> None:
        self._latest = latest
        self._zones: dict[str, ZoneInfo] = {}
        self._midnights: dict[tuple[str, date], datetime] = {}

    def working_moment(self, rng: random.Random, tz: str, day: date) -> datetime:
        hour = HOURS[bisect(HOUR_CUMULATIVE, rng.random() * HOUR_CUMULATIVE[-1], 0, LAST_HOUR)]
        seconds = hour * 3600 + int(rng.random() * 3600)
        return self.clamp(self._midnight(tz, day) + timedelta(seconds=seconds))

    def clamp(self, moment: datetime) -> datetime:
        """Nothing happens at or after the end of the period."""
        return moment if moment < self._latest else self._latest

    def _midnight(self, tz: str, day: date) -> datetime:
        """The UTC moment of the day's local midnight, at the offset the zone has at noon."""
        midnight = self._midnights.get((tz, day))
        if midnight is None:
            zone = self._zones.setdefault(tz, ZoneInfo(tz))
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
            offset = noon.utcoffset() or timedelta()
            local = datetime(day.year, day.month, day.day, tzinfo=UTC)
            midnight = self._midnights[(tz, day)] = local - offset
        return midnight
