"""Live truth: a workspace known only from live events and a roster sync tells the same
members, silent share, rhythm and ladder as an import of the equivalent export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from adapters.slack.export import import_slack_export
from adapters.slack.roster import SlackRoster
from bot.metrics.community import CommunityStats, community_stats
from bot.metrics.ladder import Ladder, org_ladders
from bot.services import Services
from bot.storage.models import Community, Workspace
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.fake_slack import BOT_USER, TEAM, FakeSlack, slack_user
from tests.support.slack_export import write_export

PEOPLE = [f"U0T{i:02d}" for i in range(12)]
AS_OF = date(2026, 3, 27)
CHANNELS = {
    "C0GENERAL": ("general", datetime(2026, 1, 1, tzinfo=UTC), [*PEOPLE, BOT_USER]),
    "C0BOOKS": ("books", datetime(2026, 1, 5, tzinfo=UTC), [*PEOPLE[:6], BOT_USER]),
}


def activity() -> list[tuple[str, str, str, list[str]]]:
    """(channel, author, ts, reacting people): a steady #general, an intermittent #books."""
    found = []
    for week in range(12):
        tuesday = datetime.combine(AS_OF - timedelta(days=3 + 7 * week), datetime.min.time())
        moment = tuesday.replace(hour=10, tzinfo=UTC).timestamp()
        found.append(("C0GENERAL", PEOPLE[0], f"{moment:.0f}.000100", [PEOPLE[2], PEOPLE[3]]))
        if week % 2:
            found.append(("C0BOOKS", PEOPLE[1], f"{moment + 60:.0f}.000200", [PEOPLE[4]]))
    found.append(("C0BOOKS", PEOPLE[5], f"{found[0][2].split('.')[0]}.000300", []))
    return found


def export(root: Path) -> Path:
    users = [slack_user(user) for user in PEOPLE] + [slack_user(BOT_USER) | {"is_bot": True}]
    channels = [
        {
            "id": channel,
            "name": name,
            "created": str(int(created.timestamp())),
            "creator": PEOPLE[0],
            "is_archived": False,
            "members": members,
        }
        for channel, (name, created, members) in CHANNELS.items()
    ]
    days: dict[str, list[dict[str, Any]]] = {}
    for channel, author, ts, reacting in activity():
        day = datetime.fromtimestamp(float(ts), UTC).date().isoformat()
        message: dict[str, Any] = {"type": "message", "user": author, "ts": ts, "text": "x"}
        if reacting:
            message["reactions"] = [{"name": "+1", "users": reacting, "count": len(reacting)}]
        days.setdefault(f"{CHANNELS[channel][0]}/{day}.json", []).append(message)
    return write_export(root, days, users=users, channels=channels)


async def send_live(slack: Slack) -> None:
    for index, (channel, author, ts, reacting) in enumerate(activity()):
        body = fixture("events/message")
        body["event_id"] = f"Ev0POST{index:03d}"
        body["event"] |= {"user": author, "channel": channel, "ts": ts, "event_ts": ts}
        assert (await slack.event(body)).status == 200
        for person in reacting:
            body = fixture("events/reaction_added")
            body["event_id"] = f"Ev0REACT{index:03d}{person}"
            body["event"] |= {
                "user": person,
                "item_user": author,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": ts,
            }
            assert (await slack.event(body)).status == 200


def figures(session: Session, workspace: str) -> tuple[dict[str, CommunityStats], Ladder]:
    workspace_id = session.exec(
        select(Workspace.id).where(Workspace.external_id == workspace)
    ).one()
    assert workspace_id is not None
    communities = session.exec(select(Community).where(Community.workspace_id == workspace_id))
    stats = {c.external_id: community_stats(session, c.id or 0, AS_OF, 2) for c in communities}
    organisation, _ = org_ladders(session, workspace_id, AS_OF, 2)
    return stats, organisation


async def test_live_events_and_a_roster_sync_tell_what_the_export_tells(
    services: Services, fake_slack: FakeSlack, slack: Slack, tmp_path: Path
) -> None:
    await import_slack_export(services, export(tmp_path / "export"), workspace="export:acme")

    for user in PEOPLE:
        fake_slack.users[user] = slack_user(user)
    fake_slack.users[BOT_USER] = slack_user(BOT_USER) | {"is_bot": True}
    for channel, (name, created, members) in CHANNELS.items():
        fake_slack.add_channel(
            channel, name, members, created=int(created.timestamp()), creator=PEOPLE[0]
        )
    await send_live(slack)
    [roster] = services.roster_sources
    assert isinstance(roster, SlackRoster)
    assert (await roster.sync(TEAM)).complete

    exported, exported_ladder = await services.database.read(lambda s: figures(s, "export:acme"))
    live, live_ladder = await services.database.read(lambda s: figures(s, TEAM))
    assert live == exported
    assert live_ladder == exported_ladder
    general, books = live["C0GENERAL"], live["C0BOOKS"]
    assert (general.members, books.members) == (12, 6)  # bots are never members
    assert str(general.rhythm) == "steady"
    assert str(books.rhythm) == "intermittent"
    assert general.silent == 12 - 3  # the silent majority is visible: 9 of 12
