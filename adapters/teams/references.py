"""What an activity teaches about reaching people: conversation references and channel homes.

A reference is stored as Bot Framework's `ConversationReference` JSON. A person seen only in
a team gets a reference without a conversation (and the team it came from): a 1:1 chat can
be opened through the connector when it is first needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.teams.ingest import (
    Json,
    added_members,
    channel_id,
    is_bot_account,
    is_personal,
    occurred_at,
    person_key,
    team_id,
    tenant,
    text_field,
)


@dataclass(frozen=True)
class Reach:
    """How to reach one person; `team` is set when no 1:1 conversation exists yet."""

    tenant: str
    person: str
    reference: Json
    team: str | None
    seen_at: datetime

    @property
    def cache_key(self) -> tuple[str, ...]:
        conversation = str((self.reference.get("conversation") or {}).get("id") or "")
        return ("reach", self.tenant, self.person, conversation, self.reference["serviceUrl"])


@dataclass(frozen=True)
class ChannelHome:
    """A channel and the team it belongs to (the General channel's id is the team's)."""

    tenant: str
    channel: str
    team: str
    group_id: str | None
    name: str | None

    @property
    def cache_key(self) -> tuple[str, ...]:
        return (
            "channel",
            self.tenant,
            self.channel,
            self.team,
            self.group_id or "",
            self.name or "",
        )


Fact = Reach | ChannelHome


def account(member: Json) -> Json:
    """The part of a channel account a reference needs (no names, no e-mail)."""
    kept = {"id": text_field(member, "id")}
    if aad := text_field(member, "aadObjectId"):
        kept["aadObjectId"] = aad
    return kept


def reference(activity: Json, user: Json, *, with_conversation: bool) -> Json:
    conversation: Json = {"tenantId": tenant(activity)}
    if with_conversation:
        conversation.update(
            id=text_field(activity, "conversation", "id"),
            conversationType=text_field(activity, "conversation", "conversationType") or "personal",
        )
    return {
        "user": account(user),
        "bot": {
            "id": text_field(activity, "recipient", "id"),
            "name": text_field(activity, "recipient", "name"),
        },
        "conversation": conversation,
        "channelId": text_field(activity, "channelId") or "msteams",
        "serviceUrl": text_field(activity, "serviceUrl"),
    }


def facts_from(activity: Json) -> list[Fact]:
    if not tenant(activity) or not text_field(activity, "serviceUrl"):
        return []
    sender = activity.get("from")
    moment = occurred_at(activity)
    facts: list[Fact] = []
    if is_personal(activity):
        if isinstance(sender, dict) and not is_bot_account(sender):
            ref = reference(activity, sender, with_conversation=True)
            facts.append(Reach(tenant(activity), person_key(sender), ref, None, moment))
        return facts
    team = team_id(activity)
    if not team:
        return facts
    members = [*added_members(activity), *([sender] if isinstance(sender, dict) else [])]
    for member in members:
        if not is_bot_account(member) and person_key(member):
            ref = reference(activity, member, with_conversation=False)
            facts.append(Reach(tenant(activity), person_key(member), ref, team, moment))
    group = text_field(activity, "channelData", "team", "aadGroupId") or None
    team_name = text_field(activity, "channelData", "team", "name") or None
    facts.append(ChannelHome(tenant(activity), team, team, group, team_name))
    channel = channel_id(activity)
    if channel and channel != team:
        name = text_field(activity, "channelData", "channel", "name") or None
        facts.append(ChannelHome(tenant(activity), channel, team, group, name))
    return facts
