"""Teams deep links that open a channel or a team for the person who clicks "Join", or a
thread of a channel for the digest."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from adapters.teams.references import ChannelHome

BASE = "https://teams.microsoft.com/l"


def community_link(
    tenant: str, community: str, home: ChannelHome | None, team: ChannelHome | None = None
) -> str:
    """The team's page for its General channel (same id as the team), else the channel.

    `team` is the home of the channel's team, whose group id a channel's link needs too.
    """
    query = {"tenantId": tenant}
    group = (home.group_id if home else None) or (team.group_id if team else None)
    if group:
        query = {"groupId": group, **query}
    encoded = quote(community, safe="")
    if home is not None and home.team == community:
        return f"{BASE}/team/{encoded}/conversations?{urlencode(query)}"
    name = quote(home.name if home is not None and home.name else "channel", safe="")
    return f"{BASE}/channel/{encoded}/{name}?{urlencode(query)}"


def message_link(
    tenant: str, community: str, message: str, home: ChannelHome | None, team: ChannelHome | None
) -> str:
    """A channel message (a thread's root) as Teams links it: the message and its parent."""
    query = {"tenantId": tenant, "parentMessageId": message}
    group = (home.group_id if home else None) or (team.group_id if team else None)
    if group:
        query = {"groupId": group, **query}
    path = f"{quote(community, safe='')}/{quote(message, safe='')}"
    return f"{BASE}/message/{path}?{urlencode(query)}"
