"""A community's rhythm over the last twelve ISO weeks, and its momentum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.metrics.figures import observed_weeks
from bot.metrics.figures import rhythm as rhythm_word
from nudges.recommend.snapshot import WINDOW_WEEKS, CommunityInfo

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
        return rhythm_word(self.active_weeks, self.observed_weeks)

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
    observed = observed_weeks(info.created_at, last)
    recent_from = last - timedelta(days=MOMENTUM_DAYS - 1)
    previous_from = recent_from - timedelta(days=MOMENTUM_DAYS)
    recent = sum(n for day, n in messages.items() if recent_from <= day <= last)
    previous = sum(n for day, n in messages.items() if previous_from <= day < recent_from)
    return Rhythm(active, observed, recent, previous, max(messages, default=None))
