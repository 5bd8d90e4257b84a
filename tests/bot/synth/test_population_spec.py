from __future__ import annotations

from datetime import date

import pytest

from bot.synth import SynthError, SynthSpec


def test_the_period_ends_before_the_end_day() -> None:
    spec = SynthSpec(people=10, communities=2, days=30, end=date(2026, 3, 2), seed=4)
    assert spec.start == date(2026, 1, 31)
    assert spec.workspace == "TSYN4"
    assert spec.target_events == round(10 * 30 * 0.8)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"people": 4, "communities": 2, "days": 30}, "--people must be at least 5"),
        ({"people": 10, "communities": 0, "days": 30}, "--communities must be at least 1"),
        ({"people": 10, "communities": 2, "days": 3}, "--days must be between 7 and 3660"),
        ({"people": 10, "communities": 2, "days": 30, "events": -1}, "--events must not be"),
    ],
)
def test_impossible_sizes_are_refused_in_words(sizes: dict[str, int], message: str) -> None:
    with pytest.raises(SynthError, match=message):
        SynthSpec(end=date(2026, 3, 2), **sizes)
