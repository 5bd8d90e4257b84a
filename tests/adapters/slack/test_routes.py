"""Mounting: HTTP mode, Socket Mode against the fake's WebSocket, or off with a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import create_app
from bot.services import Services
from bot.settings import load_settings
from tests.adapters.slack.conftest import fixture, inbox
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

APP_TOKEN = "xapp-1-A07ENGAGE01-7081264813-4c1d9a"


async def test_socket_mode_records_an_event_before_acknowledging_it(
    database_url: str, fake_slack: FakeSlack
) -> None:
    settings = load_settings(
        env_file=None,
        database_url=database_url,
        platforms="slack",
        slack_mode="socket",
        slack_app_token=APP_TOKEN,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=fake_slack.api_url,
    )
    services = Services.build(settings)
    async with TestClient(TestServer(create_app(settings, services=services))) as client:
        (opened,) = fake_slack.calls_to("apps.connections.open")
        envelope: dict[str, Any] = {
            "envelope_id": "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545",
            "type": "events_api",
            "payload": fixture("events/message"),
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        ack = await fake_slack.send_envelope(envelope)
        recorded = [row.event_key for row in await inbox(services) if row.kind == "message"]
        not_served = await client.post("/slack/events", data=b"{}")
    assert opened.token == APP_TOKEN
    assert ack == {"envelope_id": "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545"}
    assert recorded == ["C1:1774360931.000200"]
    assert not_served.status == 404


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({}, "set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"),
        (
            {"slack_bot_token": BOT_TOKEN},
            "set SLACK_SIGNING_SECRET (or use ENGAGE_SLACK_MODE=socket)",
        ),
        (
            {"slack_bot_token": BOT_TOKEN, "slack_mode": "socket"},
            "ENGAGE_SLACK_MODE=socket needs SLACK_APP_TOKEN",
        ),
    ],
)
async def test_without_credentials_slack_is_off_and_says_why(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, str],
    reason: str,
) -> None:
    settings = load_settings(
        env_file=None, database_url=database_url, platforms="slack", **overrides
    )
    services = Services.build(settings)
    with caplog.at_level(logging.WARNING, logger="engage.slack"):
        app = create_app(settings, services=services)
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/slack/events", data=b"{}")
    assert response.status == 404
    assert f"Slack is off: {reason}" in caplog.messages
