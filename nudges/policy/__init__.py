"""Consent and attention budget: who may receive a suggestion, and when.

This module holds the rules themselves, one decision per person and moment (`decide`,
`decide_digest`, `decide_on_request`); `nudges.policy.lifecycle` what follows a suggestion
(`advance`);
`nudges.policy.consent` reads each person's standing and checks again at send time;
`nudges.policy.budget` holds the send window and the weekly budget slots.

One budget per person across every campaign: at most `max_per_week` suggestions in their
local ISO week (capped by ENGAGE_MAX_PER_WEEK), at most one message a local day, only on
working days inside their send window and outside quiet hours.

The weekly digest of followed communities has its own cap instead of a budget slot: one
per local ISO week, in the same send window, never on a local day that already had a
suggestion or an introduction (and no suggestion on a digest's day), never after `stop`,
never while paused.

After planning, `lifecycle.advance` moves suggestions along: delivered, ignored (three in a row
back off for four weeks), joined, first post. Each step is idempotent and reads only
recent rows; the planner runs them on every pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from nudges.policy.budget import Schedule

NOT_NOW = timedelta(days=90)
IGNORED_AFTER = timedelta(days=14)
IGNORED_IN_A_ROW = 3
BACK_OFF = timedelta(weeks=4)
ATTRIBUTION = timedelta(days=90)
"""How long after a suggestion an answer or a join is counted as its outcome."""
FIRST_POST_WITHIN = timedelta(days=30)


class Verdict(StrEnum):
    SUGGEST = "suggest"
    INTRODUCE = "introduce"
    STOPPED = "stopped"
    NOT_STARTED = "not_started"
    PAUSED = "paused"
    CLOSED = "closed"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    AWAITING_INTRODUCTION = "awaiting_introduction"
    DIGEST = "digest"


class Introduction(StrEnum):
    """Opt-out mode: has the person had the introduction card with its Stop button?"""

    NONE = "none"
    QUEUED = "queued"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class Standing:
    """What the rules need to know about one person right now."""

    consent: str
    max_per_week: int
    snooze_until: datetime | None
    schedule: Schedule
    this_week: int
    last_message_at: datetime | None
    introduction: Introduction = Introduction.NONE
    digest_at: datetime | None = None
    """When the latest weekly digest was queued (it takes that local day, see above)."""


def weekly_allowance(standing: Standing, cap: int) -> int:
    return allowance(standing.max_per_week, cap)


def allowance(max_per_week: int, cap: int) -> int:
    """Suggestions a week for someone who chose `max_per_week`, under ENGAGE_MAX_PER_WEEK."""
    return max(0, min(max_per_week, cap))


def has_consent(consent: str, mode: str) -> bool:
    """opt_in: only after `start`; opt_out: unless the person said `stop`."""
    if consent == "out":
        return False
    return consent == "in" or mode == "opt_out"


def decide(standing: Standing, now: datetime, *, mode: str, cap: int) -> Verdict:
    """May the planner write to this person now, and with what?"""
    if standing.consent == "out":
        return Verdict.STOPPED
    if not has_consent(standing.consent, mode):
        return Verdict.NOT_STARTED
    if standing.snooze_until is not None and standing.snooze_until > now:
        return Verdict.PAUSED
    if not standing.schedule.open_at(now):
        return Verdict.CLOSED
    if _wrote_today(standing, now) or _same_day(standing, standing.digest_at, now):
        return Verdict.DAILY_CAP
    if standing.consent != "in" and standing.introduction is not Introduction.SENT:
        if standing.introduction is Introduction.NONE:
            return Verdict.INTRODUCE
        return Verdict.AWAITING_INTRODUCTION
    return _budget(standing, now, cap)


def decide_digest(standing: Standing, now: datetime) -> Verdict:
    """May the weekly digest go out now? (Its once-a-week cap is its outbox key.)"""
    if standing.consent == "out":
        return Verdict.STOPPED
    if standing.snooze_until is not None and standing.snooze_until > now:
        return Verdict.PAUSED
    if not standing.schedule.open_at(now):
        return Verdict.CLOSED
    if _wrote_today(standing, now):
        return Verdict.DAILY_CAP
    return Verdict.DIGEST


def decide_on_request(standing: Standing, now: datetime, *, cap: int) -> Verdict:
    """The person asked (`suggest`): consent and window are theirs to waive, not the budget."""
    if _wrote_today(standing, now):
        return Verdict.DAILY_CAP
    return _budget(standing, now, cap)


def _budget(standing: Standing, now: datetime, cap: int) -> Verdict:
    if standing.this_week >= weekly_allowance(standing, cap):
        return Verdict.WEEKLY_CAP
    return Verdict.SUGGEST


def _wrote_today(standing: Standing, now: datetime) -> bool:
    return _same_day(standing, standing.last_message_at, now)


def _same_day(standing: Standing, moment: datetime | None, now: datetime) -> bool:
    schedule = standing.schedule
    return moment is not None and schedule.local_day(moment) == schedule.local_day(now)


def back_off_until(streak: int, now: datetime) -> datetime | None:
    """After 3 ignored suggestions in a row, suggestions pause for 4 weeks."""
    return now + BACK_OFF if streak >= IGNORED_IN_A_ROW else None
