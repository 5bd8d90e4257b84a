"""A community's rhythm over the last twelve ISO weeks, and its momentum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.metrics.definitions import WEEKS, WINDOW_DAYS, observed_weeks, smoothed_growth
from bot.metrics.definitions import rhythm as rhythm_word
from nudges.recommend.snapshot import CommunityInfo


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
        return smoothed_growth(self.recent_messages, self.previous_messages)


def rhythm_of(info: CommunityInfo, messages: Mapping[date, int], last: date) -> Rhythm:
    monday = last - timedelta(days=last.weekday())
    weeks = {
        (monday - (day - timedelta(days=day.weekday()))).days // 7
        for day, count in messages.items()
        if count > 0
    }
    active = sum(1 for week in weeks if 0 <= week < WEEKS)
    observed = observed_weeks(info.created_at, last)
    recent_from = last - timedelta(days=WINDOW_DAYS - 1)
    previous_from = recent_from - timedelta(days=WINDOW_DAYS)
    recent = sum(n for day, n in messages.items() if recent_from <= day <= last)
    previous = sum(n for day, n in messages.items() if previous_from <= day < recent_from)
    return Rhythm(active, observed, recent, previous, max(messages, default=None))
