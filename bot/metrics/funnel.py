"""The suggestion funnel: suggested (sent) -> followed -> joined -> first post within 30 days.

The stages are nested: joining includes following, so a join straight from the card counts
as followed too. Two views of the one funnel:
- `funnel`: a workspace's counts by `as_of` (`engage stats --funnel`, `/engage stats`);
- `WeeklyFunnel`: a campaign's or a community's funnel week by week, with conversions
  (`campaign_funnel`, `community_funnel`: the campaign card, the animator report).
Counts under the minimum group are suppressed; a conversion is shown only when both the
people who took the step and those who did not reach the minimum (as every share is).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from bot.events import as_utc
from bot.metrics.definitions import Count, Share, Suppressed, count, share
from bot.storage.models import Suggestion
from bot.storage.tables import COMMUNITY, FOLLOW_STEP, SUGGESTION

STAGES = ("followed_at", "joined_at", "first_post_at", "dismissed_at")
FIELDS = ("suggested", "followed", "joined", "first_post", "dismissed", "ignored")


@dataclass(frozen=True)
class FunnelCounts:
    suggested: int
    followed: int
    joined: int
    first_post: int
    dismissed: int
    ignored: int


@dataclass(frozen=True)
class FunnelFigures:
    suggested: Count
    followed: Count
    joined: Count
    first_post: Count
    dismissed: Count
    ignored: Count

    @classmethod
    def of(cls, funnel: FunnelCounts, minimum: int) -> FunnelFigures:
        return cls(*(count(getattr(funnel, item), minimum) for item in FIELDS))


def funnel(
    session: Session,
    workspace_id: int,
    as_of: date,
    community_id: int | None = None,
    days: int | None = None,
) -> FunnelCounts:
    """Suggestions delivered up to the end of `as_of` (over the last `days` if given)."""
    end = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    counts: list[Any] = [
        func.count(),
        *(_before(_reached(name), end) for name in STAGES),
        func.sum(case((SUGGESTION.c.state == "ignored", 1), else_=0)),
    ]
    query = (
        select(*counts)
        .join(COMMUNITY, COMMUNITY.c.id == SUGGESTION.c.community_id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            SUGGESTION.c.sent_at.is_not(None),
            SUGGESTION.c.sent_at < end,
        )
    )
    if community_id is not None:
        query = query.where(SUGGESTION.c.community_id == community_id)
    if days is not None:
        query = query.where(SUGGESTION.c.sent_at >= end - timedelta(days=days))
    row = session.connection().execute(query).one()
    return FunnelCounts(*(int(value or 0) for value in row))


def _reached(stage: str) -> ColumnElement[Any]:
    """When a suggestion reached `stage`: followed when followed, or else when joined."""
    if stage == "followed_at":
        return func.coalesce(SUGGESTION.c.followed_at, SUGGESTION.c.joined_at)
    return SUGGESTION.c[stage]


def _before(column: ColumnElement[Any], end: datetime) -> Any:
    return func.sum(case((column < end, 1), else_=0))


@dataclass(frozen=True)
class FollowSteps:
    """From following a community to joining it: people who followed by `as_of`, those
    asked "Join?", and those who joined after following (on the card or by themselves)."""

    followed: Count
    asked: Count
    joined: Count


def follow_steps(
    session: Session, workspace_id: int, as_of: date, minimum: int, community_id: int | None = None
) -> FollowSteps:
    end = datetime.combine(as_of + timedelta(days=1), time(), UTC)
    query = (
        select(
            func.count(),
            _before(FOLLOW_STEP.c.asked_at, end),
            _before(FOLLOW_STEP.c.joined_at, end),
        )
        .join(COMMUNITY, COMMUNITY.c.id == FOLLOW_STEP.c.community_id)
        .where(COMMUNITY.c.workspace_id == workspace_id, FOLLOW_STEP.c.followed_at < end)
    )
    if community_id is not None:
        query = query.where(FOLLOW_STEP.c.community_id == community_id)
    row = session.connection().execute(query).one()
    followed, asked, joined = (int(value or 0) for value in row)
    return FollowSteps(count(followed, minimum), count(asked, minimum), count(joined, minimum))


STEPS = ("sent", "followed", "joined", "first_post")
MAX_WEEKS = 12


@dataclass(frozen=True)
class Times:
    sent: datetime | None
    followed: datetime | None
    joined: datetime | None
    dismissed: datetime | None
    first_post: datetime | None

    @classmethod
    def of(cls, row: Suggestion) -> Times:
        return cls(
            row.sent_at, row.followed_at or row.joined_at, row.joined_at, row.dismissed_at,
            row.first_post_at,
        )  # fmt: skip


@dataclass(frozen=True)
class WeeklyFunnel:
    counts: dict[str, Count]
    conversions: dict[str, Share | None]
    """Each step over the one before it (followed/sent, joined/followed, first post/joined),
    and dismissed/sent; None when the step before is empty."""
    weeks: tuple[str, ...]
    weekly: dict[str, tuple[int, ...]] | Suppressed
    """Per step, how many took it in each ISO week (by the step's own date)."""
    minimum: int


def summarise_funnel(times: Iterable[Times], minimum: int, weeks: Sequence[date]) -> WeeklyFunnel:
    """Pure: `weeks` are the Mondays of the ISO weeks to chart, oldest first."""
    rows = [row for row in times if row.sent is not None]
    raw = {step: sum(1 for row in rows if getattr(row, step)) for step in (*STEPS, "dismissed")}
    conversions: dict[str, Share | None] = {}
    for before, step in itertools.pairwise(STEPS):
        conversions[step] = share(raw[step], raw[before], minimum) if raw[before] else None
    conversions["dismissed"] = (
        share(raw["dismissed"], raw["sent"], minimum) if raw["sent"] else None
    )
    labels = tuple(f"{m.isocalendar().year}-W{m.isocalendar().week:02d}" for m in weeks)
    weekly: dict[str, tuple[int, ...]] | Suppressed = Suppressed(minimum)
    if raw["sent"] >= minimum:
        weekly = {step: _per_week(rows, step, weeks) for step in (*STEPS, "dismissed")}
    counts: dict[str, Count] = {k: count(v, minimum) for k, v in raw.items()}
    return WeeklyFunnel(counts, conversions, labels, weekly, minimum)


def _per_week(rows: list[Times], step: str, weeks: Sequence[date]) -> tuple[int, ...]:
    index = {monday: i for i, monday in enumerate(weeks)}
    tally: Counter[int] = Counter()
    for row in rows:
        moment = getattr(row, step)
        if moment is None:
            continue
        day = as_utc(moment).date()
        monday = day - timedelta(days=day.weekday())
        if monday in index:
            tally[index[monday]] += 1
    return tuple(tally[i] for i in range(len(weeks)))


def week_mondays(first: date, last: date) -> list[date]:
    """Mondays of the ISO weeks from `first` to `last`, the last MAX_WEEKS at most."""
    start = first - timedelta(days=first.weekday())
    end = last - timedelta(days=last.weekday())
    mondays = []
    while start <= end:
        mondays.append(start)
        start += timedelta(weeks=1)
    return mondays[-MAX_WEEKS:] or [end]


def campaign_funnel(
    session: Session, campaign_id: int, first: date, last: date, minimum: int
) -> WeeklyFunnel:
    rows = session.scalars(select(Suggestion).where(col(Suggestion.campaign_id) == campaign_id))
    return summarise_funnel((Times.of(row) for row in rows), minimum, week_mondays(first, last))


def community_funnel(
    session: Session, community_id: int, as_of: date, minimum: int
) -> WeeklyFunnel:
    """Every suggestion of the community sent in the 12 weeks ending at `as_of`."""
    mondays = week_mondays(as_of - timedelta(weeks=MAX_WEEKS - 1), as_of)
    rows = session.scalars(
        select(Suggestion).where(
            col(Suggestion.community_id) == community_id,
            col(Suggestion.sent_at) >= datetime.combine(mondays[0], time(), UTC),
            col(Suggestion.sent_at) < datetime.combine(as_of + timedelta(days=1), time(), UTC),
        )
    )
    return summarise_funnel((Times.of(row) for row in rows), minimum, mondays)
