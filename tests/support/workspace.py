"""A small handcrafted workspace whose every figure was computed by hand.

as_of = 2026-03-29 (a Sunday). W = 2026-03-02 .. 03-29; previous W = 02-02 .. 03-01.
The 12 ISO weeks start on Mondays 01-05, 01-12, … 03-23 (w0 … w11).

#garden (15 members): U1 posts on the Tuesday of w3..w11 (9 weeks: a regular), U2 on the
Wednesday of w4..w11 (8 weeks: just not a regular), U3 posts 03-05, U4 replies 03-05,
U9 posts 03-12, U10 posts 03-26, U5 and U6 only react; U7, U8, U11..U15 are silent.
U15 created every community (an animator). U16 joins on 03-30, after as_of.
#archive-club (6 members): posts by U1 on 01-06 and 03-10, by U2 on 03-10; U3..U5 react
on 03-10 -> 2 active weeks of 12: dormant.
#tiny (3 members): below the minimum group of 5.
Departments: U1..U8 Engineering, U9..U12 Sales, U13..U15 Legal (both pooled as "other").
"""

from __future__ import annotations

from datetime import date
from itertools import count

from bot.events import CommunityCreated, Event, PersonSeen
from tests.support.events import WORKSPACE, at, join, post, react

AS_OF = date(2026, 3, 29)
_serial = count(1)


def person(user: str, department: str) -> PersonSeen:
    return PersonSeen(
        platform="slack",
        workspace=WORKSPACE,
        key=f"person:{user}:{next(_serial)}",
        occurred_at=at("2026-01-01", 8),
        person=user,
        display_name=f"Person {user}",
        tz="Europe/Paris",
        locale="fr-FR" if user.endswith("3") else "en-US",
        department=department,
    )


def created(community: str, name: str, creator: str) -> CommunityCreated:
    return CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at("2026-01-01", 7),
        community=community,
        name=name,
        creator=creator,
    )


def handcrafted_events() -> list[Event]:
    departments = ["Engineering"] * 8 + ["Sales"] * 4 + ["Legal"] * 3
    events: list[Event] = [person(f"U{i}", dept) for i, dept in enumerate(departments, start=1)]
    events += [created("C1", "garden", "U15"), created("C2", "archive-club", "U15")]
    events += [created("C3", "tiny", "U15")]
    events += [join(f"U{i}", "C1", "2026-01-01") for i in range(1, 16)]
    events += [join("U16", "C1", "2026-03-30")]
    events += [join(f"U{i}", "C2", "2026-01-01") for i in range(1, 7)]
    events += [join(f"U{i}", "C3", "2026-01-01") for i in range(1, 4)]
    u1_days = ["01-27", "02-03", "02-10", "02-17", "02-24", "03-03", "03-10", "03-17", "03-24"]
    u2_days = ["02-04", "02-11", "02-18", "02-25", "03-04", "03-11", "03-18", "03-25"]
    events += [post("U1", "C1", f"2026-{day}") for day in u1_days]
    events += [post("U2", "C1", f"2026-{day}") for day in u2_days]
    events += [post("U3", "C1", "2026-03-05"), post("U4", "C1", "2026-03-05", reply=True)]
    events += [post("U9", "C1", "2026-03-12"), post("U10", "C1", "2026-03-26")]
    events += [react("U5", "C1", "2026-03-06", "U1"), react("U6", "C1", "2026-03-20", "U2")]
    events += [post("U1", "C2", "2026-01-06"), post("U1", "C2", "2026-03-10")]
    events += [post("U2", "C2", "2026-03-10")]
    events += [react(f"U{i}", "C2", "2026-03-10", "U1") for i in (3, 4, 5)]
    events += [post("U1", "C3", "2026-03-10")]
    return events


def private_community(community: str, name: str, creator: str, members: list[str]) -> list[Event]:
    """A private community of the handcrafted workspace, created and joined on 2026-01-02."""
    made = CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at("2026-01-02", 7),
        community=community,
        name=name,
        creator=creator,
        is_private=True,
    )
    return [made, *(join(person, community, "2026-01-02") for person in members)]
