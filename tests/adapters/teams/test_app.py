"""`/api/messages` over real HTTP: durable ingest, duplicates, and when a turn runs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.aio import ConnectorClient
from sqlalchemy import select
from sqlmodel import SQLModel

from adapters.teams.app import mount_teams, needs_turn
from adapters.web.app import create_app
from bot.errors import ConfigError
from bot.services import Services
from bot.settings import Platform, Settings
from bot.storage.models import Community, ConversationRef, InboxEvent, TeamsChannel
from tests.adapters.teams.activities import (
    ALICE,
    BOB,
    GARDEN,
    NEW_CHANNEL,
    TEAM,
    TENANT,
    activity,
)
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.processes import start_engage

Row = tuple[str, str | None, str | None]


async def inbox(services: Services) -> list[Row]:
    def read(session: Any) -> list[Row]:
        rows = session.execute(
            select(InboxEvent.kind, InboxEvent.person, InboxEvent.community)
            .where(InboxEvent.platform == "teams", InboxEvent.workspace == TENANT)
            .order_by(InboxEvent.id)
        ).all()
        return [(row[0], row[1], row[2]) for row in rows]

    return await services.database.read(read)


RECORDED: dict[str, list[Row]] = {
    "channel_message": [("message", BOB, GARDEN), ("person_seen", BOB, None)],
    "channel_reply": [("message", ALICE, GARDEN), ("person_seen", ALICE, None)],
    "reaction_added": [("reaction_added", ALICE, GARDEN), ("person_seen", ALICE, None)],
    "reaction_removed": [("reaction_removed", ALICE, GARDEN), ("person_seen", ALICE, None)],
    "members_added": [("member_joined", BOB, TEAM), ("person_seen", ALICE, None)],
    "members_removed": [("member_left", BOB, TEAM), ("person_seen", ALICE, None)],
    "channel_created": [("community_created", None, NEW_CHANNEL), ("person_seen", ALICE, None)],
    "channel_renamed": [("community_renamed", None, NEW_CHANNEL), ("person_seen", ALICE, None)],
    "channel_deleted": [("community_deleted", None, NEW_CHANNEL), ("person_seen", ALICE, None)],
    "team_renamed": [("community_renamed", None, TEAM), ("person_seen", ALICE, None)],
}


ROSTER_CHANGES = {"members_added", "members_removed", "channel_created", "channel_renamed"}


@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_each_kind_is_recorded_once_and_a_redelivery_changes_nothing(
    name: str, teams: TeamsServer, connector: FakeConnector
) -> None:
    sent = activity(name, connector.url)
    first = await teams.post(sent)
    recorded = await inbox(teams.services)
    second = await teams.post(sent)
    assert (first.status, second.status) == (200, 200)
    assert recorded[:2] == RECORDED[name]
    assert await inbox(teams.services) == recorded
    if name in ROSTER_CHANGES:  # the team's roster is synced again, beside the request
        assert f"GET pagedmembers {TEAM}" in connector.requests
    else:
        assert recorded == RECORDED[name]
        assert connector.requests == []


async def test_replies_are_threaded_and_reactions_point_at_their_thread(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    for name in ("channel_message", "channel_reply", "reaction_added"):
        await teams.post(activity(name, connector.url))

    def read(session: Any) -> list[tuple[str, str | None, Any]]:
        rows = session.execute(
            select(InboxEvent.kind, InboxEvent.thread_key, InboxEvent.attrs)
            .where(InboxEvent.kind != "person_seen")
            .order_by(InboxEvent.id)
        ).all()
        return [(row[0], row[1], row[2]) for row in rows]

    thread = f"{GARDEN}:1774603201512"
    assert await teams.services.database.read(read) == [
        ("message", None, None),
        ("message", thread, {"is_reply": True}),
        ("reaction_added", thread, None),
    ]


async def test_locale_and_time_zone_come_from_the_activity(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("channel_reply", connector.url))
    await teams.services.tracker.fold()

    def read(session: Any) -> tuple[str, str]:
        from bot.storage.models import Person

        person = session.execute(select(Person).where(Person.external_id == ALICE)).scalar_one()
        return person.locale, person.tz

    assert await teams.services.database.read(read) == ("fr-FR", "Europe/Paris")


async def test_channel_traffic_is_recorded_without_building_a_connector_client(
    teams: TeamsServer, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = ConnectorClient.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ConnectorClient, "__init__", counting)
    for name in ("channel_message", "channel_reply", "reaction_added", "reaction_removed"):
        assert (await teams.post(activity(name, connector.url))).status == 200
    assert built == []  # (members added or removed resync the team's roster: a turn)
    await teams.post(activity("channel_mention", connector.url))
    assert built != []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("channel_message", False),
        ("reaction_added", False),
        ("members_added", True),  # the team's roster is synced again
        ("channel_created", True),
        ("channel_deleted", False),
        ("team_renamed", False),
        ("channel_mention", True),
        ("personal_message", True),
        ("submit_action", True),
        ("card_action_invoke", True),
        ("installation_update", True),
        ("bot_added_to_team", True),
        ("personal_install", True),
    ],
)
def test_only_what_the_bot_must_answer_runs_a_turn(name: str, expected: bool) -> None:
    assert needs_turn(activity(name, "https://smba.trafficmanager.net/emea/")) is expected


async def test_reach_is_stored_for_people_seen_in_teams_and_personal_chats(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("members_added", connector.url))
    await teams.post(activity("channel_message", connector.url))
    await teams.post(activity("personal_install", connector.url))

    def read(session: Any) -> tuple[list[tuple[str | None, Any]], list[str]]:
        refs = session.execute(
            select(ConversationRef).order_by(ConversationRef.person_id)
        ).scalars()
        channels = session.execute(select(TeamsChannel.channel_id)).scalars()
        return [(ref.team, ref.reference["conversation"].get("id")) for ref in refs], sorted(
            channels
        )

    refs, channels = await teams.services.database.read(read)
    personal = activity("personal_install", connector.url)["conversation"]["id"]
    # Bob was added; the team's roster, synced again, makes Carol reachable too.
    assert sorted(refs, key=str) == sorted([(TEAM, None), (TEAM, None), (None, personal)], key=str)
    assert channels == sorted([GARDEN, TEAM])


async def test_bad_requests_are_refused(teams: TeamsServer) -> None:
    async with teams.session.post(f"{teams.url}api/messages", data="not json") as response:
        assert response.status == 415
    async with teams.session.post(
        f"{teams.url}api/messages", data="{", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
    assert (await teams.post({"text": "no type"})).status == 400


CANARY = "canary-9e2d"


async def test_message_text_and_attachment_names_leave_no_trace(
    teams: TeamsServer, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    attachment = {
        "contentType": "reference",
        "contentUrl": f"https://contoso.sharepoint.com/sites/garden/{CANARY}.pdf",
        "name": f"{CANARY}.pdf",
    }
    for name in ("channel_message", "channel_reply", "channel_mention", "personal_message"):
        sent = activity(name, connector.url, attachments=[attachment])
        sent["text"] = f"{sent['text']} {CANARY}"
        await teams.post(sent)
    await teams.services.tracker.fold()

    def dump(session: Any) -> str:
        rows = [
            repr(row)
            for table in SQLModel.metadata.sorted_tables
            for row in session.execute(select(table)).all()
        ]
        return "\n".join(rows)

    stored = await teams.services.database.read(dump)
    assert "Alice Martin" in stored
    assert CANARY not in stored
    assert CANARY not in caplog.text


async def test_create_app_mounts_teams_only_when_enabled(
    settings: Settings, connector: FakeConnector
) -> None:
    for platforms, expected in (((Platform.TEAMS,), 200), ((Platform.SLACK,), 404)):
        configured = settings.model_copy(update={"platforms": platforms})
        async with TestClient(TestServer(create_app(configured))) as client:
            response = await client.post(
                "/api/messages", json=activity("channel_message", connector.url)
            )
            assert response.status == expected


def test_an_empty_app_id_is_refused_in_prod_and_warned_about_in_dev(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    prod = Services.build(settings.model_copy(update={"env": "prod"}))
    with pytest.raises(ConfigError, match="MicrosoftAppId"):
        mount_teams(web.Application(), prod)
    prod.database.close()
    dev = Services.build(settings)
    mount_teams(web.Application(), dev)
    dev.database.close()
    assert "MicrosoftAppId is empty" in caplog.text
    assert "teams" in dev.gateways


async def test_serve_in_prod_without_teams_credentials_refuses_by_name(tmp_path: Path) -> None:
    env = {
        "ENGAGE_ENV": "prod",
        "ENGAGE_PLATFORMS": "teams",
        "ENGAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    code, log = await (await start_engage("serve", env=env, cwd=str(tmp_path))).finish()
    assert code != 0
    assert log.strip().splitlines() == [
        "engage: error: ENGAGE_ENV=prod refuses empty or placeholder secrets: "
        "set MicrosoftAppId, MicrosoftAppPassword"
    ]


async def test_same_message_id_in_two_personal_chats_is_two_messages(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    first = activity("personal_message", connector.url, text="help")
    second = activity("personal_message", connector.url, text="help")
    second["conversation"]["id"] = "a:1AnotherPersonalConversationWithTheBot"
    second["from"] = {
        "id": "29:1someone-else",
        "aadObjectId": "e5d0b6f4-8a7c-4b9d-0e1f-3a4b5c6d7e8f",
    }
    await teams.post(first)
    await teams.post(second)
    assert len(connector.sent_to(second["conversation"]["id"])) == 1


async def test_a_channel_renamed_with_a_nul_folds_under_its_name_without_it(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    renamed = activity("channel_renamed", connector.url)
    renamed["channelData"]["channel"]["name"] = "Seed\u0000 exchange"
    assert (await teams.post(renamed)).status == 200
    await teams.services.tracker.fold()

    def names(session: Any) -> list[str | None]:
        query = select(Community.name).where(Community.external_id == NEW_CHANNEL)
        home = select(TeamsChannel.name).where(TeamsChannel.channel_id == NEW_CHANNEL)
        return [*session.execute(query).scalars(), *session.execute(home).scalars()]

    assert await teams.services.database.read(names) == ["Seed exchange", "Seed exchange"]


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("channel_message", {"entities": 5}),
        ("channel_mention", {"entities": {"type": "mention"}}),
        ("members_added", {"membersAdded": "29:someone"}),
        ("members_removed", {"membersRemoved": 7}),
        ("reaction_added", {"reactionsAdded": {"type": "like"}}),
        ("personal_message", {"entities": 5, "text": "help"}),
        ("card_action_invoke", {"entities": "x", "membersAdded": 3}),
        ("channel_message", {"timestamp": "0001-01-01T00:00:00+01:00"}),
    ],
    ids=[
        "entities-a-number",
        "entities-an-object",
        "members-added-a-string",
        "members-removed-a-number",
        "reactions-an-object",
        "personal-entities-a-number",
        "invoke-with-odd-lists",
        "timestamp-out-of-range",
    ],
)
async def test_fields_of_the_wrong_type_never_get_a_500(
    name: str,
    changes: dict[str, Any],
    teams: TeamsServer,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = await teams.post(activity(name, connector.url, **changes))
    assert answer.status in (200, 400)
    assert [record for record in caplog.records if record.exc_info] == []


@pytest.mark.parametrize(
    ("name", "sender", "status"),
    [
        ("channel_message", None, 200),
        ("channel_message", {"id": "", "name": "Nobody"}, 200),
        ("reaction_added", "29:not-an-account", 200),
        ("members_added", {}, 200),
        ("personal_message", {"name": "Nobody"}, 200),
        ("card_action_invoke", None, 400),
    ],
    ids=["message", "empty-id", "sender-a-string", "members-added", "personal", "invoke"],
)
async def test_an_activity_without_a_sender_is_refused_and_creates_nobody(
    name: str, sender: Any, status: int, teams: TeamsServer, connector: FakeConnector
) -> None:
    sent = activity(name, connector.url)
    if sender is None:
        del sent["from"]
    else:
        sent["from"] = sender
    answer = await teams.post(sent)
    assert answer.status == status
    assert await inbox(teams.services) == []
    assert connector.requests == []
