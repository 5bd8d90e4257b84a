"""One human on Slack and Teams (same e-mail hash): one budget, one rung, one set of
preferences, through the tracker's live path (the adapters' own tests cover how they
read e-mails)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from bot.commands import Asker
from bot.crypto import EmailHasher
from bot.events import Event, MessagePosted, PersonSeen
from bot.metrics import org_ladders
from bot.privacy.rights import erase_person
from bot.services import Services
from bot.storage.models import BudgetSlot, Person, Preference, Suggestion
from nudges.planner.job import plan
from tests.support.clock import FakeClock
from tests.support.events import WORKSPACE
from tests.support.suggestions import TUESDAY, suggestion_events, suggestion_router
from tests.support.workspace import AS_OF

TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
HASH = EmailHasher("a test key that is long enough")
PERSON_FIELDS = ("person", "receiver", "creator")


def on_teams(event: Event) -> Event:
    """The same fact in a Teams tenant, where people have other ids."""
    changes: dict[str, object] = {"platform": "teams", "workspace": TENANT}
    for name in PERSON_FIELDS:
        value = getattr(event, name, None)
        if value:
            changes[name] = "aad-" + value.removeprefix("U")
    return dataclasses.replace(event, **changes)  # type: ignore[type-var]


def email(platform: str, workspace: str, person: str, address: str) -> PersonSeen:
    return PersonSeen(
        platform=platform,
        workspace=workspace,
        key=f"email:{person}",
        occurred_at=datetime(2026, 3, 30, tzinfo=UTC),
        person=person,
        email_hash=HASH(address),
    )


def maya_links() -> list[Event]:
    """U7 on Slack and aad-7 on Teams are Maya; U8 and aad-8 are two other people."""
    return [
        email("slack", WORKSPACE, "U7", "maya@example.org"),
        email("teams", TENANT, "aad-7", " Maya@Example.org "),
        email("slack", WORKSPACE, "U8", "omar@example.org"),
        email("teams", TENANT, "aad-8", "lena@example.org"),
    ]


async def two_platforms(services: Services) -> None:
    events = suggestion_events()
    teams = [on_teams(event) for event in events]
    teams.append(
        MessagePosted(
            platform="teams",
            workspace=TENANT,
            key="maya-posts-on-teams",
            occurred_at=datetime(2026, 3, 20, 12, tzinfo=UTC),
            person="aad-7",
            community="C1",
        )
    )
    await services.tracker.record(events + teams)
    await services.tracker.fold()


def account(session: Session, person: str) -> Person:
    return session.exec(select(Person).where(Person.external_id == person)).one()


async def test_one_budget_for_the_accounts_of_one_human(services: Services) -> None:
    await two_platforms(services)
    router = suggestion_router(services)
    await router.handle(Asker("slack", WORKSPACE, "U7"), "start")  # before they are linked
    await router.handle(Asker("slack", WORKSPACE, "U8"), "start")
    await router.handle(Asker("teams", TENANT, "aad-8"), "start")
    await services.tracker.record(maya_links())
    await services.tracker.fold()
    clock = FakeClock(TUESDAY)
    services.clock = clock
    await plan(services)
    clock.advance(days=1)
    await plan(services)

    def check(session: Session) -> None:
        slack, teams = account(session, "U7"), account(session, "aad-7")
        assert slack.human_id == teams.human_id == slack.id
        assert account(session, "U8").human_id is None
        assert session.get_one(Preference, teams.id).consent == "in"  # started on Slack
        got = [s.person_id for s in session.exec(select(Suggestion).order_by(col(Suggestion.id)))]
        others = {account(session, "U8").id, account(session, "aad-8").id}
        assert sorted(p for p in got if p in others) == sorted(others)
        assert len([p for p in got if p in (slack.id, teams.id)]) == 1
        slots = session.exec(select(BudgetSlot.person_id)).all()
        assert slots.count(slack.id) == 1
        assert teams.id not in slots

    await services.database.read(check)


async def test_stop_on_one_platform_stops_both(services: Services) -> None:
    await two_platforms(services)
    await services.tracker.record(maya_links())
    await services.tracker.fold()
    router = suggestion_router(services)
    await router.handle(Asker("slack", WORKSPACE, "U7"), "start")
    await router.handle(Asker("teams", TENANT, "aad-7"), "pause 2w")
    paused = await services.database.read(lambda s: session_consents(s, ("U7", "aad-7", "U8")))
    await router.handle(Asker("teams", TENANT, "aad-7"), "stop")
    stopped = await services.database.read(lambda s: session_consents(s, ("U7", "aad-7")))
    assert paused[:2] == [("in", True), ("in", True)]
    assert paused[2] == ("unknown", False)
    assert stopped == [("out", True), ("out", True)]


def session_consents(session: Session, people: tuple[str, ...]) -> list[tuple[str, bool]]:
    found = []
    for person in people:
        preference = session.get(Preference, account(session, person).id)
        if preference is None:
            found.append(("unknown", False))
        else:
            found.append((preference.consent, preference.snooze_until is not None))
    return found


async def test_one_rung_on_the_organisation_ladder(services: Services) -> None:
    await two_platforms(services)
    before = await services.database.read(lambda s: org_ladders(s, None, AS_OF, 1))
    slack_before = await services.database.read(lambda s: slack_ladder(s))
    await services.tracker.record(maya_links())
    await services.tracker.fold()
    after = await services.database.read(lambda s: org_ladders(s, None, AS_OF, 1))
    slack_after = await services.database.read(lambda s: slack_ladder(s))
    organisation_before, organisation_after = before[0], after[0]
    assert organisation_after.people == organisation_before.people - 1  # type: ignore[operator]
    rungs_before, rungs_after = organisation_before.rungs, organisation_after.rungs
    # Maya: silent on Slack, a contributor on Teams -> counted once, as a contributor.
    assert rungs_after["observer"] == rungs_before["observer"] - 1  # type: ignore[operator]
    assert rungs_after["contributor"] == rungs_before["contributor"]
    engineering = {ladder.group: ladder for ladder in after[1]}["Engineering"]
    assert engineering.people == 15  # 8 on Slack, 8 on Teams, Maya once
    assert slack_after["contributor"] == slack_before["contributor"] + 1  # type: ignore[operator]
    assert slack_after["observer"] == slack_before["observer"] - 1  # type: ignore[operator]


def slack_ladder(session: Session) -> dict[str, object]:
    workspace = account(session, "U1").workspace_id
    return dict(org_ladders(session, workspace, AS_OF, 1)[0].rungs)


async def test_erasing_the_first_account_leaves_the_others_one_budget(
    services: Services,
) -> None:
    await two_platforms(services)
    extra = email("slack", "T0OTHER01", "W07MAYA", "maya@example.org")
    await services.tracker.record([*maya_links(), extra])
    await services.tracker.fold()

    def erase_first(session: Session) -> tuple[int | None, int | None, int | None]:
        first = account(session, "U7")
        assert first.id is not None
        erase_person(session, first.id)
        session.flush()
        rest = session.exec(select(Person).where(col(Person.email_hash) == first.email_hash))
        ids = sorted(p.id for p in rest if p.id is not None)
        humans = {p.human_id for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
        return ids[0], humans.pop(), len(humans)

    lowest, human_id, more = await services.database.write(erase_first)
    assert human_id == lowest
    assert more == 0
