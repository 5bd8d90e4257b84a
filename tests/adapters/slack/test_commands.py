"""`/engage` and command buttons over real HTTP, answered through the fake response_url."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Preference
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.fake_slack import slack_user
from tests.support.workspace import AS_OF, handcrafted_events


@pytest.fixture
async def workspace(services: Services) -> Services:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, clock_time(12), tzinfo=UTC)
    return services


def texts(answer: dict[str, Any]) -> list[str]:
    """Every text of a Block Kit answer, in order."""
    found: list[str] = []
    for block in answer["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [field["text"] for field in block.get("fields", [])]
        found += [element["text"]["text"] for element in block.get("elements", [])]
    return found


async def test_stats_answers_privately_with_the_community_health(
    slack: Slack, workspace: Services
) -> None:
    started = time.monotonic()
    response = await slack.command("stats #garden")
    acked_after = time.monotonic() - started
    await slack.fake.wait_for("hook")
    (name, answer), *_ = slack.fake.hooks
    shown = texts(answer)
    assert response.status == 200
    assert acked_after < 3
    assert (name, answer["response_type"]) == ("command", "ephemeral")
    assert shown[0] == "#garden · steady rhythm"
    assert shown[1] == (
        "*Posts per week, last 12 weeks*\n`▁▁▁▃▅▅▅▅█▆▅▆`\n"
        "0 · 0 · 0 · 1 · 2 · 2 · 2 · 2 · 4 · 3 · 2 · 3"
    )
    assert "*Members*\n15" in shown
    assert "*Contributors (28 days)*\nhidden" in shown
    assert "*Reactors only (28 days)*\nfewer than 5" in shown
    assert "*Silent members (28 days)*\n7 (47%)" in shown
    assert "*Active weeks*\n9 of the last 12" in shown
    assert answer["text"] == "#garden · steady rhythm"


async def test_a_channel_mention_as_slack_escapes_it_names_the_community(
    slack: Slack, workspace: Services
) -> None:
    response = await slack.command("stats <#C1|garden>")
    await slack.fake.wait_for("hook")
    (_, answer), *_ = slack.fake.hooks
    assert response.status == 200
    assert texts(answer)[0] == "#garden · steady rhythm"


async def test_an_unknown_subcommand_gets_the_help(slack: Slack, workspace: Services) -> None:
    await slack.command("frobnicate now")
    await slack.fake.wait_for("hook")
    shown = texts(slack.fake.hooks[0][1])
    assert shown[:2] == [
        "Engage — what you can ask",
        "I don't know “frobnicate”. Here is what I can do:",
    ]
    assert "*stats [#community | org]*\nthe health of a community" in " ".join(shown)


async def test_a_french_speaker_is_answered_in_french(slack: Slack, workspace: Services) -> None:
    slack.fake.users["U3"] = slack_user("U3", locale="fr-FR", tz="Europe/Paris")
    await slack.command("stats #garden", user="U3")
    await slack.fake.wait_for("hook")
    shown = texts(slack.fake.hooks[0][1])
    assert shown[0] == "#garden · rythme régulier"
    assert "*Réactions seulement (28 jours)*\nmoins de 5" in shown
    assert "*Membres silencieux (28 jours)*\n7 (47\xa0%)" in shown
    assert [call.params["user"] for call in slack.fake.calls_to("users.info")] == ["U3"]


async def test_a_command_button_runs_the_command_and_replaces_the_answer(
    slack: Slack, services: Services
) -> None:
    response = await slack.action(fixture("interactive/block_actions"))
    await slack.fake.wait_for("hook")
    _, answer = slack.fake.hooks[0]

    def consent(session: Session) -> list[str]:
        return [preference.consent for preference in session.exec(select(Preference))]

    assert response.status == 200
    assert answer["replace_original"] is True
    assert texts(answer)[0].startswith("Done: you will receive at most 1 suggestion(s) a week")
    assert await services.database.read(consent) == ["in"]


async def test_a_button_on_the_home_tab_publishes_the_home_again(
    slack: Slack, workspace: Services
) -> None:
    payload = fixture("interactive/block_actions") | {
        "container": {"type": "view", "view_id": "V07HOMEU1"},
        "view": {"id": "V07HOMEU1", "type": "home"},
    }
    payload["actions"][0]["value"] = "stop"
    await slack.action(payload)
    (published,) = await slack.fake.wait_for("views.publish")
    assert published.params["user_id"] == "U1"
    assert "Start suggestions" in str(published.params["view"])
    assert slack.fake.hooks == []


async def test_french_command_words_with_or_without_accents(
    slack: Slack, workspace: Services
) -> None:
    slack.fake.users["U3"] = slack_user("U3", locale="fr-FR", tz="Europe/Paris")
    for count, line in enumerate(("aide", "Arrêter", "preferences", "settings"), 1):
        await slack.command(line, user="U3")
        await slack.fake.wait_for("hook", count)
    help_card, stopped, french, english = (texts(answer) for _, answer in slack.fake.hooks)
    assert help_card[0] == "Engage — ce que vous pouvez demander"
    listed = " ".join(help_card)
    assert "*arrêter*\narrêter toutes les suggestions" in listed
    assert "*moi*\n" in listed
    assert "*stop*" not in listed
    assert stopped[0].startswith("C'est fait : vous ne recevrez plus de suggestions.")
    assert french == english
