"""Slack roster sync against the fake Web API: paged rosters reconciled into the tracker,
idempotent, rate limits waited out beside live events, resumable after SIGKILL."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, func, select

from adapters.slack.installs import SingleWorkspace
from adapters.slack.roster import SlackRoster
from bot.events import MessagePosted
from bot.roster import sync_soon
from bot.services import Services
from bot.settings import Settings
from bot.storage.models import Community, InboxEvent, Membership, Meta, Person
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.fake_slack import BOT_TOKEN, BOT_USER, TEAM, FakeSlack, slack_user
from tests.support.processes import start_engage

PEOPLE = [f"U0P{i:03d}" for i in range(30)]
CREATED = 1767225600  # 2026-01-01 00:00 UTC


def build_roster(fake: FakeSlack, channels: int = 4) -> None:
    """30 people (one deleted, one bot), #general with everyone, a few smaller channels,
    an archived one, a private one the bot is in and one it is not in."""
    for index, user in enumerate(PEOPLE):
        fake.users[user] = slack_user(user, tz="Europe/Paris" if index % 2 else "UTC")
    fake.users[PEOPLE[-1]] |= {"deleted": True}
    fake.users[BOT_USER] = slack_user(BOT_USER) | {"is_bot": True}
    fake.add_channel("C0GENERAL", "general", [*PEOPLE[:-1], BOT_USER], created=CREATED)
    for index in range(channels):
        start = index * 3 % 24
        members = PEOPLE[start : start + 7]
        fake.add_channel(f"C0TOPIC{index:02d}", f"topic-{index}", members, creator=members[0])
    fake.add_channel("C0OLD", "old-news", PEOPLE[:3], archived=True)
    fake.add_channel("G0SECRET", "secret", [PEOPLE[0], PEOPLE[1], BOT_USER], private=True)
    fake.add_channel("G0HIDDEN", "hidden", [PEOPLE[2], PEOPLE[3]], private=True)


def source(services: Services, *, scale: float = 0.0, page_size: int = 7) -> SlackRoster:
    return SlackRoster(services, SingleWorkspace(BOT_TOKEN), scale=scale, page_size=page_size)


async def inbox_rows(services: Services) -> int:
    def count(session: Session) -> int:
        return int(session.exec(select(func.count()).select_from(InboxEvent)).one())

    return await services.database.read(count)


async def memberships(services: Services) -> dict[str, dict[str, tuple[str, str]]]:
    """community -> person -> (state, source)."""

    def load(session: Session) -> dict[str, dict[str, tuple[str, str]]]:
        rows = session.exec(
            select(Community.external_id, Person.external_id, Membership.state, Membership.source)
            .join(Community, Community.id == Membership.community_id)  # type: ignore[arg-type]
            .join(Person, Person.id == Membership.person_id)  # type: ignore[arg-type]
        ).all()
        found: dict[str, dict[str, tuple[str, str]]] = {}
        for community, person, state, origin in rows:
            found.setdefault(community, {})[person] = (state, origin)
        return found

    return await services.database.read(load)


def expected_members(fake: FakeSlack) -> dict[str, set[str]]:
    return {
        channel: set(members)
        for channel, members in fake.members.items()
        if channel != "G0HIDDEN" and members
    }


def members_now(found: dict[str, dict[str, tuple[str, str]]]) -> dict[str, set[str]]:
    return {
        community: {person for person, (state, _) in people.items() if state == "member"}
        for community, people in found.items()
    }


async def test_a_sync_records_rosters_names_and_flags_then_a_second_writes_nothing(
    services: Services, fake_slack: FakeSlack
) -> None:
    build_roster(fake_slack)
    report = await source(services).sync()
    assert report.complete
    assert report.workspaces == 1
    assert (report.people, report.communities) == (31, 7)
    assert len(fake_slack.calls_to("users.list")) == 5  # 31 people, 7 a page
    assert len(fake_slack.calls_to("conversations.members")) == 11  # #general: 5 pages

    found = await memberships(services)
    assert members_now(found) == expected_members(fake_slack)
    assert {origin for people in found.values() for _, origin in people.values()} == {"roster"}

    def load(session: Session) -> tuple[dict[str, Any], dict[str, Any], str | None]:
        communities = {
            c.external_id: (c.name, c.is_private, c.is_archived, c.created_at, c.creator_id)
            for c in session.exec(select(Community))
        }
        people = {p.external_id: p for p in session.exec(select(Person))}
        meta = session.get(Meta, f"roster.synced_at.slack.{TEAM}")
        return communities, people, meta.value if meta else None

    communities, people, synced = await services.database.read(load)
    assert "G0HIDDEN" not in communities
    assert communities["C0OLD"][:3] == ("old-news", False, True)
    assert communities["G0SECRET"][:3] == ("secret", True, False)
    name, _, _, created, creator = communities["C0TOPIC01"]
    assert name == "topic-1"
    assert creator == people[PEOPLE[3]].id
    assert created is not None
    assert created.replace(tzinfo=UTC) == datetime.fromtimestamp(CREATED, UTC)
    assert people[PEOPLE[0]].display_name == f"Person {PEOPLE[0]}"
    assert people[PEOPLE[1]].tz == "Europe/Paris"
    assert people[PEOPLE[-1]].deleted
    assert people[BOT_USER].is_bot
    assert synced is not None
    assert datetime.fromisoformat(synced).tzinfo is not None

    rows = await inbox_rows(services)
    again = await source(services).sync()
    assert again.complete
    assert again.events == 0
    assert await inbox_rows(services) == rows
    assert await memberships(services) == found


async def test_changes_between_syncs_become_joins_leaves_renames_and_archives(
    services: Services, fake_slack: FakeSlack
) -> None:
    build_roster(fake_slack)
    await source(services).sync()
    fake_slack.members["C0TOPIC00"].remove(PEOPLE[0])
    fake_slack.members["C0TOPIC00"].append(PEOPLE[20])
    fake_slack.channels["C0TOPIC02"] |= {"name": "topic-two", "is_archived": True}
    fake_slack.users[PEOPLE[5]]["profile"]["display_name"] = "Zoé"
    fake_slack.users[PEOPLE[5]]["updated"] += 60

    report = await source(services).sync()
    assert report.events == 5  # a leave, a join, a rename, an archive, a profile

    found = await memberships(services)
    assert found["C0TOPIC00"][PEOPLE[0]] == ("left", "roster")
    assert found["C0TOPIC00"][PEOPLE[20]] == ("member", "roster")

    def load(session: Session) -> tuple[Community | None, Person | None]:
        topic = session.exec(select(Community).where(Community.external_id == "C0TOPIC02"))
        person = session.exec(select(Person).where(Person.external_id == PEOPLE[5]))
        return topic.first(), person.first()

    topic, person = await services.database.read(load)
    assert topic is not None
    assert (topic.name, topic.is_archived) == ("topic-two", True)
    assert person is not None
    assert person.display_name == "Zoé"
    assert (await source(services).sync()).events == 0


async def test_a_member_who_posted_before_the_sync_keeps_a_single_membership(
    services: Services, fake_slack: FakeSlack, slack: Slack
) -> None:
    build_roster(fake_slack, channels=0)
    body = fixture("events/message")
    body["event"] |= {"user": PEOPLE[0], "channel": "C0GENERAL"}
    assert (await slack.event(body)).status == 200
    await services.tracker.fold()
    await source(services).sync()
    found = await memberships(services)
    assert found["C0GENERAL"][PEOPLE[0]] == ("member", "activity")
    assert members_now(found)["C0GENERAL"] == set(fake_slack.members["C0GENERAL"])


async def test_rate_limits_are_waited_out_while_events_keep_being_acknowledged(
    services: Services, fake_slack: FakeSlack, slack: Slack
) -> None:
    build_roster(fake_slack, channels=1)
    fake_slack.rate_limit_next("conversations.members", retry_after=30, times=2)
    [roster] = services.roster_sources  # installed with the app, as `engage serve` does
    assert isinstance(roster, SlackRoster)
    roster.pacer.scale = 0.05  # Slack's 30 s Retry-After waited as 1.5 s
    syncing = sync_soon(services, "slack", TEAM)
    assert syncing is not None
    await fake_slack.wait_for("conversations.members", 1)

    for index in range(5):
        body = fixture("events/message")
        body["event_id"] = f"Ev0LIVE{index}"
        body["event"] |= {"user": PEOPLE[index], "ts": f"1774700000.00010{index}"}
        answered = await asyncio.wait_for(slack.event(body), 1.0)
        assert answered.status == 200
    assert not syncing.done()  # the sync still waits its Retry-After

    report = await syncing
    assert report.complete
    assert roster.rate_limited == 2
    calls = fake_slack.calls_to("conversations.members")
    assert calls[1].at - calls[0].at >= 1.5
    assert calls[2].at - calls[1].at >= 1.5
    assert members_now(await memberships(services))["C0GENERAL"] >= set(PEOPLE[:5])


async def test_a_sync_killed_mid_way_continues_where_it_stopped(
    settings: Settings, services: Services, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    build_roster(fake_slack, channels=40)
    env = {
        "ENGAGE_DATABASE_URL": settings.database_url,
        "ENGAGE_PLATFORMS": "slack",
        "ENGAGE_SLACK_API_URL": fake_slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
    }
    fake_slack.held_after["conversations.members"] = 20
    first = await start_engage("run-job", "roster", env=env, cwd=str(tmp_path))
    await fake_slack.wait_for("conversations.members", 21, within=30)
    first.process.send_signal(signal.SIGKILL)
    assert await first.process.wait() == -signal.SIGKILL
    fake_slack.release_held()
    users_before = len(fake_slack.calls_to("users.list"))

    second = await start_engage("run-job", "roster", env=env, cwd=str(tmp_path))
    code, _ = await second.finish(within=60)
    assert code == 0
    assert len(fake_slack.calls_to("users.list")) == users_before  # people were done
    resumed = len(fake_slack.calls_to("conversations.members")) - 21
    assert resumed < len(expected_members(fake_slack))  # not from the first channel

    found = await memberships(services)
    assert members_now(found) == expected_members(fake_slack)

    def joins(session: Session) -> int:
        query = (
            select(func.count()).select_from(InboxEvent).where(InboxEvent.kind == "member_joined")
        )
        return int(session.exec(query).one())

    assert await services.database.read(joins) == sum(
        map(len, expected_members(fake_slack).values())
    )
    assert (await source(services).sync()).events == 0


async def test_top_and_stats_show_names_once_synced_and_say_so_before(
    services: Services, fake_slack: FakeSlack, slack: Slack
) -> None:
    build_roster(fake_slack, channels=0)
    now = datetime.now(UTC)
    posts = [
        MessagePosted(
            platform="slack",
            workspace=TEAM,
            key=f"post-{week}-{person}",
            occurred_at=now - timedelta(weeks=week, hours=2),
            person=person,
            community="C0GENERAL",
        )
        for week in range(12)
        for person in PEOPLE[:6]
    ]
    await services.tracker.record(posts)
    await services.tracker.fold()

    async def answer(text: str) -> list[str]:
        fake_slack.hooks.clear()
        assert (await slack.command(text, user=PEOPLE[0])).status == 200
        await fake_slack.wait_for("hook")
        shown: list[str] = []
        for block in fake_slack.hooks[0][1]["blocks"]:
            if "text" in block:
                shown.append(block["text"]["text"])
        return shown

    assert "1. #C0GENERAL (name not yet known) · steady" in " ".join(await answer("top"))

    await source(services).sync()
    top = " ".join(await answer("top"))
    assert "1. #general · steady" in top
    assert "not yet known" not in top
    assert (await answer("stats #general"))[0] == "#general · steady rhythm"
