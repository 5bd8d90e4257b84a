"""Campaigns in the database: saved, found, moved through their states, reaching people.

Saving and the life of a campaign (draft -> active <-> paused -> ended, each move checked
and audited); finding one as people name it (`3` or a unique name); who it may reach (one
SQL query for previews and boosts) and what running campaigns add to a person's
recommendations. The YAML file of a workspace's campaigns is `bot.campaigns.yaml_file`.

Each call runs in the caller's transaction: role check, validation, the change and its
audit row commit together, or nothing does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, and_, exists, func
from sqlmodel import Session, select

from bot.animators.roles import Actor, may_see, record_audit, require_animator
from bot.campaigns.spec import (
    TRANSITIONS,
    Audience,
    CampaignError,
    CampaignSpec,
    Problem,
    parse_campaign,
    resolve_community,
    text,
)
from bot.commands import CommandError
from bot.events import as_utc, utcnow
from bot.metrics.definitions import WINDOW_DAYS
from bot.storage.models import Campaign, Community, Suggestion
from bot.storage.tables import DAILY_ACTIVITY, DISMISSAL, MEMBERSHIP, PERSON, PREFERENCE


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


IN_COMMUNITY = ("member", "follower")


def audience_query(
    workspace_id: int, community_id: int, audience: Audience, now: datetime
) -> Select[Any]:
    already_in = exists().where(
        MEMBERSHIP.c.person_id == PERSON.c.id,
        MEMBERSHIP.c.community_id == community_id,
        MEMBERSHIP.c.state.in_(IN_COMMUNITY),
    )
    query = sa.select(PERSON.c.id).where(
        PERSON.c.workspace_id == workspace_id,
        PERSON.c.is_bot.is_(False),
        PERSON.c.deleted.is_(False),
        ~already_in,
    )
    if audience.kind == "department":
        return query.where(PERSON.c.department == audience.department)
    if audience.kind == "members":
        return query.where(
            exists().where(
                MEMBERSHIP.c.person_id == PERSON.c.id,
                MEMBERSHIP.c.community_id.in_(audience.communities),
                MEMBERSHIP.c.state == "member",
            )
        )
    if audience.kind == "active":
        first = now.date() - timedelta(days=WINDOW_DAYS - 1)
        return query.where(
            exists().where(
                DAILY_ACTIVITY.c.person_id == PERSON.c.id,
                DAILY_ACTIVITY.c.community_id.in_(audience.communities),
                DAILY_ACTIVITY.c.day.between(first, now.date()),
                (
                    DAILY_ACTIVITY.c.posts
                    + DAILY_ACTIVITY.c.replies
                    + DAILY_ACTIVITY.c.reactions_given
                )
                > 0,
            )
        )
    return query


def eligible_query(
    workspace_id: int, community_id: int, audience: Audience, now: datetime, consent_mode: str
) -> Select[Any]:
    consent = func.coalesce(
        sa.select(PREFERENCE.c.consent)
        .where(PREFERENCE.c.person_id == PERSON.c.id)
        .scalar_subquery(),
        "unknown",
    )
    dismissed = exists().where(
        DISMISSAL.c.person_id == PERSON.c.id,
        DISMISSAL.c.community_id == community_id,
        (DISMISSAL.c.until.is_(None)) | (DISMISSAL.c.until > now),
    )
    allowed = consent == "in" if consent_mode == "opt_in" else consent != "out"
    return audience_query(workspace_id, community_id, audience, now).where(
        and_(allowed, ~dismissed)
    )


def count_of(session: Session, query: Select[Any]) -> int:
    counted = sa.select(func.count()).select_from(query.subquery())
    return int(session.connection().execute(counted).scalar_one())


def eligible_count(
    session: Session,
    workspace_id: int,
    community_id: int,
    audience: Audience,
    now: datetime,
    consent_mode: str,
) -> int:
    """How many people the campaign could reach now: a number, never a list of names."""
    return count_of(
        session, eligible_query(workspace_id, community_id, audience, now, consent_mode)
    )


NOT_COUNTED = ("cancelled", "failed")


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


# YAML path -> form field
