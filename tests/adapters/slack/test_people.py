"""users.info lookups: in the background, once per person, refreshed by user_change."""

from __future__ import annotations

import asyncio
import copy

from adapters.slack.app import BOLT, SLACK
from bot.services import Services
from tests.adapters.slack.conftest import Slack, fixture, inbox
from tests.support.fake_slack import slack_user


async def test_people_seen_in_events_are_looked_up_once(slack: Slack, services: Services) -> None:
    slack.fake.users["U1"] = slack_user("U1", locale="fr-FR", tz="Europe/Paris")
    await slack.event(fixture("events/message"))
    await slack.fake.wait_for("users.info")
    reaction = fixture("events/reaction_added")
    await slack.event(reaction)
    await slack.fake.wait_for("users.info", count=2)
    looked_up = sorted(call.params["user"] for call in slack.fake.calls_to("users.info"))
    await slack.command("help", user="U1")
    await slack.fake.wait_for("hook")
    profiles = [row for row in await inbox(services) if ":profile:" in row.event_key]
    assert looked_up == ["U1", "U5"]
    assert len(slack.fake.calls_to("users.info")) == 2
    assert slack.fake.calls_to("users.info")[0].params["include_locale"] == "1"
    assert slack.fake.hooks[0][1]["blocks"][0]["text"]["text"].startswith("Engage — ce que")
    assert [(row.person, (row.attrs or {}).get("locale")) for row in profiles][:1] == [
        ("U1", "fr-FR")
    ]


async def test_a_new_persons_event_is_stored_at_once_and_their_profile_after(
    slack: Slack, services: Services
) -> None:
    answer = await slack.event(fixture("events/message"))
    at_ack = [row.kind for row in await inbox(services)]
    app = slack.client.server.app
    profile = await asyncio.wait_for(
        app[SLACK].people.profile(app[BOLT].client, "T024BE7LD", "U1"), 10
    )
    rows = {row.kind: row for row in await inbox(services)}
    assert answer.status == 200
    assert at_ack[0] == "message"
    assert profile is not None
    assert (profile.locale, profile.tz) == ("en-US", "Europe/London")
    assert (rows["person_seen"].person, (rows["person_seen"].attrs or {}).get("display_name")) == (
        "U1",
        "Person U1",
    )


async def test_user_change_refreshes_the_language_without_a_call(slack: Slack) -> None:
    change = copy.deepcopy(fixture("events/user_change"))
    await slack.event(change)
    await slack.command("help", user="U3")
    await slack.fake.wait_for("hook")
    answer = slack.fake.hooks[0][1]
    assert answer["blocks"][0]["text"]["text"] == "Engage — ce que vous pouvez demander"
    assert slack.fake.calls_to("users.info") == []


async def test_a_failed_lookup_falls_back_to_the_default_language(slack: Slack) -> None:
    slack.fake.fail_next("users.info", "user_not_found")
    await slack.command("help", user="U9")
    await slack.fake.wait_for("hook")
    answer = slack.fake.hooks[0][1]
    assert answer["blocks"][0]["text"]["text"] == "Engage — what you can ask"
