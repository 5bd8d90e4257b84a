"""Mounting: HTTP mode, Socket Mode against the fake's WebSocket, or off with a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import create_app
from bot.services import Services
from bot.settings import load_settings
from tests.adapters.slack.conftest import Slack, fixture, inbox
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


def _message(**changes: Any) -> dict[str, Any]:
    body = fixture("events/message")
    body["event"].update(changes)
    return body


UNUSABLE: dict[str, dict[str, Any]] = {
    "ts-not-a-number": _message(ts="abc"),
    "event-a-string": fixture("events/message") | {"event": "string"},
    "channel-a-number": _message(channel=5),
    "user-a-list": _message(user=["U1"]),
    "authorizations-a-number": fixture("events/message") | {"authorizations": 5},
    "team-a-list": fixture("events/message") | {"team_id": ["T1"]},
    "channel-created-a-string": fixture("events/channel_created") | {"event": {
        "type": "channel_created", "channel": "C9"}},
    "profile-without-id": fixture("events/user_change") | {"event": {
        "type": "user_change", "user": {"id": 7, "profile": {}}}},
    "view-a-number": {"type": "block_actions", "view": 5, "team": {"id": "T024BE7LD"}},
    "user-longer-than-stored": fixture("events/message") | {"event": {
        **fixture("events/message")["event"], "user": "U" * 5000}},
}  # fmt: skip


async def test_authentic_but_unusable_events_get_200_counted_and_nothing_stored(
    slack: Slack, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    answers = {name: (await slack.event(body)).status for name, body in UNUSABLE.items()}
    metrics = await (await slack.client.get("/metrics")).text()
    assert answers == dict.fromkeys(UNUSABLE, 200)
    assert await inbox(services) == []
    rejected = (
        f'engage_requests_rejected_total{{platform="slack",reason="malformed"}} {len(UNUSABLE)}.0'
    )
    assert rejected in metrics
    assert [record for record in caplog.records if record.exc_info] == []
    assert (await slack.event(fixture("events/message"))).status == 200
    stored = await inbox(services)  # beside, perhaps, the new sender's profile looked up
    assert [row.event_key for row in stored if row.kind == "message"] == ["C1:1774360931.000200"]


async def test_garbage_is_refused_before_bolt_reads_it(
    slack: Slack, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    unsigned = await slack.client.post(
        "/slack/events", data=b"{garbage", headers={"Content-Type": "application/json"}
    )
    odd_stamp = await slack.post(
        "{}", "application/json", headers={"X-Slack-Request-Timestamp": "x"}
    )
    signed_garbage = await slack.post("{garbage", "application/json")
    metrics = await (await slack.client.get("/metrics")).text()
    assert (unsigned.status, odd_stamp.status, signed_garbage.status) == (401, 401, 400)
    assert 'engage_requests_rejected_total{platform="slack",reason="signature"} 2.0' in metrics
    assert 'engage_requests_rejected_total{platform="slack",reason="undecodable"} 1.0' in metrics
    assert [record for record in caplog.records if record.exc_info] == []
    assert await inbox(services) == []


async def test_socket_mode_acknowledges_an_unusable_event_and_stores_nothing(
    database_url: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        env_file=None, database_url=database_url, platforms="slack", slack_mode="socket",
        slack_app_token=APP_TOKEN, slack_bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url,
    )  # fmt: skip
    services = Services.build(settings)
    async with TestClient(TestServer(create_app(settings, services=services))):
        envelope = {"envelope_id": "e-1", "type": "events_api", "payload": _message(ts="abc")}
        ack = await fake_slack.send_envelope(envelope)
        recorded = await inbox(services)
    assert ack == {"envelope_id": "e-1"}
    assert recorded == []
    assert [record for record in caplog.records if record.exc_info] == []
