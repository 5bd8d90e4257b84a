"""A community's rhythm over the last twelve ISO weeks, and its momentum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from nudges.recommend.snapshot import WINDOW_WEEKS, CommunityInfo

STEADY_WEEKS = 9
DORMANT_WEEKS = 3
MOMENTUM_DAYS = 28


@dataclass(frozen=True, slots=True)
class Rhythm:
    active_weeks: int
    observed_weeks: int
    recent_messages: int
    previous_messages: int
    last_message: date | None

    @property
    def label(self) -> str:
        """steady ≥ 9/12 weeks, intermittent 4–8, dormant ≤ 3; `new` when younger than that."""
        if self.active_weeks >= STEADY_WEEKS:
            return "steady"
        if self.observed_weeks < WINDOW_WEEKS and self.active_weeks * WINDOW_WEEKS > (
            DORMANT_WEEKS * self.observed_weeks
        ):
            return "new"
        return "intermittent" if self.active_weeks > DORMANT_WEEKS else "dormant"

    @property
    def dormant(self) -> bool:
        return self.label == "dormant"

    @property
    def momentum(self) -> float:
        """Messages in the last 28 days over the 28 before (smoothed so 0 → 0 is 1)."""
        return (self.recent_messages + 1) / (self.previous_messages + 1)


def rhythm_of(info: CommunityInfo, messages: Mapping[date, int], last: date) -> Rhythm:
    monday = last - timedelta(days=last.weekday())
    weeks = {
        (monday - (day - timedelta(days=day.weekday()))).days // 7
        for day, count in messages.items()
        if count > 0
    }
    active = sum(1 for week in weeks if 0 <= week < WINDOW_WEEKS)
    observed = WINDOW_WEEKS
    if info.created_at is not None:
        created = info.created_at.date()
        observed = max(1, min(WINDOW_WEEKS, (monday - created).days // 7 + 1))
    recent_from = last - timedelta(days=MOMENTUM_DAYS - 1)
    previous_from = recent_from - timedelta(days=MOMENTUM_DAYS)
    recent = sum(n for day, n in messages.items() if recent_from <= day <= last)
    previous = sum(n for day, n in messages.items() if previous_from <= day < recent_from)
    return Rhythm(active, observed, recent, previous, max(messages, default=None))
