"""The Slack adapter on a real server: signed requests in, a fake Slack Web API out."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session, select

from adapters.main import jobs
from adapters.web.app import create_app
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage.models import InboxEvent
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

FIXTURES = Path(__file__).parent / "fixtures"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


class Slack:
    """Sends what Slack sends: signed Events API, slash command and interactivity requests."""

    def __init__(self, client: TestClient[Any, Any], fake: FakeSlack, secret: str) -> None:
        self.client, self.fake = client, fake
        self.verifier = SignatureVerifier(secret)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        age: int = 0,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ClientResponse:
        timestamp = str(int(time.time()) - age)
        signed = signature or self.verifier.generate_signature(timestamp=timestamp, body=body)
        return await self.client.post(
            "/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        )

    async def event(self, body: dict[str, Any], **options: Any) -> ClientResponse:
        return await self.post(json.dumps(body), "application/json", **options)

    async def command(
        self, text: str, *, user: str = "U1", hook: str = "command"
    ) -> ClientResponse:
        form = fixture("interactive/slash_command") | {"text": text, "user_id": user}
        form["response_url"] = self.fake.hook_url(hook)
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def action(self, payload: dict[str, Any], *, hook: str = "action") -> ClientResponse:
        payload = payload | {"response_url": self.fake.hook_url(hook)}
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return load_settings(
        env_file=None,
        database_url=database_url,
        port=0,
        platforms="slack",
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=fake_slack.api_url,
    )


@pytest.fixture
async def slack(
    settings: Settings, services: Services, fake_slack: FakeSlack
) -> AsyncIterator[Slack]:
    # The tests plan when they mean to: a pass run by the server's own scheduler at start
    # would race theirs for the workspace's planning lease.
    background = {name: job for name, job in jobs().items() if name != "plan"}
    app = create_app(settings, services=services, jobs=background)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        yield Slack(client, fake_slack, SIGNING_SECRET)


async def inbox(services: Services) -> list[InboxEvent]:
    def load(session: Session) -> list[InboxEvent]:
        return list(session.exec(select(InboxEvent).order_by(InboxEvent.id)))  # type: ignore[arg-type]

    return await services.database.read(load)
