"""The suggestion funnel: sent -> followed -> joined -> first post, and dismissed, per ISO week.

"followed" counts people who followed or joined straight away (joining includes following).
Counts under the minimum group are suppressed; a conversion is shown only when both the
people who took the step and those who did not reach the minimum (as every share is).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from bot.campaigns.spec import midnight
from bot.events import as_utc
from bot.metrics.definitions import Count, Share, Suppressed, count, share
from bot.storage.models import Suggestion

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
class Funnel:
    counts: dict[str, Count]
    conversions: dict[str, Share | None]
    """Each step over the one before it (followed/sent, joined/followed, first post/joined),
    and dismissed/sent; None when the step before is empty."""
    weeks: tuple[str, ...]
    weekly: dict[str, tuple[int, ...]] | Suppressed
    """Per step, how many took it in each ISO week (by the step's own date)."""
    minimum: int


def summarise_funnel(times: Iterable[Times], minimum: int, weeks: Sequence[date]) -> Funnel:
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
    return Funnel(counts, conversions, labels, weekly, minimum)


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
) -> Funnel:
    rows = session.exec(select(Suggestion).where(Suggestion.campaign_id == campaign_id))
    return summarise_funnel((Times.of(row) for row in rows), minimum, week_mondays(first, last))


def community_funnel(session: Session, community_id: int, as_of: date, minimum: int) -> Funnel:
    """Every suggestion of the community sent in the 12 weeks ending at `as_of`."""
    mondays = week_mondays(as_of - timedelta(weeks=MAX_WEEKS - 1), as_of)
    rows = session.exec(
        select(Suggestion).where(
            Suggestion.community_id == community_id,
            Suggestion.sent_at >= midnight(mondays[0]),  # type: ignore[operator]
            Suggestion.sent_at < midnight(as_of + timedelta(days=1)),  # type: ignore[operator]
        )
    )
    return summarise_funnel((Times.of(row) for row in rows), minimum, mondays)
