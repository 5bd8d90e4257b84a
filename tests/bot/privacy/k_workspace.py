"""A workspace whose only small groups have exactly 4 people: #quad and the Finance department.

as_of = 2026-03-29. U1..U10 work in Engineering, U11..U14 in Finance (4 people).
#big: U1..U10, U13, U14 (12 members), everyone posts or reacts each week.
#quad: U9..U12 (exactly 4 members), each posting every Tuesday for 12 weeks.
U9 and U10 are the only #quad members the other engineers know (2 < social proof minimum 3).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.events import CommunityCreated, Event
from tests.support.events import WORKSPACE, at, join, post, react
from tests.support.workspace import person

AS_OF = date(2026, 3, 29)
QUAD = ("U9", "U10", "U11", "U12")
BIG = (*(f"U{i}" for i in range(1, 11)), "U13", "U14")
FINANCE = ("U11", "U12", "U13", "U14")


def _created(community: str, name: str) -> CommunityCreated:
    return CommunityCreated(
        platform="slack", workspace=WORKSPACE, key=f"created:{community}",
        occurred_at=at("2026-01-01", 7), community=community, name=name, creator="U1",
    )  # fmt: skip


def k_events() -> list[Event]:
    events: list[Event] = [person(f"U{i}", "Engineering") for i in range(1, 11)]
    events += [person(user, "Finance") for user in FINANCE]
    events += [_created("C1", "big"), _created("C2", "quad")]
    events += [join(user, "C1", "2026-01-01") for user in BIG]
    events += [join(user, "C2", "2026-01-01") for user in QUAD]
    tuesdays = [date(2026, 1, 6) + timedelta(weeks=week) for week in range(12)]
    for day in (str(tuesday) for tuesday in tuesdays):
        events += [post(user, "C2", day) for user in QUAD]
        events += [post(user, "C1", day) for user in BIG[:8]]
        events += [react(user, "C1", day, "U1") for user in BIG[8:]]
    return events
