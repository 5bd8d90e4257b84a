"""Consent and attention budget: who may receive a suggestion, and when.

This module holds the rules themselves, one decision per person and moment (`decide`,
`decide_digest`, `decide_on_request`), and what follows a suggestion (`advance`);
`nudges.policy.consent` reads each person's standing and checks again at send time;
`nudges.policy.budget` holds the send window and the weekly budget slots.

One budget per person across every campaign: at most `max_per_week` suggestions in their
local ISO week (capped by ENGAGE_MAX_PER_WEEK), at most one message a local day, only on
working days inside their send window and outside quiet hours.

The weekly digest of followed communities has its own cap instead of a budget slot: one
per local ISO week, in the same send window, never on a local day that already had a
suggestion or an introduction (and no suggestion on a digest's day), never after `stop`,
never while paused.

After planning, `advance` moves suggestions along: delivered, ignored (three in a row
back off for four weeks), joined, first post. Each step is idempotent and reads only
recent rows; the planner runs them on every pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.i18n import Language
from bot.identity import share_preference
from bot.storage.models import Membership, Preference, Suggestion
from bot.storage.tables import DAILY_ACTIVITY, OUTBOX
from nudges.cards.welcome import queue_welcome
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


@dataclass
class Progress:
    delivered: int = 0
    ignored: int = 0
    paused: int = 0
    joined: int = 0
    first_posts: int = 0


def advance(session: Session, now: datetime, default: Language = "en") -> Progress:
    progress = Progress()
    sync_deliveries(session, now, progress)
    expire_ignored(session, now, progress)
    reconcile_joins(session, now, progress, default)
    record_first_posts(session, now, progress)
    return progress


def sync_deliveries(session: Session, now: datetime, progress: Progress) -> None:
    """Planned suggestions whose outbox row ended `unknown` may have been seen: `sent`.

    (The delivery worker itself moves them to `sent` or `failed` when it knows.)"""
    suggestion_id = OUTBOX.c.payload["suggestion_id"].as_integer()
    query = select(suggestion_id, OUTBOX.c.created_at).where(
        OUTBOX.c.kind == "suggestion",
        OUTBOX.c.state == "unknown",
        OUTBOX.c.created_at >= now - 2 * IGNORED_AFTER,
    )
    unknown: dict[int, datetime] = {
        sid: created for sid, created in session.connection().execute(query)
    }
    if not unknown:
        return
    planned = select(Suggestion).where(
        col(Suggestion.id).in_(list(unknown)), Suggestion.state == "planned"
    )
    for suggestion in session.exec(planned):
        suggestion.state = "sent"
        suggestion.sent_at = as_utc(unknown[suggestion.id or 0])
        session.add(suggestion)
        progress.delivered += 1


def expire_ignored(session: Session, now: datetime, progress: Progress) -> None:
    """No answer within 14 days: ignored. Three in a row pause suggestions for 4 weeks."""
    stale = session.exec(
        select(Suggestion).where(
            Suggestion.state == "sent",
            col(Suggestion.answered_at).is_(None),
            col(Suggestion.sent_at) < now - IGNORED_AFTER,
        )
    ).all()
    per_person = Counter(s.person_id for s in stale)
    for suggestion in stale:
        suggestion.state = "ignored"
        session.add(suggestion)
    for person_id, count in per_person.items():
        preference = session.get(Preference, person_id) or Preference(person_id=person_id)
        preference.ignored_streak += count
        until = back_off_until(preference.ignored_streak, now)
        if until is not None:
            current = as_utc(preference.snooze_until) if preference.snooze_until else None
            preference.snooze_until = max(until, current) if current else until
            preference.ignored_streak = 0
            progress.paused += 1
        session.add(preference)
        share_preference(session, person_id)
    progress.ignored += len(stale)


def reconcile_joins(
    session: Session, now: datetime, progress: Progress, default: Language = "en"
) -> None:
    """A person who joined after a suggestion, by any path, counts as joined in the funnel,
    and gets the community's welcome line (`nudges.cards.welcome`)."""
    rows = session.exec(
        select(Suggestion, Membership)
        .join(
            Membership,
            (col(Membership.person_id) == col(Suggestion.person_id))
            & (col(Membership.community_id) == col(Suggestion.community_id)),
        )
        .where(
            col(Suggestion.joined_at).is_(None),
            col(Suggestion.sent_at) >= now - ATTRIBUTION,
            Membership.state == "member",
            col(Membership.joined_at).is_not(None),
        )
    ).all()
    for suggestion, membership in rows:
        assert membership.joined_at is not None
        assert suggestion.sent_at is not None
        if as_utc(membership.joined_at) >= as_utc(suggestion.sent_at):
            suggestion.joined_at = membership.joined_at
            suggestion.state = "joined"
            session.add(suggestion)
            queue_welcome(session, suggestion, now, default)
            progress.joined += 1


def record_first_posts(session: Session, now: datetime, progress: Progress) -> None:
    """The first post within 30 days after joining, from the daily rollups."""
    waiting = session.exec(
        select(Suggestion).where(
            col(Suggestion.joined_at) >= now - FIRST_POST_WITHIN,
            col(Suggestion.first_post_at).is_(None),
        )
    ).all()
    for suggestion in waiting:
        assert suggestion.joined_at is not None
        joined = as_utc(suggestion.joined_at).date()
        first = (
            session.connection()
            .execute(
                select(func.min(DAILY_ACTIVITY.c.day)).where(
                    DAILY_ACTIVITY.c.person_id == suggestion.person_id,
                    DAILY_ACTIVITY.c.community_id == suggestion.community_id,
                    DAILY_ACTIVITY.c.day.between(joined, joined + FIRST_POST_WITHIN),
                    DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies > 0,
                )
            )
            .scalar_one_or_none()
        )
        if first is not None:
            suggestion.first_post_at = max(
                datetime.combine(first, time(), tzinfo=UTC), as_utc(suggestion.joined_at)
            )
            session.add(suggestion)
            progress.first_posts += 1
