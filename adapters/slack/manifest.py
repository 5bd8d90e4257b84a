"""The Slack app manifest, ready to paste at api.slack.com/apps (From an app manifest)."""

from __future__ import annotations

from typing import Any

from adapters.slack.oauth import REDIRECT_PATH
from adapters.slack.routes import EVENTS_PATH
from adapters.slack.scopes import BOT_EVENTS, BOT_SCOPES, SLASH_COMMAND

DESCRIPTION = "Discover the communities of your company, of your own accord."
LONG_DESCRIPTION = (
    "Engage shows how alive each channel really is (its rhythm, not its size) and, only to "
    "people who ask for it, suggests communities to follow. It reads metadata only (who, "
    "where, when, what kind), never the text of messages, and never adds anyone to a "
    "channel on its own: people join by their own click. /engage help lists what it can do."
)
USAGE = "help | stats [#channel] | me | top | start | stop | pause 2w | resume | settings"


def manifest(base_url: str, *, socket_mode: bool = False, name: str = "Engage") -> dict[str, Any]:
    base = base_url.rstrip("/")
    events_url = f"{base}{EVENTS_PATH}"
    command: dict[str, Any] = {
        "command": SLASH_COMMAND,
        "description": "Community rhythm, your figures and your suggestion settings",
        "usage_hint": USAGE,
        "should_escape": True,
    }
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        command["url"] = events_url
        event_subscriptions["request_url"] = events_url
        interactivity["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": "#1d4d4f",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {
            "redirect_urls": [f"{base}{REDIRECT_PATH}"],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
