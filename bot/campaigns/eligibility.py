"""Who a campaign may reach, as one SQL query used for previews (a count) and boosts (one person).

audience: living people (not bots) matching the rule who are not yet in the community.
eligible: the audience, less people whose consent does not allow suggestions and people
who dismissed the community (for good, or "not now" until a later date).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlmodel import Session

from bot.campaigns.spec import Audience
from bot.metrics.definitions import WINDOW_DAYS
from bot.storage.tables import DAILY_ACTIVITY, DISMISSAL, MEMBERSHIP, PERSON, PREFERENCE

IN_COMMUNITY = ("member", "follower")


def audience_query(
    workspace_id: int, community_id: int, audience: Audience, now: datetime
) -> Select[Any]:
    already_in = exists().where(
        MEMBERSHIP.c.person_id == PERSON.c.id,
        MEMBERSHIP.c.community_id == community_id,
        MEMBERSHIP.c.state.in_(IN_COMMUNITY),
    )
    query = select(PERSON.c.id).where(
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
        select(PREFERENCE.c.consent).where(PREFERENCE.c.person_id == PERSON.c.id).scalar_subquery(),
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
    counted = select(func.count()).select_from(query.subquery())
    return int(session.connection().execute(counted).scalar_one())


def includes(session: Session, query: Select[Any], person_id: int) -> bool:
    found = session.connection().execute(query.where(PERSON.c.id == person_id).limit(1))
    return found.first() is not None


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
