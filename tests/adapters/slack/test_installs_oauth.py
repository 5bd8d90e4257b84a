"""Multi-workspace install: OAuth against the fake oauth.v2.access, installs in our database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from adapters.slack.gateway import build_gateway
from adapters.web.app import create_app
from bot.cards import Card, Paragraph
from bot.crypto import TokenCipher
from bot.delivery import PermanentFailure, Recipient
from bot.errors import ConfigError
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage.models import SlackInstallation, Workspace
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, fixture
from tests.support.fake_slack import OAUTH_BOT_TOKEN, FakeSlack
from tests.support.processes import run_engage

GLOBEX = "T07GLOBEX"
COOKIE = "slack-app-oauth-state"


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return load_settings(
        env_file=None,
        database_url=database_url,
        platforms="slack",
        slack_signing_secret=SIGNING_SECRET,
        slack_client_id="2478213.7081264813",
        slack_client_secret="5c1e0f7b9d2a4c6e8f0a1b3c5d7e9f01",
        secret_key="q8vZ3k1Yp0tW6mB2xR7cN4sL9dF5hJ0a",
        public_url="https://engage.example.com",
        slack_api_url=fake_slack.api_url,
    )


@pytest.fixture
async def web(settings: Settings, services: Services) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(create_app(settings, services=services))) as client:
        yield client


def for_globex(name: str) -> dict[str, Any]:
    body = fixture(name)
    body["team_id"] = GLOBEX
    body["authorizations"][0]["team_id"] = GLOBEX
    return body


async def install(web: TestClient[Any, Any]) -> tuple[str, int]:
    page = await web.get("/slack/install")
    state = page.cookies[COOKIE].value
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', await page.text())
    assert link is not None
    assert f"state={state}" in link.group(1)
    assert link.group(1).endswith("redirect_uri=https://engage.example.com/slack/oauth_redirect")
    done = await web.get(
        "/slack/oauth_redirect",
        params={"code": "7081264813.2478213.abc", "state": state},
        headers={"Cookie": f"{COOKIE}={state}"},
    )
    return state, done.status


async def installs(services: Services) -> list[tuple[SlackInstallation, bool]]:
    def load(session: Session) -> list[tuple[SlackInstallation, bool]]:
        workspace = session.exec(select(Workspace).where(Workspace.external_id == GLOBEX)).one()
        return [(row, workspace.active) for row in session.exec(select(SlackInstallation))]

    return await services.database.read(load)


async def test_install_stores_a_sealed_token_and_serves_the_workspace(
    web: TestClient[Any, Any], services: Services, fake_slack: FakeSlack
) -> None:
    _, status = await install(web)
    ((row, active),) = await installs(services)
    (exchange,) = fake_slack.calls_to("oauth.v2.access")
    assert status == 200
    assert exchange.params["code"] == "7081264813.2478213.abc"
    assert (row.team_key, row.team_name, row.bot_user_id, row.active, active) == (
        GLOBEX,
        "Globex",
        "U07ENGAGEBOT",
        True,
        True,
    )
    assert row.bot_token.startswith("fernet:")
    assert OAUTH_BOT_TOKEN not in row.bot_token
    slack = Slack(web, fake_slack, SIGNING_SECRET)
    assert (await slack.event(for_globex("events/app_home_opened"))).status == 200
    (published,) = await fake_slack.wait_for("views.publish")
    assert published.token == OAUTH_BOT_TOKEN
    assert fake_slack.calls_to("auth.test")[-1].token == OAUTH_BOT_TOKEN


async def test_a_state_is_good_for_one_install_only(web: TestClient[Any, Any]) -> None:
    state, status = await install(web)
    again = await web.get(
        "/slack/oauth_redirect",
        params={"code": "7081264813.2478213.abc", "state": state},
        headers={"Cookie": f"{COOKIE}={state}"},
    )
    assert (status, again.status) == (200, 401)


@pytest.mark.parametrize("name", ["events/app_uninstalled", "events/tokens_revoked"])
async def test_uninstall_disables_the_install(
    web: TestClient[Any, Any], services: Services, fake_slack: FakeSlack, name: str
) -> None:
    await install(web)
    slack = Slack(web, fake_slack, SIGNING_SECRET)
    assert (await slack.event(for_globex(name))).status == 200
    ((row, active),) = await installs(services)
    gateway = build_gateway(services)
    assert gateway is not None
    result = await gateway.send_card(Recipient("slack", GLOBEX, "U1"), Card((Paragraph("Hi"),)))
    assert (row.active, row.disabled_at is not None, active) == (False, True, False)
    assert result == PermanentFailure("not_installed")
    home = await slack.event(for_globex("events/app_home_opened"))
    assert home.status == 200
    assert "no longer installed" in await home.text()
    assert fake_slack.calls_to("views.publish") == []


async def test_rotating_the_secret_key_keeps_every_install_working(
    web: TestClient[Any, Any], services: Services, settings: Settings, fake_slack: FakeSlack
) -> None:
    """Old key as a fallback, reseal, then the new key alone still sends with the token."""
    await install(web)
    new_key = "Xn4b7Qe2Lm9Tz1Kc5Rv8Wy3Hd6Gs0Pu"
    code, out, err = await run_engage(
        "slack-reseal-tokens",
        cwd=Path.cwd(),
        ENGAGE_DATABASE_URL=settings.database_url,
        ENGAGE_SECRET_KEY=new_key,
        ENGAGE_SECRET_KEY_FALLBACKS=settings.secret_key,
    )
    assert code == 0, err
    assert out.startswith("1 Slack install(s) sealed under the current ENGAGE_SECRET_KEY")
    ((row, _),) = await installs(services)
    with pytest.raises(ConfigError, match="cannot decrypt"):
        TokenCipher(settings.secret_key).open(row.bot_token)
    rotated = Services.build(settings.model_copy(update={"secret_key": new_key}))
    try:
        gateway = build_gateway(rotated)
        assert gateway is not None
        sent = await gateway.send_card(Recipient("slack", GLOBEX, "U1"), Card((Paragraph("Hi"),)))
    finally:
        await rotated.stop()
    assert not isinstance(sent, PermanentFailure)
    assert fake_slack.calls_to("chat.postMessage")[-1].token == OAUTH_BOT_TOKEN
