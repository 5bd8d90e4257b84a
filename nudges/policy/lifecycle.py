"""What follows a suggestion, after each planning pass: delivered, ignored (three in a row
back off for four weeks), joined (with the community's welcome line), first post. Each step
is idempotent and reads only recent rows; the planner runs them on every pass."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.events import as_utc
from bot.i18n import Language
from bot.identity import share_preference
from bot.storage.models import Membership, Preference, Suggestion
from bot.storage.tables import DAILY_ACTIVITY, OUTBOX
from nudges.cards.welcome import queue_welcome
from nudges.policy import ATTRIBUTION, FIRST_POST_WITHIN, IGNORED_AFTER, back_off_until


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
