"""Activities Engage refuses, logged as `engage serve` logs at DEBUG: no body, no text, no
user id; each refusal counted in `/metrics`."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import create_app
from bot.services import Services
from bot.settings import Settings, load_settings
from tests.adapters.teams.activities import APP_ID, activity
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_app_auth import Issuer, issuer
from tests.support.logs import DebugLog, debug_log

__all__ = ["debug_log", "issuer"]  # fixtures
CANARY = "canary-91d4"
CANARY_USER = "29:1CaNaRy91d4"


@pytest.fixture
def teams_settings(database_url: str, issuer: Issuer) -> Settings:
    return load_settings(
        env_file=None, database_url=database_url, port=0, platforms="teams",
        teams_app_id=APP_ID, teams_app_password="Zq8~tW6mB2xR7cN4sL9dF5hJ0a.teams-secret",
        teams_openid_metadata_url=issuer.metadata_url,
    )  # fmt: skip


@pytest.fixture
async def web(teams_settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    services = Services.build(teams_settings)
    async with TestClient(TestServer(create_app(teams_settings, services=services))) as client:
        yield client


def carrying_the_canary(service_url: str, **changes: Any) -> dict[str, Any]:
    sent = activity("channel_message", service_url, text=f"<p>{CANARY}</p>", **changes)
    sent["from"]["id"] = CANARY_USER
    return sent


async def refused(web: TestClient[Any, Any], issuer: Issuer, url: str) -> list[int]:
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    body = json.dumps(carrying_the_canary(url))
    valid = bearer(issuer.token(url))
    past = int(time.time()) - 7200
    requests: list[tuple[str, dict[str, str]]] = [
        (body, {"Content-Type": "application/json"}),
        (body, bearer(Issuer().token(url))),
        (body, bearer(issuer.token(url, exp=past + 3600, nbf=past))),
        (body[:-40], valid),
        (json.dumps(carrying_the_canary(url, type=CANARY)), valid),
        (json.dumps(carrying_the_canary(url, entities=CANARY, membersAdded=CANARY)), valid),
        (json.dumps({**carrying_the_canary(url), "from": {"name": CANARY}}), valid),
    ]
    statuses = []
    for data, headers in requests:
        async with web.post("/api/messages", data=data, headers=headers) as response:
            statuses.append(response.status)
    return statuses


async def test_no_refused_activity_leaves_its_body_in_the_log(
    teams_settings: Settings,
    web: TestClient[Any, Any],
    issuer: Issuer,
    connector: FakeConnector,
    debug_log: DebugLog,
) -> None:
    debug_log.start(teams_settings)
    statuses = await refused(web, issuer, connector.url)
    metrics = await (await web.get("/metrics")).text()
    log = debug_log.text()
    assert " DEBUG " in log
    assert statuses == [401, 401, 401, 400, 200, 200, 200]
    assert [line for line in log.splitlines() if CANARY in line or CANARY_USER in line] == []
    assert "Traceback" not in log
    for reason, count in (("signature", 3), ("undecodable", 1), ("no_sender", 1)):
        assert (
            f'engage_requests_rejected_total{{platform="teams",reason="{reason}"}} {count}.0'
            in (metrics)
        )
