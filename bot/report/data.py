"""What the animator report shows about one community, every figure already suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from bot.animators.roles import animator_ids
from bot.campaigns.form import CampaignView, load_view
from bot.metrics import CommunityStats, Ladder, community_stats, summarise_ladder
from bot.metrics.community import community_activity, members_as_of
from bot.metrics.definitions import Frames, Share
from bot.metrics.example import Example, examples
from bot.metrics.funnel import WeeklyFunnel, community_funnel
from bot.settings import Settings
from bot.storage.models import Campaign, Community

TREND_WEEKS = 8


@dataclass(frozen=True)
class CommunityReport:
    community: Community
    stats: CommunityStats
    week_labels: tuple[str, ...]
    ladder: Ladder
    silent_trend: tuple[tuple[date, Share], ...]
    funnel: WeeklyFunnel
    campaigns: tuple[CampaignView, ...]
    example: Example | None = None


def week_ends(as_of: date, count: int = TREND_WEEKS) -> list[date]:
    """The last `count` Sundays up to `as_of` (as_of itself when it is a Sunday), oldest first."""
    last = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
    return [last - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def community_ladder(session: Session, community: Community, as_of: date, minimum: int) -> Ladder:
    """Each member's highest rung within this community during W."""
    assert community.id is not None
    activity = {
        row.person_id: row for row in community_activity(session, community.id, Frames(as_of))
    }
    members = members_as_of(session, community.id, as_of)
    animators = animator_ids(session, community) & members
    return summarise_ladder(community.name, members, activity, animators, minimum)


def community_report(
    session: Session, settings: Settings, community: Community, as_of: date
) -> CommunityReport:
    assert community.id is not None
    minimum = settings.min_group_size
    weeks = Frames(as_of).weeks
    labels = tuple(f"W{start.isocalendar().week:02d}" for start, _ in weeks)
    trend = tuple(
        (end, community_stats(session, community.id, end, minimum).silent_share)
        for end in week_ends(as_of)
    )
    moment = datetime.combine(as_of, time(23, 59), tzinfo=UTC)
    campaigns = session.exec(
        select(Campaign).where(Campaign.community_id == community.id).order_by(Campaign.id)  # type: ignore[arg-type]
    )
    return CommunityReport(
        community=community,
        stats=community_stats(session, community.id, as_of, minimum),
        week_labels=labels,
        ladder=community_ladder(session, community, as_of, minimum),
        silent_trend=trend,
        funnel=community_funnel(session, community.id, as_of, minimum),
        campaigns=tuple(load_view(session, settings, c, community, moment) for c in campaigns),
        example=examples(session, [community.id], as_of, minimum).get(community.id),
    )
