"""The office as neutral events, for the database loader and the CLI.

as_of: end of Sunday 2026-03-01. Ana works with Ben, Cat, Dan and Eve in #team, all
posting on the same Tuesdays; Ben..Eve also post in #ml every week; Fay, Gus and Hal post
in #cooking. Ben's #secret is private, #gone is archived, #attic had one post long before
the window. After as_of: Fay joins #ml, Ben posts in #ml, Eve leaves #team.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.events import CommunityArchived, CommunityCreated, Event, PersonSeen
from tests.support.events import WORKSPACE, at, join, leave, post

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF_DAY = "2026-03-01"
ANA, BEN, CAT, DAN, EVE, FAY, GUS, HAL, BOT = (
    "U0ANA0001",
    "U0BEN0002",
    "U0CAT0003",
    "U0DAN0004",
    "U0EVE0005",
    "U0FAY0006",
    "U0GUS0007",
    "U0HAL0008",
    "U0BOT0009",
)
TEAM_ROOM, ML, COOKING, SECRET, GONE, ATTIC = (
    "C0TEAM001",
    "C0ML00002",
    "C0COOK003",
    "C0SECRET4",
    "C0GONE005",
    "C0ATTIC06",
)
TUESDAYS = [(date(2026, 2, 24) - timedelta(weeks=week)).isoformat() for week in range(12)]


def _created(community: str, name: str, *, private: bool = False) -> CommunityCreated:
    return CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at("2025-01-06"),
        community=community,
        name=name,
        is_private=private,
        creator=BEN,
    )


def office_events() -> list[Event]:
    events: list[Event] = [
        _created(TEAM_ROOM, "team"),
        _created(ML, "ml"),
        _created(COOKING, "cooking"),
        _created(SECRET, "secret", private=True),
        _created(GONE, "gone"),
        _created(ATTIC, "attic"),
        PersonSeen(
            platform="slack",
            workspace=WORKSPACE,
            key="seen:bot",
            occurred_at=at("2025-01-06"),
            person=BOT,
            is_bot=True,
        ),
    ]
    for day in TUESDAYS:
        events += [post(p, TEAM_ROOM, day) for p in (ANA, BEN, CAT, DAN, EVE)]
        events += [post(p, ML, day) for p in (BEN, CAT, DAN, EVE, BOT)]
        events += [post(p, COOKING, day) for p in (FAY, GUS, HAL)]
        events += [post(p, SECRET, day) for p in (BEN, CAT)]
        events += [post(p, GONE, day) for p in (FAY, GUS)]
    events.append(post(GUS, ATTIC, "2025-06-03"))
    events.append(
        CommunityArchived(
            platform="slack",
            workspace=WORKSPACE,
            key="archived:gone",
            occurred_at=at("2026-02-26"),
            community=GONE,
        )
    )
    events += [join(FAY, ML, "2026-03-05"), post(BEN, ML, "2026-03-03")]
    events.append(leave(EVE, TEAM_ROOM, "2026-03-10"))
    return events
