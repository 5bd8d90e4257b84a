"""Campaigns as people name them: by number (`3`) or by name when that is unique.

A campaign of a community the actor may not see (it became private) is not theirs to find.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, select

from bot.animators.audit import Actor
from bot.animators.roles import may_see
from bot.commands import CommandError
from bot.storage.models import Campaign, Community


def workspace_campaigns(
    session: Session, actor: Actor, admins: Collection[str] = ()
) -> list[tuple[Campaign, Community]]:
    rows = session.exec(
        select(Campaign, Community)
        .join(Community, Community.id == Campaign.community_id)  # type: ignore[arg-type]
        .where(Community.workspace_id == actor.workspace_id)
        .order_by(Campaign.id)  # type: ignore[arg-type]
    )
    return [
        (campaign, community)
        for campaign, community in rows
        if may_see(session, admins, actor, community)
    ]


def find_campaign(
    session: Session, actor: Actor, typed: str, admins: Collection[str] = ()
) -> tuple[Campaign, Community]:
    reference = typed.strip().lstrip("#")
    found = [
        (campaign, community)
        for campaign, community in workspace_campaigns(session, actor, admins)
        if str(campaign.id) == reference or campaign.name.casefold() == reference.casefold()
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise CommandError("campaign.ambiguous", name=typed)
    raise CommandError("campaign.unknown", name=typed)
