"""A campaign's life: draft -> active <-> paused -> ended, each move checked and audited."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session, select

from bot.animators.audit import Actor, record_audit
from bot.animators.roles import require_animator
from bot.campaigns.spec import TRANSITIONS, CampaignError, Problem
from bot.clock import as_utc, utcnow
from bot.storage.models import Campaign, Community


def change_state(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    campaign: Campaign,
    verb: str,
    today: date,
    *,
    check_dates: bool = True,
) -> Campaign:
    """Move the campaign by `verb`; activating one whose end date has passed is refused
    unless `check_dates` is off (a YAML file declaring the state it wants)."""
    community = session.get(Community, campaign.community_id)
    assert community is not None
    require_animator(session, admins, actor, community, "campaign")
    sources, target = TRANSITIONS[verb]
    if campaign.state not in sources:
        raise CampaignError(
            [Problem("state", f"campaign.problem.cannot_{verb}", {"state": campaign.state})]
        )
    if (
        check_dates
        and target == "active"
        and campaign.ends_at
        and as_utc(campaign.ends_at).date() < today
    ):
        raise CampaignError(
            [Problem("ends", "campaign.problem.over", {"end": campaign.ends_at.date()})]
        )
    before = campaign.state
    campaign.state = target
    campaign.updated_at = utcnow()
    session.add(campaign)
    record_audit(
        session,
        actor,
        f"campaign.{verb}",
        community_id=campaign.community_id,
        campaign_id=campaign.id,
        details={"from": before, "to": target},
    )
    return campaign


def end_expired(session: Session, now: datetime) -> int:
    """Campaigns past their end date are ended (for the scheduler); returns how many."""
    running = select(Campaign).where(Campaign.state.in_(("active", "paused", "draft")))  # type: ignore[attr-defined]
    ended = 0
    for campaign in session.exec(running):
        if campaign.ends_at is not None and as_utc(campaign.ends_at).date() < now.date():
            community = session.get(Community, campaign.community_id)
            assert community is not None
            actor = Actor(workspace_id=community.workspace_id, person_id=None, source="scheduler")
            change_state(session, (), actor, campaign, "end", now.date())
            ended += 1
    return ended
