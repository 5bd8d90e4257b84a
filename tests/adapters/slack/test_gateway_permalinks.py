"""Thread links for the digest: `chat.getPermalink`, cached, rate-limited, and the channel's
link whenever the permalink cannot be had — never an error."""

from __future__ import annotations

import pytest

from adapters.slack.gateway import Permalinks, SlackGateway
from adapters.slack.installs import SingleWorkspace
from bot.services import Services
from bot.settings import Settings
from nudges.digest import digest
from nudges.outbox import card_from_data
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.clock import FakeClock, FakeMonotonic
from tests.support.fake_slack import BOT_TOKEN, TEAM, FakeSlack
from tests.support.suggestions import TUESDAY, asker, load_workspace, outbox_rows
from tests.support.suggestions import suggestion_router as router

THREAD = "C1:1774360931.000200"
PERMALINK = "https://acme.slack.com/archives/C1/p1774360931000200"
CHANNEL = "https://slack.com/app_redirect?team=T024BE7LD&channel=C1"


@pytest.fixture
def gateway(settings: Settings) -> SlackGateway:
    return SlackGateway(settings, SingleWorkspace(BOT_TOKEN))


async def test_a_thread_links_to_its_permalink_asked_once(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    assert await gateway.thread_link(TEAM, "C1", THREAD) == PERMALINK
    assert await gateway.thread_link(TEAM, "C1", THREAD) == PERMALINK
    [call] = fake_slack.calls_to("chat.getPermalink")
    assert (call.params["channel"], call.params["message_ts"]) == ("C1", "1774360931.000200")
    assert call.token == BOT_TOKEN


async def test_failures_fall_back_to_the_channel_and_are_asked_again(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.getPermalink", "message_not_found")
    assert await gateway.thread_link(TEAM, "C1", THREAD) == CHANNEL
    fake_slack.rate_limit_next("chat.getPermalink", retry_after=30)
    assert await gateway.thread_link(TEAM, "C1", THREAD) == CHANNEL
    assert await gateway.thread_link(TEAM, "C1", THREAD) == PERMALINK
    assert len(fake_slack.calls_to("chat.getPermalink")) == 3
    assert await gateway.thread_link(TEAM, "C1", "not-a-thread-key") == CHANNEL


async def test_at_most_so_many_calls_a_minute_per_workspace(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    clock = FakeMonotonic()
    links = Permalinks(settings, SingleWorkspace(BOT_TOKEN), clock=clock, per_minute=2)
    found = [await links.get(TEAM, "C1", f"1774360931.00030{n}") for n in range(3)]
    assert found[:2] == [
        "https://acme.slack.com/archives/C1/p1774360931000300",
        "https://acme.slack.com/archives/C1/p1774360931000301",
    ]
    assert found[2] is None  # over the budget: the caller shows the channel
    assert await links.get(TEAM, "C1", "1774360931.000300") is not None  # cached: no call
    clock.now += 60
    assert await links.get(TEAM, "C1", "1774360931.000302") is not None
    assert len(fake_slack.calls_to("chat.getPermalink")) == 3


async def test_the_digest_links_its_top_thread_to_the_thread(
    slack: Slack, services: Services, gateway: SlackGateway
) -> None:
    """A live reaction, signed and sent to the app, ends as a permalink in the digest."""
    await load_workspace(services)
    event = fixture("events/reaction_added")
    event["event"]["item"]["channel"] = "C4"
    response = await slack.event(event)
    assert response.status == 200
    await services.tracker.fold()
    services.clock = FakeClock(TUESDAY)
    services.gateways = {"slack": gateway}
    await router(services).handle(asker("U7"), "follow #cooking")
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    thread = THREAD.replace("C1", "C4")
    assert row.payload["threads"] == [{"community": "C4", "thread": thread, "reactions": 1}]
    link = PERMALINK.replace("C1", "C4")
    assert f"Most reacted: {link} (1 reactions)" in card_from_data(row.payload["card"]).text()
