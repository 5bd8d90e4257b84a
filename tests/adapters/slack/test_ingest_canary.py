"""Message, file and attachment text never reaches a table or a log line, on any ingest path."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from adapters.web.app import create_app
from bot.services import Services
from bot.settings import load_settings
from tests.adapters.slack.conftest import FIXTURES, Slack, fixture
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

CANARY = "canary-51ac"
EVENTS = sorted(path.stem for path in (FIXTURES / "events").glob("*.json"))


def everything_stored(session: Session) -> str:
    dump: list[Any] = []
    for table in SQLModel.metadata.sorted_tables:
        dump += [list(row) for row in session.connection().execute(select(table))]
    return json.dumps(dump, default=str)


def test_the_fixtures_carry_the_canary_in_text_files_and_attachments() -> None:
    carriers = [
        name
        for name in EVENTS
        if CANARY in json.dumps(json.loads(Path(FIXTURES / "events" / f"{name}.json").read_text()))
    ]
    assert {
        "message",
        "message_file_share",
        "message_bot",
        "message_app",
        "message_changed",
    } <= set(carriers)


async def test_no_text_survives_ingest_lookups_folding_or_commands(
    slack: Slack, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in EVENTS:
        assert (await slack.event(fixture(f"events/{name}"))).status == 200
    await slack.command("stats #garden")
    await slack.fake.wait_for("hook")
    await slack.fake.wait_for("views.publish")
    await services.tracker.fold()
    stored = await services.database.read(everything_stored)
    assert "C1:1774360931.000200" in stored
    assert CANARY not in stored
    assert [record.getMessage() for record in caplog.records if CANARY in record.getMessage()] == []


async def test_no_text_survives_socket_mode(
    database_url: str, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = load_settings(
        env_file=None,
        database_url=database_url,
        platforms="slack",
        slack_mode="socket",
        slack_app_token="xapp-1-A07ENGAGE01-7081264813-4c1d9a",
        slack_bot_token=BOT_TOKEN,
        slack_api_url=fake_slack.api_url,
    )
    services = Services.build(settings)
    async with TestClient(TestServer(create_app(settings, services=services))):
        for number, name in enumerate(EVENTS):
            envelope = {
                "envelope_id": f"e{number}",
                "type": "events_api",
                "payload": fixture(f"events/{name}"),
            }
            await fake_slack.send_envelope(envelope)
        await services.tracker.fold()
        stored = await services.database.read(everything_stored)
    assert "C1:1774360931.000200" in stored
    assert CANARY not in stored
    assert [record.getMessage() for record in caplog.records if CANARY in record.getMessage()] == []
