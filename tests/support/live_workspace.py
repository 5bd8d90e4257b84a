"""A workspace dated from today, for tests where real `engage serve` processes plan with the
real clock.

Four regulars (U0OLD1..4) post every week in #general, #books and #running; twelve
newcomers (U0NEW01..12) are only in #general, where they react to the regulars, so #books
and #running are their candidates. Every newcomer and two more people (U0AWAY1..2) started
suggestions; the newcomers' send window covers the current hour in their own time zone on
every day of the week, the others' window is closed until hours from now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.events import CommunityCreated, Event, PersonSeen
from bot.services import Services
from bot.storage.models import Person, Preference
from nudges.policy.window import zone
from tests.support.events import WORKSPACE, at, join, post, react

REGULARS = tuple(f"U0OLD{i}" for i in range(1, 5))
NEWCOMERS = tuple(f"U0NEW{i:02d}" for i in range(1, 13))
AWAY = ("U0AWAY1", "U0AWAY2")
ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC")
COMMUNITIES = {"C0GENERAL": "general", "C0BOOKS": "books", "C0RUNNING": "running"}
WEEKS = 11
EVERY_DAY = "1,2,3,4,5,6,7"


def seen(user: str, index: int, day: str) -> PersonSeen:
    return PersonSeen(
        platform="slack",
        workspace=WORKSPACE,
        key=f"person:{user}",
        occurred_at=at(day, 8),
        person=user,
        display_name=f"Person {user}",
        tz=ZONES[index % len(ZONES)],
        locale="fr-FR" if index % 3 == 0 else "en-US",
    )


def created(community: str, name: str, day: str) -> CommunityCreated:
    return CommunityCreated(
        platform="slack",
        workspace=WORKSPACE,
        key=f"created:{community}",
        occurred_at=at(day, 7),
        community=community,
        name=name,
        creator=REGULARS[0],
    )


def live_events(today: date) -> list[Event]:
    start = (today - timedelta(weeks=WEEKS + 1)).isoformat()
    everyone = REGULARS + NEWCOMERS + AWAY
    events: list[Event] = [seen(user, i, start) for i, user in enumerate(everyone)]
    events += [created(channel, name, start) for channel, name in COMMUNITIES.items()]
    events += [join(user, channel, start) for user in REGULARS for channel in COMMUNITIES]
    events += [join(user, "C0GENERAL", start) for user in NEWCOMERS + AWAY]
    for week in range(1, WEEKS + 1):
        day = (today - timedelta(weeks=week)).isoformat()
        for i, regular in enumerate(REGULARS):
            events += [post(regular, channel, day) for channel in COMMUNITIES]
            events += [react(user, "C0GENERAL", day, regular) for user in NEWCOMERS[i::4]]
        events += [post(user, "C0GENERAL", day) for user in NEWCOMERS[week % 3 :: 3]]
    return events


def window_around(hour: int, before: int, after: int) -> tuple[int, int]:
    """Local whole hours [start, end) around `hour`, wrapping around midnight."""
    return (hour - before) % 24, (hour + after) % 24


def start_everyone(session: Session, now: datetime) -> None:
    """Everyone started; newcomers' windows are open now, the others' are closed."""
    people = session.exec(select(Person).where(col(Person.external_id).in_(NEWCOMERS + AWAY)))
    for person in people:
        assert person.id is not None
        hour = now.astimezone(zone(person.tz)).hour
        before, after = (1, 2) if person.external_id in NEWCOMERS else (-6, 10)
        start, end = window_around(hour, before, after)
        session.add(
            Preference(
                person_id=person.id,
                consent="in",
                working_days=EVERY_DAY,
                window_start=start,
                window_end=end,
            )
        )


async def load_live_workspace(services: Services) -> None:
    now = datetime.now(UTC)
    await services.tracker.record(live_events(now.date()))
    await services.tracker.fold()
    await services.database.write(lambda session: start_everyone(session, now))
