"""The attention budget: consent, pause, window, one a day, N a week, introduction first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from nudges.policy import (
    BACK_OFF,
    Introduction,
    Standing,
    Verdict,
    back_off_until,
    decide,
    decide_on_request,
)
from nudges.policy.budget import Schedule

NOW = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)  # Tuesday 10:30 in Paris
STARTED = Standing(
    consent="in",
    max_per_week=1,
    snooze_until=None,
    schedule=Schedule(tz="Europe/Paris"),
    this_week=0,
    last_message_at=None,
)


def verdict(standing: Standing, *, mode: str = "opt_in", cap: int = 1) -> Verdict:
    return decide(standing, NOW, mode=mode, cap=cap)


def test_a_started_person_in_their_window_gets_a_suggestion() -> None:
    assert verdict(STARTED) is Verdict.SUGGEST


def test_opt_in_sends_nothing_until_start_and_stop_always_wins() -> None:
    assert verdict(replace(STARTED, consent="unknown")) is Verdict.NOT_STARTED
    assert verdict(replace(STARTED, consent="out")) is Verdict.STOPPED
    assert verdict(replace(STARTED, consent="out"), mode="opt_out") is Verdict.STOPPED


def test_opt_out_introduces_first_and_waits_for_the_introduction() -> None:
    unknown = replace(STARTED, consent="unknown")
    assert verdict(unknown, mode="opt_out") is Verdict.INTRODUCE
    queued = replace(unknown, introduction=Introduction.QUEUED)
    assert verdict(queued, mode="opt_out") is Verdict.AWAITING_INTRODUCTION
    introduced_yesterday = replace(
        unknown, introduction=Introduction.SENT, last_message_at=NOW - timedelta(days=1)
    )
    assert verdict(introduced_yesterday, mode="opt_out") is Verdict.SUGGEST
    introduced_today = replace(introduced_yesterday, last_message_at=NOW - timedelta(hours=1))
    assert verdict(introduced_today, mode="opt_out") is Verdict.DAILY_CAP


def test_pause_until_a_date() -> None:
    paused = replace(STARTED, snooze_until=NOW + timedelta(minutes=1))
    assert verdict(paused) is Verdict.PAUSED
    assert verdict(replace(paused, snooze_until=NOW)) is Verdict.SUGGEST


def test_outside_the_window_nothing() -> None:
    assert decide(STARTED, NOW - timedelta(hours=1), mode="opt_in", cap=1) is Verdict.CLOSED
    quiet = replace(STARTED, schedule=Schedule(tz="Europe/Paris", quiet_start=10, quiet_end=11))
    assert verdict(quiet) is Verdict.CLOSED


def test_at_most_one_a_local_day() -> None:
    earlier_today = replace(STARTED, max_per_week=3, last_message_at=NOW - timedelta(hours=2))
    assert verdict(earlier_today, cap=3) is Verdict.DAILY_CAP
    # 23:30 UTC on Monday is already Tuesday 01:30 in Paris: the same local day.
    monday_night = replace(earlier_today, last_message_at=datetime(2026, 3, 30, 23, 30, tzinfo=UTC))
    assert verdict(monday_night, cap=3) is Verdict.DAILY_CAP
    monday_evening = replace(
        earlier_today, last_message_at=datetime(2026, 3, 30, 21, 0, tzinfo=UTC)
    )
    assert verdict(monday_evening, cap=3) is Verdict.SUGGEST


def test_weekly_budget_is_the_persons_choice_capped_by_the_organisation() -> None:
    assert verdict(replace(STARTED, this_week=1)) is Verdict.WEEKLY_CAP
    two = replace(STARTED, max_per_week=2, this_week=1)
    assert verdict(two, cap=1) is Verdict.WEEKLY_CAP
    assert verdict(two, cap=3) is Verdict.SUGGEST
    assert verdict(replace(STARTED, max_per_week=0)) is Verdict.WEEKLY_CAP


def test_asking_waives_consent_and_window_but_not_the_budget() -> None:
    outside = NOW - timedelta(hours=5)
    assert decide_on_request(replace(STARTED, consent="unknown"), outside, cap=1) is Verdict.SUGGEST
    assert decide_on_request(replace(STARTED, this_week=1), outside, cap=1) is Verdict.WEEKLY_CAP
    today = replace(STARTED, max_per_week=3, last_message_at=NOW - timedelta(hours=1))
    assert decide_on_request(today, NOW, cap=3) is Verdict.DAILY_CAP


def test_three_ignored_in_a_row_pause_four_weeks() -> None:
    assert back_off_until(2, NOW) is None
    assert back_off_until(3, NOW) == NOW + BACK_OFF == NOW + timedelta(weeks=4)
