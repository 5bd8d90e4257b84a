"""The funnel's arithmetic: steps, conversions, weeks, and what is hidden under the minimum."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.metrics import Suppressed
from bot.metrics.funnel import Times, summarise_funnel, week_mondays

MONDAY = datetime(2026, 3, 2, 10, tzinfo=UTC)


def times(n: int, **steps: int) -> list[Times]:
    rows = []
    for i in range(n):
        at = {step: MONDAY + timedelta(days=7 * (i % 2) + 1) if i < k else None
              for step, k in steps.items()}  # fmt: skip
        rows.append(Times(MONDAY + timedelta(days=7 * (i % 2)), at.get("followed"),
                          at.get("joined"), at.get("dismissed"), at.get("first_post")))  # fmt: skip
    return rows


def test_conversions_at_each_step() -> None:
    weeks = week_mondays(date(2026, 3, 2), date(2026, 3, 15))
    funnel = summarise_funnel(
        times(40, followed=20, joined=10, first_post=5, dismissed=8), 5, weeks
    )
    assert funnel.counts == {"sent": 40, "followed": 20, "joined": 10, "first_post": 5,
                             "dismissed": 8}  # fmt: skip
    assert funnel.conversions == {
        "followed": pytest.approx(0.5), "joined": pytest.approx(0.5),
        "first_post": pytest.approx(0.5), "dismissed": pytest.approx(0.2),
    }  # fmt: skip
    assert funnel.weeks == ("2026-W10", "2026-W11")
    assert not isinstance(funnel.weekly, Suppressed)
    assert funnel.weekly["sent"] == (20, 20)
    assert funnel.weekly["followed"] == (10, 10)


def test_small_numbers_are_hidden() -> None:
    funnel = summarise_funnel(
        times(4, followed=3), 5, week_mondays(date(2026, 3, 2), date(2026, 3, 2))
    )
    assert funnel.counts["sent"] == Suppressed(5)
    assert funnel.weekly == Suppressed(5)
    assert funnel.conversions["followed"] == Suppressed(5)
    empty = summarise_funnel([], 5, [date(2026, 3, 2)])
    assert empty.conversions["followed"] is None


def test_planned_but_unsent_suggestions_do_not_count() -> None:
    unsent = Times(None, None, None, None, None)
    funnel = summarise_funnel([unsent] * 9, 5, [date(2026, 3, 2)])
    assert funnel.counts["sent"] == Suppressed(5)
