"""`engage slack-manifest` as a real subprocess: a manifest Slack accepts, or one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.slack.ingest import TRANSLATORS
from tests.support.processes import run_engage


async def test_the_manifest_is_json_naming_every_handled_event(tmp_path: Path) -> None:
    code, out, err = await run_engage(
        "slack-manifest", "--url", "https://engage.example.com/", cwd=tmp_path
    )
    manifest = json.loads(out)
    settings = manifest["settings"]
    assert (code, err) == (0, "")
    # `message.channels` and `message.groups` both arrive as the `message` event
    subscribed = {name.split(".")[0] for name in settings["event_subscriptions"]["bot_events"]}
    assert subscribed == set(TRANSLATORS)
    assert (
        settings["event_subscriptions"]["request_url"] == "https://engage.example.com/slack/events"
    )
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": "https://engage.example.com/slack/events",
    }
    assert settings["socket_mode_enabled"] is False
    (command,) = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"]) == (
        "/engage",
        "https://engage.example.com/slack/events",
    )
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://engage.example.com/slack/oauth_redirect"
    ]
    assert {"chat:write", "commands", "users:read", "reactions:read", "channels:history"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )


async def test_the_socket_mode_manifest_has_no_request_urls(tmp_path: Path) -> None:
    code, out, _ = await run_engage(
        "slack-manifest", "--url", "https://engage.example.com", "--socket", cwd=tmp_path
    )
    manifest = json.loads(out)
    assert code == 0
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert "url" not in manifest["features"]["slash_commands"][0]


async def test_a_bad_url_is_one_line(tmp_path: Path) -> None:
    code, out, err = await run_engage("slack-manifest", "--url", "engage.example.com", cwd=tmp_path)
    assert (code, out) == (1, "")
    assert err == "engage: error: --url must be an absolute http(s) URL, not 'engage.example.com'\n"
