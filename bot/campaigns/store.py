"""Saving campaigns and moving them through draft -> active -> paused -> ended.

Each call runs in the caller's transaction: role check, validation, the change and its
audit row commit together, or nothing does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from bot.animators.audit import Actor, record_audit
from bot.animators.roles import require_animator
from bot.campaigns.eligibility import audience_query, count_of
from bot.campaigns.fields import text
from bot.campaigns.parse import parse_campaign, resolve_community
from bot.campaigns.spec import (
    Audience,
    CampaignError,
    CampaignSpec,
    Problem,
)
from bot.clock import as_utc, utcnow
from bot.storage.models import Campaign, Community


def spec_of(campaign: Campaign) -> CampaignSpec:
    assert campaign.starts_at is not None
    assert campaign.ends_at is not None
    return CampaignSpec(
        community_id=campaign.community_id,
        name=campaign.name,
        pitch=dict(campaign.pitch),
        audience=Audience.from_json(campaign.audience),
        starts_on=as_utc(campaign.starts_at).date(),
        ends_on=as_utc(campaign.ends_at).date(),
        max_sends=campaign.max_sends,
        boost=campaign.boost,
    )


def form_values(session: Session, campaign: Campaign, *, names: bool = False) -> dict[str, Any]:
    """The campaign as raw field values; communities by id, or by #name when `names`."""

    def ref(community_id: int) -> str:
        community = session.get(Community, community_id)
        assert community is not None
        return f"#{community.name}" if names and community.name else community.external_id

    spec = spec_of(campaign)
    return {
        "community": ref(spec.community_id),
        "name": spec.name,
        "pitch_en": spec.pitch.get("en", ""),
        "pitch_fr": spec.pitch.get("fr", ""),
        "audience": spec.audience.kind,
        "audience_communities": [ref(c) for c in spec.audience.communities],
        "department": spec.audience.department or "",
        "starts": spec.starts_on,
        "ends": spec.ends_on,
        "max_sends": spec.max_sends,
        "boost": spec.boost,
    }


def save_campaign(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    values: Mapping[str, object],
    *,
    today: date,
    now: datetime,
    campaign: Campaign | None = None,
) -> Campaign:
    """Create a draft (or update `campaign`) from raw values; raises CampaignError or
    RoleError without changing anything."""
    typed = {name: value for name, value in values.items() if value is not None}
    merged = {**form_values(session, campaign), **typed} if campaign else typed
    problems: list[Problem] = []
    community = resolve_community(
        session, admins, actor, text(merged, "community"), "community", problems
    )
    if community is None:
        raise CampaignError(problems)
    require_animator(session, admins, actor, community, "campaign")
    if campaign is not None:
        previous = session.get(Community, campaign.community_id)
        assert previous is not None
        require_animator(session, admins, actor, previous, "campaign")
    spec = parse_campaign(session, admins, actor, merged, community, today)
    columns = spec.columns()
    if campaign is None:
        _check_unique_and_reachable(session, actor.workspace_id, spec, None, now)
        campaign = Campaign(**columns, created_by_id=actor.person_id, state="draft")
        action, details = "campaign.create", _details(columns)
    else:
        before = campaign.model_dump()
        changed = {name: value for name, value in columns.items() if before[name] != value}
        if not changed:
            return campaign
        if campaign.state == "ended":
            raise CampaignError([Problem("state", "campaign.problem.ended")])
        reach = bool({"audience", "community_id"} & changed.keys())
        _check_unique_and_reachable(session, actor.workspace_id, spec, campaign, now, reach)
        for name, value in changed.items():
            setattr(campaign, name, value)
        action, details = "campaign.update", _details(changed)
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    record_audit(
        session, actor, action, community_id=community.id, campaign_id=campaign.id, details=details
    )
    return campaign


def _check_unique_and_reachable(
    session: Session,
    workspace_id: int,
    spec: CampaignSpec,
    own: Campaign | None,
    now: datetime,
    reach: bool = True,
) -> None:
    problems: list[Problem] = []
    clash = session.exec(
        select(Campaign.id).where(
            Campaign.community_id == spec.community_id, Campaign.name == spec.name
        )
    ).first()
    if clash is not None and (own is None or clash != own.id):
        problems.append(Problem("name", "campaign.problem.name_taken", {"name": spec.name}))
    reachable = audience_query(workspace_id, spec.community_id, spec.audience, now)
    if reach and count_of(session, reachable) == 0:
        problems.append(Problem("audience", "campaign.problem.nobody"))
    if problems:
        raise CampaignError(problems)


def _details(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Audit details: settings only; the pitch is recorded by language, never its words."""
    details: dict[str, Any] = {}
    for name, value in columns.items():
        if name == "pitch":
            details["pitch_languages"] = sorted(value)
        elif isinstance(value, datetime):
            details[name] = value.date().isoformat()
        else:
            details[name] = value
    return details
