"""What the Slack app asks for: bot scopes and the events it subscribes to."""

from __future__ import annotations

BOT_SCOPES: tuple[str, ...] = (
    "channels:history",
    "channels:read",
    "channels:manage",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "groups:write",
    "im:write",
    "reactions:read",
    "users:read",
    "users:read.email",
    "users.profile:read",
)
# Manifest event names; `message.channels` and `message.groups` both arrive as `message`.
BOT_EVENTS: tuple[str, ...] = (
    "message.channels",
    "message.groups",
    "reaction_added",
    "reaction_removed",
    "member_joined_channel",
    "member_left_channel",
    "channel_created",
    "channel_rename",
    "channel_archive",
    "channel_unarchive",
    "channel_deleted",
    "team_join",
    "user_change",
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
)
SLASH_COMMAND = "/engage"


def event_type(subscription: str) -> str:
    """`message.channels` -> `message`: the `event.type` a subscription delivers."""
    return subscription.split(".")[0]
