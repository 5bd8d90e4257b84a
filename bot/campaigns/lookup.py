"""Campaigns as people name them: by number (`3`) or by name when that is unique."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.commands.context import CommandError
from bot.storage.models import Campaign, Community


def workspace_campaigns(session: Session, workspace_id: int) -> list[tuple[Campaign, Community]]:
    rows = session.exec(
        select(Campaign, Community)
        .join(Community, Community.id == Campaign.community_id)  # type: ignore[arg-type]
        .where(Community.workspace_id == workspace_id)
        .order_by(Campaign.id)  # type: ignore[arg-type]
    )
    return [(campaign, community) for campaign, community in rows]


def find_campaign(session: Session, workspace_id: int, typed: str) -> tuple[Campaign, Community]:
    reference = typed.strip().lstrip("#")
    found = [
        (campaign, community)
        for campaign, community in workspace_campaigns(session, workspace_id)
        if str(campaign.id) == reference or campaign.name.casefold() == reference.casefold()
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise CommandError("campaign.ambiguous", name=typed)
    raise CommandError("campaign.unknown", name=typed)
