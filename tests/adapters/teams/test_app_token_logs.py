"""A Teams turn with an app password configured, logged at DEBUG: no password or token logged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import Services
from bot.settings import Settings, load_settings
from tests.adapters.teams.activities import APP_ID, activity
from tests.adapters.teams.conftest import TeamsServer, serve_teams
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_app_auth import Issuer, issuer, recorded
from tests.support.logs import DebugLog, debug_log

__all__ = ["debug_log", "issuer"]  # fixtures
PASSWORD = "Zq8~tW6mB2xR7cN4sL9dF5hJ0a.teams-secret"


@pytest.fixture
def teams_settings(database_url: str, issuer: Issuer) -> Settings:
    return load_settings(
        env_file=None, database_url=database_url, port=0, teams_app_id=APP_ID,
        teams_app_password=PASSWORD, teams_openid_metadata_url=issuer.metadata_url,
    )  # fmt: skip


@pytest.fixture
async def secured(teams_settings: Settings) -> AsyncIterator[TeamsServer]:
    services = Services.build(teams_settings)
    try:
        async with serve_teams(services) as server:
            yield server
    finally:
        await services.stop()


async def test_an_authenticated_turn_logs_no_password_or_token(
    teams_settings: Settings,
    debug_log: DebugLog,
    secured: TeamsServer,
    connector: FakeConnector,
    issuer: Issuer,
) -> None:
    debug_log.start(teams_settings)
    token = issuer.token(connector.url)
    answer = await secured.post(
        activity("channel_message", connector.url), {"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200
    assert await recorded(secured) == 2
    log = debug_log.text()
    assert " DEBUG " in log
    assert PASSWORD not in log
    assert token not in log
