"""What running campaigns add to one person's recommendations: community -> boost.

A campaign boosts only while it is active and inside its dates, only for people it may
reach (`eligibility`), and only until `max_sends` suggestions carry its id. Paused, ended
and draft campaigns give nothing. The boost never bypasses consent or the weekly budget:
the planner still decides whether anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from bot.campaigns.eligibility import eligible_query, includes
from bot.campaigns.spec import Audience
from bot.storage.models import Campaign, Community, Suggestion

NOT_COUNTED = ("cancelled", "failed")


@dataclass(frozen=True)
class CampaignBoost:
    campaign_id: int
    boost: float


def running_campaigns(session: Session, workspace_id: int, now: datetime) -> list[Campaign]:
    query = (
        select(Campaign)
        .join(Community, Community.id == Campaign.community_id)  # type: ignore[arg-type]
        .where(
            Community.workspace_id == workspace_id,
            Community.is_private.is_(False),  # type: ignore[attr-defined]
            Community.is_archived.is_(False),  # type: ignore[attr-defined]
            Community.is_deleted.is_(False),  # type: ignore[attr-defined]
            Campaign.state == "active",
            Campaign.starts_at <= now,  # type: ignore[operator]
            Campaign.ends_at > now - timedelta(days=1),  # type: ignore[operator]
        )
        .order_by(Campaign.id)  # type: ignore[arg-type]
    )
    return list(session.exec(query))


def sends_of(session: Session, campaign_id: int) -> int:
    query = select(func.count()).where(
        Suggestion.campaign_id == campaign_id,
        Suggestion.state.not_in(NOT_COUNTED),  # type: ignore[attr-defined]
    )
    return int(session.exec(query).one())


def active_campaigns(
    session: Session,
    workspace_id: int,
    person_id: int,
    now: datetime,
    *,
    consent_mode: str = "opt_in",
) -> dict[int, CampaignBoost]:
    """community id -> the strongest running campaign that may reach this person."""
    chosen: dict[int, CampaignBoost] = {}
    for campaign in running_campaigns(session, workspace_id, now):
        assert campaign.id is not None
        current = chosen.get(campaign.community_id)
        if current is not None and current.boost >= campaign.boost:
            continue
        if campaign.max_sends is not None and sends_of(session, campaign.id) >= campaign.max_sends:
            continue
        audience = Audience.from_json(campaign.audience)
        query = eligible_query(workspace_id, campaign.community_id, audience, now, consent_mode)
        if includes(session, query, person_id):
            chosen[campaign.community_id] = CampaignBoost(campaign.id, campaign.boost)
    return chosen


def active_boosts(
    session: Session,
    workspace_id: int,
    person_id: int,
    now: datetime,
    *,
    consent_mode: str = "opt_in",
) -> dict[int, float]:
    """The recommender's `boosts` for this person (use `active_campaigns` to learn which
    campaign to record on the Suggestion row, so max_sends and results count it)."""
    found = active_campaigns(session, workspace_id, person_id, now, consent_mode=consent_mode)
    return {community: entry.boost for community, entry in found.items()}
