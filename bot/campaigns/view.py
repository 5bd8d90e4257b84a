"""Everything shown about one campaign (chat, CLI, report): settings, preview, results."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.animators.audit import Actor
from bot.animators.roles import may_see
from bot.campaigns.eligibility import eligible_count
from bot.campaigns.results import Funnel, campaign_funnel
from bot.campaigns.spec import Audience
from bot.clock import as_utc
from bot.metrics.definitions import Count, count
from bot.settings import Settings
from bot.storage.models import Campaign, Community


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    community: Community
    audience: Audience
    audience_names: tuple[str | None, ...]
    """None stands for a private community that the viewer may not see."""
    starts_on: date
    ends_on: date
    eligible: Count
    funnel: Funnel


def load_view(
    session: Session,
    settings: Settings,
    campaign: Campaign,
    community: Community,
    now: datetime,
    seen_by: Actor | None = None,
    admins: Collection[str] = (),
) -> CampaignView:
    """The campaign as `seen_by` may see it (None: the operator, who sees everything)."""
    assert campaign.starts_at is not None
    assert campaign.ends_at is not None
    audience = Audience.from_json(campaign.audience)
    names: list[str | None] = []
    for community_id in audience.communities:
        found = session.get(Community, community_id)
        if found is None:
            names.append(str(community_id))
        elif seen_by is None or may_see(session, admins, seen_by, found):
            names.append(found.name)
        else:
            names.append(None)
    starts, ends = as_utc(campaign.starts_at).date(), as_utc(campaign.ends_at).date()
    eligible = eligible_count(
        session, community.workspace_id, community.id or 0, audience, now, settings.consent_mode
    )
    assert campaign.id is not None
    last = min(max(now.date(), starts), ends)
    funnel = campaign_funnel(session, campaign.id, starts, last, settings.min_group_size)
    return CampaignView(
        campaign=campaign,
        community=community,
        audience=audience,
        audience_names=tuple(names),
        starts_on=starts,
        ends_on=ends,
        eligible=count(eligible, settings.min_group_size),
        funnel=funnel,
    )
