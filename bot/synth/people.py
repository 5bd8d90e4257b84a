"""The synthetic population: kinds of people, time zones, locales, departments."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.synth.spec import SynthSpec

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
