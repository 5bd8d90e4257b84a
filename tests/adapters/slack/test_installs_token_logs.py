"""An OAuth install and Web API calls, logged at DEBUG: no token or secret in the log."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.logs import REDACTED
from bot.settings import Settings
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack
from tests.adapters.slack.test_installs_oauth import for_globex, install, settings, web
from tests.support.fake_slack import OAUTH_BOT_TOKEN, FakeSlack
from tests.support.logs import DebugLog, debug_log

__all__ = ["debug_log", "settings", "web"]  # fixtures: OAuth installs on, DEBUG log


async def test_install_and_api_calls_log_no_secret(
    settings: Settings, web: TestClient[Any, Any], fake_slack: FakeSlack, debug_log: DebugLog
) -> None:
    debug_log.start(settings)
    _, status = await install(web)
    assert status == 200
    slack = Slack(web, fake_slack, SIGNING_SECRET)
    assert (await slack.event(for_globex("events/app_home_opened"))).status == 200
    await fake_slack.wait_for("views.publish")
    log = debug_log.text()
    assert "oauth.v2.access" in log  # slack_sdk did log its calls at DEBUG
    assert REDACTED in log  # and the response carrying the token was redacted
    secrets = (OAUTH_BOT_TOKEN, SIGNING_SECRET, settings.slack_client_secret, settings.secret_key)
    assert [secret for secret in secrets if secret in log] == []
