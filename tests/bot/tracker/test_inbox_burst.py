from __future__ import annotations

import pytest

from bot.tracker.inbox import BURST_EVENTS_PER_SECOND, BurstMeter
from tests.support.clock import FakeMonotonic


def test_rate_is_a_sliding_one_second_window() -> None:
    clock = FakeMonotonic()
    meter = BurstMeter(clock)
    meter.add(60)
    clock.now += 0.5
    meter.add(60)
    assert meter.rate() == 120
    clock.now += 0.7  # 80 % of the previous second is still inside the window
    meter.add(30)
    assert meter.rate() == pytest.approx(120 * 0.8 + 30)
    clock.now += 1.0
    assert meter.rate() == pytest.approx(30 * 0.8)
    clock.now += 5.0
    assert meter.rate() == 0


def test_busy_only_above_the_burst_rate() -> None:
    clock = FakeMonotonic()
    meter = BurstMeter(clock)
    meter.add(BURST_EVENTS_PER_SECOND)
    assert not meter.busy()
    meter.add(1)
    assert meter.busy()
    clock.now += 2.0
    assert not meter.busy()
