"""The outbound gateway against the fake Web API: typed results, never exceptions."""

from __future__ import annotations

import time

import pytest

from adapters.slack.gateway import SlackGateway, build_gateway
from adapters.slack.installs import SingleWorkspace
from bot.cards import Actions, Button, Card, Heading
from bot.delivery import Delivered, PermanentFailure, Recipient, RetryAfter, TransientFailure
from bot.services import Services
from bot.settings import Settings, load_settings
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

CARD = Card(
    (Heading("#garden is worth a look"), Actions((Button("Follow", "engage.follow", "C1"),)))
)
ALICE = Recipient(platform="slack", workspace="T024BE7LD", person="U1")


@pytest.fixture
def gateway(settings: Settings) -> SlackGateway:
    return SlackGateway(settings, SingleWorkspace(BOT_TOKEN))


async def test_a_card_goes_to_the_persons_dm(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    result = await gateway.send_card(ALICE, CARD)
    opened, posted = fake_slack.calls
    assert result == Delivered(conversation="D1", message="1774700000.000002")
    assert (opened.method, opened.params["users"], opened.token) == (
        "conversations.open",
        "U1",
        BOT_TOKEN,
    )
    assert posted.method == "chat.postMessage"
    assert posted.params["channel"] == "D1"
    assert posted.params["text"] == "#garden is worth a look\n[Follow]"
    assert posted.params["blocks"][1]["elements"][0]["action_id"] == "engage.follow:0"


async def test_a_card_is_updated_in_place(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    sent = Delivered(conversation="D1", message="1774700000.000001")
    assert await gateway.update_card(ALICE, sent, CARD) == sent
    (update,) = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("D1", "1774700000.000001")


async def test_invite_and_already_in_channel_are_both_success(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    assert await gateway.invite(ALICE, "C1") == Delivered(conversation="C1")
    fake_slack.fail_next("conversations.invite", "already_in_channel")
    assert await gateway.invite(ALICE, "C1") == Delivered(conversation="C1")
    assert [call.params["users"] for call in fake_slack.calls_to("conversations.invite")] == [
        "U1",
        "U1",
    ]


async def test_home_view_is_published(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    assert await gateway.publish_home(ALICE, CARD) == Delivered()
    (publish,) = fake_slack.calls_to("views.publish")
    assert publish.params["user_id"] == "U1"
    assert publish.params["view"]["type"] == "home"


async def test_a_long_rate_limit_is_returned_at_once_for_the_caller_to_schedule(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit_next("conversations.open", retry_after=30)
    started = time.monotonic()
    result = await gateway.send_card(ALICE, CARD)
    assert result == RetryAfter(30.0)
    assert time.monotonic() - started < 5
    assert len(fake_slack.calls_to("conversations.open")) == 1


async def test_a_short_rate_limit_is_retried_in_place(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=0)
    assert isinstance(await gateway.send_card(ALICE, CARD), Delivered)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize(
    "error",
    ["channel_not_found", "is_archived", "user_not_found", "account_inactive", "not_in_channel"],
)
async def test_permanent_errors_are_typed_permanent(
    gateway: SlackGateway, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.fail_next("conversations.open", error)
    assert await gateway.send_card(ALICE, CARD) == PermanentFailure(error)


async def test_other_errors_are_transient(gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", "internal_error", status=500)
    assert await gateway.send_card(ALICE, CARD) == TransientFailure("internal_error")


async def test_an_unreachable_slack_is_transient(database_url: str) -> None:
    settings = load_settings(
        env_file=None, database_url=database_url, slack_api_url="http://127.0.0.1:9/api/"
    )
    gateway = SlackGateway(settings, SingleWorkspace(BOT_TOKEN))
    result = await gateway.send_card(ALICE, CARD)
    assert isinstance(result, TransientFailure)


async def test_a_revoked_install_is_permanent(settings: Settings, fake_slack: FakeSlack) -> None:
    credentials = SingleWorkspace(BOT_TOKEN)
    await credentials.disable(None, "T024BE7LD")
    result = await SlackGateway(settings, credentials).send_card(ALICE, CARD)
    assert result == PermanentFailure("not_installed")
    assert fake_slack.calls == []


def test_community_links_open_the_channel_in_slack(gateway: SlackGateway) -> None:
    assert gateway.community_link("T024BE7LD", "C1") == (
        "https://slack.com/app_redirect?team=T024BE7LD&channel=C1"
    )


async def test_the_entry_point_builds_a_gateway_only_when_slack_is_configured(
    services: Services, database_url: str
) -> None:
    assert isinstance(build_gateway(services), SlackGateway)
    bare = Services.build(load_settings(env_file=None, database_url=database_url))
    try:
        assert build_gateway(bare) is None
    finally:
        await bare.stop()
