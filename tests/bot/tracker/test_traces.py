"""A trace's bitmaps answer the ladder's three questions as the rollups would."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.metrics.definitions import STEADY_WEEKS, WEEKS
from bot.tracker.traces import BITS, REACH_DAYS, Trace

WEDNESDAY = date(2026, 3, 4)


def day(offset: int) -> int:
    return (WEDNESDAY + timedelta(days=offset)).toordinal()


def test_a_post_counts_in_the_window_and_its_week() -> None:
    trace = Trace(anchor=day(0))
    trace.mark(day(0), posted=True)
    assert trace.at(day(0)) == (True, False, 1)
    assert trace.at(day(27)) == (True, False, 1)  # the 28th day of the window
    assert trace.at(day(28)) == (False, False, 1)  # out of W, still one of the 12 weeks


def test_weeks_count_iso_weeks_and_stop_after_twelve() -> None:
    trace = Trace(anchor=day(0))
    for week in range(13):
        trace.mark(day(-7 * week), posted=True)
    assert trace.at(day(0))[2] == 12
    monday = day(-2)
    assert trace.at(monday) == (True, False, 11)  # its week's Wednesday is still to come
    assert trace.at(day(-3))[2] == 12  # Sunday before: weeks -1 .. -12


def test_marking_a_later_day_moves_the_anchor_and_keeps_the_past() -> None:
    trace = Trace(anchor=day(0))
    trace.mark(day(0), reacted=True)
    trace.mark(day(20), posted=True)
    assert trace.anchor == day(20)
    assert trace.at(day(20)) == (True, True, 1)
    assert trace.at(day(10)) == (False, True, 0)
    assert trace.at(day(30)) == (True, False, 1)


def test_days_beyond_the_bitmap_fall_away() -> None:
    trace = Trace(anchor=day(0))
    trace.mark(day(0), posted=True, reacted=True)
    trace.mark(day(BITS), posted=True)
    assert trace.reacted_days == 0
    assert trace.posted_days == 1


def test_a_trace_answers_only_dates_close_enough_to_its_anchor() -> None:
    trace = Trace(anchor=day(0))
    assert trace.answers(day(-REACH_DAYS))
    assert not trace.answers(day(-REACH_DAYS - 1))
    assert trace.answers(day(400))


def rung_at(trace: Trace, as_of: int) -> int:
    posted, reacted, weeks = trace.at(as_of)
    return 3 if weeks >= STEADY_WEEKS else 2 if posted else 1 if reacted else 0


def rung_by_until(trace: Trace, as_of: int) -> int:
    regular, contributor, reactor, _ = trace.until()
    return 3 if regular >= as_of else 2 if contributor >= as_of else 1 if reactor >= as_of else 0


def active_in_twelve_weeks(marks: dict[int, tuple[bool, bool]], as_of: int) -> bool:
    monday = as_of - (as_of - 1) % 7 - 7 * (WEEKS - 1)
    return any(monday <= d <= as_of and (p or r) for d, (p, r) in marks.items())


def test_until_days_agree_with_the_bitmaps_for_every_later_date() -> None:
    chance = random.Random(4)
    for _ in range(300):
        trace = Trace(anchor=day(0))
        marks = {}
        for offset in chance.sample(range(-100, 1), chance.randint(0, 40)):
            marks[day(offset)] = (chance.random() < 0.6, chance.random() < 0.5)
            trace.mark(day(offset), posted=marks[day(offset)][0], reacted=marks[day(offset)][1])
        for later in range(0, 100):
            assert rung_by_until(trace, day(later)) == rung_at(trace, day(later)), later
            active = trace.until()[3] >= day(later)
            assert active == active_in_twelve_weeks(marks, day(later)), later
