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
from nudges.policy.budget import zone
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


def crowd_events(today: date, people: int, communities: int) -> list[Event]:
    """`people` people in #general; community i has three regulars who post every week and
    is everyone else's candidate, so each person has `communities - 1` or more of them."""
    start = (today - timedelta(weeks=WEEKS + 1)).isoformat()
    users = [f"U0CROWD{i:04d}" for i in range(people)]
    channels = [f"C0CROWD{i:03d}" for i in range(communities)]
    events: list[Event] = [seen(user, i, start) for i, user in enumerate(users)]
    events.append(created("C0GENERAL", "general", start))
    events += [created(channel, f"crowd-{i}", start) for i, channel in enumerate(channels)]
    events += [join(user, "C0GENERAL", start) for user in users]
    for i, channel in enumerate(channels):
        regulars = users[3 * i : 3 * i + 3]
        events += [join(user, channel, start) for user in regulars]
        for week in range(1, WEEKS + 1):
            day = (today - timedelta(weeks=week)).isoformat()
            events += [post(user, channel, day) for user in regulars[: 1 + (i + week) % 3]]
    return events


def start_crowd(session: Session, now: datetime) -> int:
    """Everyone of the crowd started, with a send window open now on every day."""
    crowd = session.exec(select(Person).where(col(Person.external_id).startswith("U0CROWD")))
    started = 0
    for person in crowd:
        assert person.id is not None
        start, end = window_around(now.astimezone(zone(person.tz)).hour, 1, 2)
        session.add(
            Preference(
                person_id=person.id,
                consent="in",
                working_days=EVERY_DAY,
                window_start=start,
                window_end=end,
            )
        )
        started += 1
    return started


async def load_live_crowd(services: Services, people: int, communities: int) -> int:
    """The crowd, folded and started; returns how many people may get a suggestion now."""
    now = datetime.now(UTC)
    await services.tracker.record(crowd_events(now.date(), people, communities))
    await services.tracker.fold()
    return await services.database.write(lambda session: start_crowd(session, now))
