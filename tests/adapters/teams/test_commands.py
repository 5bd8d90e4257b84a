"""Commands, clicks and installs, answered through a fake Bot Connector."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select

from adapters.teams.render import CONTENT_TYPE
from bot.services import Services
from bot.storage.models import ConversationRef, InboxEvent, Person, Preference
from tests.adapters.teams.activities import (
    ALICE,
    BOB,
    CAROL,
    PERSONAL,
    TEAM,
    TENANT,
    activity,
)
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.workspace import AS_OF, handcrafted_events

Json = dict[str, Any]


def cards(sent: list[Json]) -> list[Json]:
    return [
        attachment["content"]
        for message in sent
        for attachment in message.get("attachments") or []
        if attachment["contentType"] == CONTENT_TYPE
    ]


def texts(card: Json) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for fact in node.get("facts") or []:
                found.append(f"{fact['title']}: {fact['value']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body"))
    return found


async def handcrafted_teams_workspace(services: Services) -> None:
    """The handcrafted workspace, as if it lived in our Teams tenant; today is AS_OF."""
    events = [
        dataclasses.replace(event, platform="teams", workspace=TENANT)
        for event in handcrafted_events()
    ]
    await services.tracker.record(events)
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(12), tzinfo=UTC)


async def test_stats_in_a_personal_chat_is_answered_with_a_french_card_and_a_chart(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await handcrafted_teams_workspace(teams.services)
    answer = await teams.post(activity("personal_message", connector.url))
    [card] = cards(connector.sent_to(PERSONAL))
    assert answer.status == 200
    assert card["version"] == "1.4"
    assert texts(card)[0] == "#garden · rythme régulier"
    assert "Membres: 15" in texts(card)
    [bars] = [block for block in card["body"] if block["type"] == "ColumnSet"]
    assert len(bars["columns"]) == 12


async def test_a_redelivered_message_is_answered_once(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    sent = activity("personal_message", connector.url, text="help")
    await teams.post(sent)
    await teams.post(sent)
    assert len(cards(connector.sent_to(PERSONAL))) == 1


async def test_unknown_input_gets_the_help_card(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("personal_message", connector.url, text="gardening?", locale="en-US"))
    [card] = cards(connector.sent_to(PERSONAL))
    assert texts(card)[:2] == [
        "Engage — what you can ask",
        "I don't know “gardening?”. Here is what I can do:",
    ]


async def test_a_mention_in_a_channel_is_answered_in_a_private_chat(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await handcrafted_teams_workspace(teams.services)
    mention = activity("channel_mention", connector.url, text="<at>Engage</at> stats #garden")
    assert (await teams.post(mention)).status == 200
    [created] = connector.created
    private = created_conversation(connector)
    [card] = cards(connector.sent_to(private))
    channel_notes = [
        text for conv, sent in connector.sent if conv != private for text in [sent.get("text")]
    ]
    assert created["members"] == [{"id": mention["from"]["id"]}]
    assert texts(card)[0] == "#garden · steady rhythm"
    assert channel_notes == ["I sent you the answer in our private chat, so only you see it."]


def created_conversation(connector: FakeConnector) -> str:
    return next(conv for conv, _ in connector.sent if conv.startswith("a:created-"))


async def test_a_submitted_button_runs_its_command(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("submit_action", connector.url))
    [card] = cards(connector.sent_to(PERSONAL))
    assert texts(card)[0] == "Your settings"
    assert [action["data"] for action in card["actions"]] == [
        {"action": "engage.command", "value": "start"},
        {"action": "engage.command", "value": "pause 2w"},
        {"action": "engage.command", "value": "resume"},
    ]


async def test_an_adaptive_card_action_invoke_returns_200_with_the_new_card(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    answer = await teams.post(activity("card_action_invoke", connector.url))

    def consent(session: Any) -> str:
        person = session.execute(select(Person).where(Person.external_id == ALICE)).scalar_one()
        return str(session.get(Preference, person.id).consent)

    assert answer.status == 200
    assert answer.body["statusCode"] == 200
    assert answer.body["type"] == CONTENT_TYPE
    assert texts(answer.body["value"]) == [
        "Done: you will receive no more suggestions. “start” turns them back on."
    ]
    assert await teams.services.database.read(consent) == "out"
    assert connector.sent == []


async def test_a_personal_install_is_welcomed_with_help(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("personal_install", connector.url))
    [card] = cards(connector.sent_to(PERSONAL))
    assert texts(card)[0] == "Engage — what you can ask"


async def test_joining_a_team_records_its_roster_and_name_from_team_details(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    assert (await teams.post(activity("bot_added_to_team", connector.url))).status == 200
    await teams.post(activity("installation_update", connector.url))

    def read(session: Any) -> tuple[list[tuple[str, Any]], list[str | None]]:
        rows = session.execute(
            select(InboxEvent.kind, InboxEvent.person, InboxEvent.attrs).where(
                InboxEvent.community == TEAM
            )
        ).all()
        refs = session.execute(select(ConversationRef.team)).scalars()
        return [(row[0], row[1] or row[2]["name"]) for row in rows], list(refs)

    events, refs = await teams.services.database.read(read)
    assert sorted(events) == sorted(
        [
            ("community_renamed", "Garden lovers"),
            ("member_joined", ALICE),
            ("member_joined", BOB),
            ("member_joined", CAROL),
            ("community_renamed", "Garden lovers"),
        ]
    )
    assert refs == [TEAM, TEAM, TEAM]
    assert connector.requests.count(f"GET team {TEAM}") == 1
    assert connector.requests.count(f"GET pagedmembers {TEAM}") == 4
    assert connector.sent == []


async def test_after_an_install_channels_are_found_by_name(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(activity("bot_added_to_team", connector.url))
    await teams.services.tracker.fold()
    await teams.post(activity("personal_message", connector.url, locale="en-US"))
    [card] = cards(connector.sent_to(PERSONAL))
    assert connector.requests.count(f"GET channels {TEAM}") == 1
    assert texts(card) == ["#garden has fewer than 5 members, so its figures stay private."]


async def test_french_command_words_are_understood(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await handcrafted_teams_workspace(teams.services)
    for number, text in enumerate(("aide", "Démarrer", "arreter")):
        sent = activity("personal_message", connector.url, text=text, locale="fr-FR")
        await teams.post(sent | {"id": f"{sent['id']}-{number}"})
    help_card, started, stopped = (texts(card) for card in cards(connector.sent_to(PERSONAL)))
    assert help_card[:2] == [
        "Engage — ce que vous pouvez demander",
        "Engage vous aide à trouver des communautés à suivre, à votre rythme. "
        "Il n'envoie de suggestions que si vous les demandez.",
    ]
    assert any(line.startswith("démarrer: ") for line in help_card)
    assert not any(line.startswith("start: ") for line in help_card)
    assert not any("Je ne connais pas" in line for line in started + stopped)
    assert stopped[0].startswith("C'est fait : vous ne recevrez plus de suggestions.")
